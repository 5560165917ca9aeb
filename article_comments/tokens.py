"""Signed values the app hands out: the form's timestamp, the guest's confirmation link and the
thread's unsubscribe link. Each is its own kind of token (shop.signing), so one can never be
replayed as another."""

import functools
import time

from django.conf import settings

from shop import signing

FORM = signing.TokenKind("article_comments.form")
CONFIRMATION = signing.TokenKind("article_comments.confirm")
UNSUBSCRIBE = signing.TokenKind("article_comments.unsubscribe")

BadToken = signing.BadToken
ExpiredToken = signing.ExpiredToken


def form_token(article, issued_at=None):
    """When the form was served (in milliseconds), signed and bound to the article it was served for."""
    issued = time.time() if issued_at is None else issued_at
    return FORM.make({"a": article.pk, "t": int(issued * 1000)})


def refresh_form_token(token):
    """The same form token served again now: what a cached page's comment form needs per request.

    A token that does not verify is returned unchanged, so the form rejects it as before.
    """
    article = _article_of(token, settings.SECRET_KEY)
    if article is None:
        return token
    return FORM.make({"a": article, "t": int(time.time() * 1000)})


@functools.lru_cache(maxsize=512)
def _article_of(token, secret_key):
    """The article a form token was made for, or None if it does not verify (under secret_key, the
    current SECRET_KEY, part of what is remembered). Every hit of a cached page brings the same
    stored token: it is verified once per worker, not on each request."""
    try:
        data = FORM.read(token)
    except BadToken:
        return None
    if not isinstance(data, dict) or "a" not in data:
        return None
    return data["a"]


def form_token_age(token, article):
    """Seconds since the form was served. Raises BadToken if it was altered or is another article's."""
    data = FORM.read(token)
    if not isinstance(data, dict) or data.get("a") != article.pk or not isinstance(data.get("t"), int):
        raise BadToken("The form token belongs to another article.")
    return time.time() - data["t"] / 1000


def confirmation_token(comment):
    return CONFIRMATION.make({"c": comment.pk, "e": comment.email})


def read_confirmation_token(token, max_age):
    """(comment pk, email). Raises ExpiredToken after max_age seconds, BadToken if altered."""
    data = CONFIRMATION.read(token, max_age=max_age)
    return data["c"], data["e"]


def unsubscribe_token(comment):
    """Never expires (it is read with no max_age): an old notification's unsubscribe link must still work."""
    return UNSUBSCRIBE.make({"c": comment.pk, "e": comment.email})


def read_unsubscribe_token(token):
    data = UNSUBSCRIBE.read(token)
    return data["c"], data["e"]

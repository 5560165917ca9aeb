"""Signed values the app hands out: the form's timestamp, the guest's confirmation link and the
thread's unsubscribe link. Each has its own salt, so one can never be replayed as another."""

import time

from django.core import signing

FORM_SALT = "article_comments.form"
CONFIRM_SALT = "article_comments.confirm"
UNSUBSCRIBE_SALT = "article_comments.unsubscribe"

BadToken = signing.BadSignature
ExpiredToken = signing.SignatureExpired


def form_token(article, issued_at=None):
    """When the form was served (in milliseconds), signed and bound to the article it was served for."""
    issued = time.time() if issued_at is None else issued_at
    return signing.dumps({"a": article.pk, "t": int(issued * 1000)}, salt=FORM_SALT)


def refresh_form_token(token):
    """The same form token served again now: what a cached page's comment form needs per request.

    A token that does not verify is returned unchanged, so the form rejects it as before.
    """
    try:
        data = signing.loads(token, salt=FORM_SALT)
    except signing.BadSignature:
        return token
    if not isinstance(data, dict) or "a" not in data:
        return token
    return signing.dumps({"a": data["a"], "t": int(time.time() * 1000)}, salt=FORM_SALT)


def form_token_age(token, article):
    """Seconds since the form was served. Raises BadToken if it was altered or is another article's."""
    data = signing.loads(token, salt=FORM_SALT)
    if not isinstance(data, dict) or data.get("a") != article.pk or not isinstance(data.get("t"), int):
        raise BadToken("The form token belongs to another article.")
    return time.time() - data["t"] / 1000


def confirmation_token(comment):
    return signing.dumps({"c": comment.pk, "e": comment.email}, salt=CONFIRM_SALT)


def read_confirmation_token(token, max_age):
    """(comment pk, email). Raises ExpiredToken after max_age seconds, BadToken if altered."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    return data["c"], data["e"]


def unsubscribe_token(comment):
    """Never expires: an old notification's unsubscribe link must still work."""
    return signing.dumps({"c": comment.pk, "e": comment.email}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return data["c"], data["e"]

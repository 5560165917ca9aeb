"""Signed links in newsletter emails and the absolute URLs that carry them.

Confirmation tokens hold the subscriber id and their one-time key, signed with a timestamp so they
expire. Unsubscribe tokens hold the id only and never expire; the signature makes both tamper-proof.
URLs start from settings.NEWSLETTER_BASE_URL, never from the request's Host header (a forged Host
would otherwise put an attacker's domain into our emails).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class InvalidToken(Exception):
    """The link is not one we made: tampered, truncated or garbled."""


class ExpiredToken(InvalidToken):
    """The link was ours but is older than NEWSLETTER_CONFIRMATION_MAX_AGE."""


class UsedToken(InvalidToken):
    """The link was ours but has done its job (or been replaced)."""


def absolute_url(path):
    return settings.NEWSLETTER_BASE_URL.rstrip("/") + path


def make_confirmation_token(subscriber):
    payload = {"s": subscriber.pk, "k": subscriber.confirmation_key}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload)


def read_confirmation_token(token):
    """Return (subscriber id, key) or raise ExpiredToken / InvalidToken."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.NEWSLETTER_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredToken(str(error)) from error
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error
    return data["s"], data["k"]


def make_unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": subscriber.pk})


def read_unsubscribe_token(token):
    """Return the subscriber id or raise InvalidToken."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)["s"]
    except signing.BadSignature as error:
        raise InvalidToken(str(error)) from error


def confirmation_url(subscriber):
    return absolute_url(reverse("newsletter:confirm", args=[make_confirmation_token(subscriber)]))


def unsubscribe_url(subscriber):
    return absolute_url(reverse("newsletter:unsubscribe", args=[make_unsubscribe_token(subscriber)]))

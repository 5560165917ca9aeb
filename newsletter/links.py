"""Signed links in newsletter emails.

Confirmation tokens hold the subscriber id and their one-time key and expire (they carry a
timestamp). Unsubscribe tokens hold the id only and never expire; the signature makes both
tamper-proof (shop.signing). The links start from settings.SITE_URL (shop.links), never from the
request's Host header.
"""

from django.conf import settings
from django.urls import reverse

from shop import signing
from shop.links import absolute_url

CONFIRMATION = signing.TokenKind("newsletter.confirm")
# Untimestamped, as the links already in mailboxes were made: they must keep working.
UNSUBSCRIBE = signing.TokenKind("newsletter.unsubscribe", timestamped=False)

InvalidToken = signing.BadToken  # the link is not one we made: tampered, truncated or garbled
ExpiredToken = signing.ExpiredToken  # ours, but older than NEWSLETTER_CONFIRMATION_MAX_AGE


class UsedToken(InvalidToken):
    """The link was ours but has done its job (or been replaced)."""


def make_confirmation_token(subscriber):
    return CONFIRMATION.make({"s": subscriber.pk, "k": subscriber.confirmation_key})


def read_confirmation_token(token):
    """Return (subscriber id, key) or raise ExpiredToken / InvalidToken."""
    data = CONFIRMATION.read(token, max_age=settings.NEWSLETTER_CONFIRMATION_MAX_AGE)
    return data["s"], data["k"]


def make_unsubscribe_token(subscriber):
    return UNSUBSCRIBE.make({"s": subscriber.pk})


def read_unsubscribe_token(token):
    """Return the subscriber id or raise InvalidToken."""
    return UNSUBSCRIBE.read(token)["s"]


def confirmation_url(subscriber):
    return absolute_url(reverse("newsletter:confirm", args=[make_confirmation_token(subscriber)]))


def unsubscribe_url(subscriber):
    return absolute_url(reverse("newsletter:unsubscribe", args=[make_unsubscribe_token(subscriber)]))

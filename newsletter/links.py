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

# A checkout reminder's opt-out: the address itself, since the shopper may not be on the list.
OPT_OUT = signing.TokenKind("newsletter.opt-out", timestamped=False)
# A checkout reminder's "bring my basket back": the reminder's id; it expires.
RESTORE_BASKET = signing.TokenKind("newsletter.restore-basket")

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


def read_unsubscribe_delivery(token):
    """The campaign delivery an unsubscribe link came from, or None. A campaign message's link names
    its delivery, so the campaign's figures count the unsubscribe; the signature covers both."""
    return UNSUBSCRIBE.read(token).get("d")


def confirmation_url(subscriber):
    return absolute_url(reverse("newsletter:confirm", args=[make_confirmation_token(subscriber)]))


def unsubscribe_url(subscriber, delivery_id=None):
    return unsubscribe_url_for(subscriber.pk, delivery_id)


def unsubscribe_url_for(subscriber_id, delivery_id=None):
    payload = {"s": subscriber_id} if delivery_id is None else {"s": subscriber_id, "d": delivery_id}
    return absolute_url(reverse("newsletter:unsubscribe", args=[UNSUBSCRIBE.make(payload)]))


def opt_out_url(email):
    return absolute_url(reverse("newsletter:opt-out", args=[OPT_OUT.make({"e": email})]))


def read_opt_out_token(token):
    """Return the address or raise InvalidToken."""
    return OPT_OUT.read(token)["e"]


def restore_basket_url(reminder):
    return absolute_url(reverse("newsletter:restore-basket", args=[RESTORE_BASKET.make({"r": reminder.pk})]))


def read_restore_basket_token(token):
    """Return the reminder id or raise ExpiredToken / InvalidToken."""
    return RESTORE_BASKET.read(token, max_age=settings.NEWSLETTER_RESTORE_LINK_MAX_AGE)["r"]

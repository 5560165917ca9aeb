"""The newsletter's flows, one function each: ask to subscribe, confirm, unsubscribe.

Views and the checkout call these; none of them tells its caller which state an address was in,
so no answer built on them can reveal whether someone is subscribed.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import emails, links
from .consent import get_consent
from .links import UsedToken
from .models import CampaignDelivery, Subscriber, Suppression, email_key
from .validators import clean_signup_email, is_valid_source


@transaction.atomic
def request_subscription(email, *, source, ip, consent_version=None):
    """Record a sign-up request and, when due, email a confirmation link. Returns None whatever happened.

    - new, or unsubscribed: becomes pending and gets a confirmation email;
    - pending: the email is sent again (same key, so earlier links keep working until they expire);
    - subscribed: nothing changes and nothing is sent;
    - any address is emailed at most once per NEWSLETTER_EMAIL_INTERVAL seconds; within it nothing changes.

    `email` is validated and normalised here too (raises ValidationError), so the checkout can pass
    what the shopper typed. `consent_version` is the version shown to them; an unknown or missing
    one records the current text. Checkout: render `newsletter.consent.get_consent()` next to the
    opt-in box and pass its version with source="checkout".
    """
    email = clean_signup_email(email)
    if not is_valid_source(source):
        raise ValueError(f"Unknown newsletter source {source!r}: use footer, checkout or article:<slug>.")
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().with_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber(email=email, confirmation_key=_new_key())
                _record_request(subscriber, source, ip, consent_version, now)
                emails.send_confirmation(subscriber)
                return
        except IntegrityError:
            # Someone else inserted the same address a moment ago: carry on with their row.
            subscriber = Subscriber.objects.select_for_update().with_email(email).get()

    if subscriber.status == Subscriber.Status.SUBSCRIBED:
        return
    interval = timedelta(seconds=settings.NEWSLETTER_EMAIL_INTERVAL)
    if subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < interval:
        return
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED or not subscriber.confirmation_key:
        subscriber.confirmation_key = _new_key()
    subscriber.status = Subscriber.Status.PENDING
    _record_request(subscriber, source, ip, consent_version, now)
    emails.send_confirmation(subscriber)


def check_confirmation(token):
    """The pending subscriber a confirmation link belongs to, or ExpiredToken / UsedToken / InvalidToken."""
    return _pending_subscriber(token, lock=False)


@transaction.atomic
def confirm_subscription(token, ip):
    """Subscribe the owner of a valid, unused confirmation link and send the welcome email."""
    subscriber = _pending_subscriber(token, lock=True)
    subscriber.status = Subscriber.Status.SUBSCRIBED
    subscriber.confirmed_at = timezone.now()
    subscriber.confirmation_ip = ip
    subscriber.confirmation_key = ""  # one use only
    subscriber.unsubscribed_at = None
    subscriber.save()
    # A new, confirmed sign-up outweighs an earlier opt-out from a checkout reminder. Bounces and
    # complaints stay until staff lift them: the provider would refuse the address anyway.
    Suppression.objects.for_email(subscriber.email).filter(reason=Suppression.Reason.UNSUBSCRIBED).delete()
    emails.send_welcome(subscriber)
    return subscriber


def subscriber_for_unsubscribe(token):
    """The subscriber an unsubscribe link belongs to (None if staff deleted them), or InvalidToken."""
    return Subscriber.objects.filter(pk=links.read_unsubscribe_token(token)).first()


@transaction.atomic
def unsubscribe(token):
    """Unsubscribe the owner of an unsubscribe link at once (links and one-click POSTs). Idempotent.
    A link from a campaign message counts the unsubscribe in that campaign's figures."""
    subscriber_id = links.read_unsubscribe_token(token)
    delivery_id = links.read_unsubscribe_delivery(token)
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is not None:
        if delivery_id is not None and subscriber.status == Subscriber.Status.SUBSCRIBED:
            CampaignDelivery.objects.filter(pk=delivery_id, subscriber=subscriber, unsubscribed_at=None).update(
                unsubscribed_at=timezone.now()
            )
        mark_unsubscribed(subscriber)
    return subscriber


@transaction.atomic
def opt_out(token):
    """The opt-out link of a checkout reminder: no more marketing email to this address, on the
    list or not. Returns the address. Idempotent."""
    email = links.read_opt_out_token(token)
    suppress(email, Suppression.Reason.UNSUBSCRIBED, detail="Opt-out link in a checkout reminder")
    for subscriber in Subscriber.objects.select_for_update().with_email(email):
        mark_unsubscribed(subscriber)
    return email


def suppress(email, reason, *, detail="", delivery=None):
    """Never send marketing email to this address again. A bounce or complaint replaces an
    opt-out (it is the stronger reason); otherwise the first reason recorded stays."""
    key = email_key(email)
    existing = Suppression.objects.select_for_update().filter(email=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Suppression.objects.create(email=key, reason=reason, detail=detail[:500], delivery=delivery)
        except IntegrityError:  # the same event twice at once
            existing = Suppression.objects.select_for_update().get(email=key)
    stronger = {Suppression.Reason.BOUNCE, Suppression.Reason.COMPLAINT}
    if reason in stronger and existing.reason not in stronger:
        existing.reason, existing.detail, existing.delivery = reason, detail[:500], delivery
        existing.save(update_fields=["reason", "detail", "delivery"])
    return existing


def mark_unsubscribed(subscriber):
    """Stop all mail to this subscriber; also used by staff from the dashboard. Idempotent."""
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.confirmation_key = ""  # an outstanding confirmation link must not resubscribe them
    subscriber.save(update_fields=["status", "unsubscribed_at", "confirmation_key", "updated_at"])


def _pending_subscriber(token, *, lock):
    subscriber_id, key = links.read_confirmation_token(token)
    queryset = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = queryset.filter(pk=subscriber_id).first()
    if (
        subscriber is None
        or subscriber.status != Subscriber.Status.PENDING
        or not subscriber.confirmation_key
        or not secrets.compare_digest(subscriber.confirmation_key, key)
    ):
        raise UsedToken("This confirmation link has been used or replaced.")
    return subscriber


def _record_request(subscriber, source, ip, consent_version, now):
    consent = get_consent(consent_version)
    subscriber.source = source
    subscriber.consent_version = consent.version
    subscriber.consent_text = consent.text
    subscriber.signed_up_at = now
    subscriber.signup_ip = ip
    subscriber.confirmation_sent_at = now
    subscriber.save()


def _new_key():
    return secrets.token_urlsafe(24)


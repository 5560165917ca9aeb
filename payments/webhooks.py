"""Stripe webhook events: each one processed once, dispatched on its type."""

import logging

from django.db import transaction

from payments import services
from payments.models import WebhookEvent

logger = logging.getLogger(__name__)


def payment_intent_succeeded(intent):
    try:
        services.place_order_for_payment_intent(intent)
    except services.UnknownPaymentIntent:
        # Another integration on the same Stripe account, or another environment.
        logger.info("Ignoring payment_intent.succeeded for %s: not created by this store", intent["id"])


def payment_intent_payment_failed(intent):
    services.record_payment_failure(intent)


def charge_refunded(charge):
    services.record_refunds_for_charge(charge)


HANDLERS = {
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
    "charge.refunded": charge_refunded,
}


def is_well_formed(event):
    """A signed event can still be malformed (a test event, a future API version): it must have
    an id, a type and, for the types we act on, an object with an id, or handling it fails."""
    try:
        obj = event["data"]["object"]
        return bool(event["id"]) and bool(event["type"]) and (event["type"] not in HANDLERS or bool(obj["id"]))
    except (KeyError, TypeError):
        return False


def handle_event(event):
    """Process a verified event unless its id was processed before. Returns True if handled now.

    The event id is recorded in the same transaction as its effects: if handling fails, the
    record goes too and Stripe's retry processes the event again.
    """
    with transaction.atomic():
        _, created = WebhookEvent.objects.get_or_create(event_id=event["id"], defaults={"type": event["type"]})
        if not created:
            return False
        handler = HANDLERS.get(event["type"])
        if handler is not None:
            handler(event["data"]["object"])
    return True

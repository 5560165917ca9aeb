"""Stripe's webhook: a signed event, processed once, dispatched on its type."""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checkout import disputes, flow, placement, refunds, stripe_gateway
from checkout.models import WebhookEvent

logger = logging.getLogger(__name__)

EVENT_ID_MAX_LENGTH = WebhookEvent._meta.get_field("event_id").max_length
EVENT_TYPE_MAX_LENGTH = WebhookEvent._meta.get_field("type").max_length


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = stripe_gateway.construct_webhook_event(request.body, request.headers.get("Stripe-Signature"))
    except stripe_gateway.InvalidWebhook as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Invalid Stripe webhook")
    if not is_well_formed(event):
        logger.warning("Rejected a malformed Stripe event")
        return HttpResponseBadRequest("Malformed Stripe event")
    handle_event(event)
    return HttpResponse(status=200)


def payment_intent_succeeded(intent):
    try:
        placement.place_order_for_payment_intent(intent)
    except placement.UnknownPaymentIntent:
        # Another integration on the same Stripe account, or another environment.
        logger.info("Ignoring payment_intent.succeeded for %s: not created by this store", intent["id"])
    except placement.PaymentNotSucceeded as error:
        # An event that says "succeeded" for an intent that is not (a test event, a body that
        # lacks fields): nothing is placed, and the sweep asks Stripe later.
        logger.warning("payment_intent.succeeded not acted on: %s", error)


def payment_intent_payment_failed(intent):
    flow.record_failure(intent)


def charge_refunded(charge):
    # For a payment with no order yet, this closes it as refunded: it never becomes an order.
    refunds.record_refunds_for_charge(charge)


def charge_dispute(event_type):
    def handler(dispute):
        disputes.record_dispute(dispute, event_type=event_type)

    return handler


HANDLERS = {
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": charge_dispute("charge.dispute.created"),
    "charge.dispute.updated": charge_dispute("charge.dispute.updated"),
    "charge.dispute.closed": charge_dispute("charge.dispute.closed"),
}


def is_well_formed(event):
    """A signed event can still be malformed (a test event, a future API version): it must have
    an id that fits our column, a type and, for the types we act on, an object with an id."""
    event_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    if not isinstance(event_id, str) or not event_id or len(event_id) > EVENT_ID_MAX_LENGTH:
        return False
    if not isinstance(event_type, str) or not event_type or len(event_type) > EVENT_TYPE_MAX_LENGTH:
        return False
    if event_type not in HANDLERS:
        return True
    obj = data.get("object") if isinstance(data, dict) else None
    return isinstance(obj, dict) and isinstance(obj.get("id"), str) and bool(obj["id"])


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

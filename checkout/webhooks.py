"""Stripe's webhook: a signed event, processed once, dispatched on its type."""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checkout import flow, placement, refunds, stripe_gateway
from checkout.models import CheckoutPayment, WebhookEvent

logger = logging.getLogger(__name__)


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


def payment_intent_payment_failed(intent):
    flow.record_failure(intent)


def charge_refunded(charge):
    intent_id = charge.get("payment_intent")
    if intent_id and CheckoutPayment.objects.filter(intent_id=intent_id, status=CheckoutPayment.PENDING).exists():
        # The refund event overtook payment_intent.succeeded: place the order first, through
        # the same function, from what Stripe says about the intent now.
        intent = stripe_gateway.retrieve_payment_intent(intent_id)
        if intent["status"] != "succeeded":
            return
        placement.place_order_for_payment_intent(intent)
    refunds.record_refunds_for_charge(charge)


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

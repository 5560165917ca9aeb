"""The one module that talks to Stripe.

Everything else in the store passes plain values in and gets PaymentIntent, Refund and Event
objects out as plain dicts (the shapes of Stripe's API reference), so the rest of the code never
imports `stripe` and treats a webhook's payload and an API answer alike.

Demo mode (DEBUG on and no STRIPE_SECRET_KEY) answers the same calls locally with ids that
start with "demo_", so `make run` can take an order end to end offline. It is decided on every
call from the live settings: with DEBUG off it cannot be reached.
"""

import hashlib
import json
import logging

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)

DEMO_PREFIX = "demo_"
# Stripe's own wording for a generic decline (card 4000 0000 0000 0002).
DEMO_DECLINE_MESSAGE = "Your card was declined."
# States in which the shopper can still (re)try paying this PaymentIntent on our page.
PAYABLE_STATUSES = {"requires_payment_method", "requires_confirmation", "requires_action"}


class PaymentGatewayError(Exception):
    """Stripe could not do what we asked. The message is safe to show to shoppers and staff."""


class InvalidWebhook(Exception):
    """The request is not a genuine, recent Stripe event."""


def demo_mode_enabled():
    return bool(settings.DEBUG) and not settings.STRIPE_SECRET_KEY


def is_demo_id(intent_id):
    return str(intent_id).startswith(DEMO_PREFIX)


def _client():
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentGatewayError("Card payments are not configured on this store.")
    base_addresses = {"api": settings.STRIPE_API_BASE.rstrip("/")} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        # The SDK retries network failures with the same idempotency key, so a retry never
        # creates a second PaymentIntent or refund. Timeouts and retries together stay well inside
        # the app server's worker timeout (docs/deploy.md, "Stripe timeouts"): a Stripe that never
        # answers costs a request at most about 2 x (connect + read) + 1 s of back-off.
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=(settings.STRIPE_CONNECT_TIMEOUT, settings.STRIPE_READ_TIMEOUT)),
    )


def _call(description, function, *args, **kwargs):
    try:
        return function(*args, **kwargs).to_dict()
    except stripe.CardError as error:
        raise PaymentGatewayError(error.user_message or str(error)) from error
    except stripe.StripeError as error:
        logger.warning("Stripe refused to %s: %s", description, error)
        message = (
            error.user_message or "Our payment provider could not be reached. Nothing was charged; please try again."
        )
        raise PaymentGatewayError(message) from error


def _demo_id(prefix, idempotency_key):
    return prefix + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def _require_demo_mode():
    if not demo_mode_enabled():
        raise PaymentGatewayError("Demo payments only exist in demo mode (DEBUG on, no Stripe keys).")


def payment_method_params():
    """Which payment methods Stripe may offer: the Dashboard's choice unless a setting names them."""
    if settings.STRIPE_PAYMENT_METHOD_TYPES:
        return {"payment_method_types": list(settings.STRIPE_PAYMENT_METHOD_TYPES)}
    return {"automatic_payment_methods": {"enabled": True}}


def create_payment_intent(*, amount_cents, currency, metadata, idempotency_key):
    if demo_mode_enabled():
        return {
            "id": _demo_id(DEMO_PREFIX + "pi_", idempotency_key),
            "object": "payment_intent",
            "amount": amount_cents,
            "currency": currency,
            "status": "requires_payment_method",
            "client_secret": None,
            "metadata": dict(metadata),
            "latest_charge": None,
        }
    params = {"amount": amount_cents, "currency": currency, "metadata": dict(metadata), **payment_method_params()}
    return _call(
        "create a PaymentIntent",
        _client().v1.payment_intents.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )


def retrieve_payment_intent(intent_id):
    if is_demo_id(intent_id):
        _require_demo_mode()
        # Nothing is stored outside our database in demo mode: a demo intent is unpaid until
        # the demo button confirms it (confirm_demo_payment).
        return {"id": intent_id, "object": "payment_intent", "status": "requires_payment_method", "latest_charge": None}
    # Expanded, the charge tells the card brand and last digits for the order's payment source.
    params = {"expand": ["latest_charge"]}
    return _call("retrieve a PaymentIntent", _client().v1.payment_intents.retrieve, intent_id, params=params)


def confirm_demo_payment(intent_id, *, amount_cents, currency):
    """What Stripe would report for a paid demo intent. Only reachable in demo mode."""
    _require_demo_mode()
    if not is_demo_id(intent_id):
        raise PaymentGatewayError("Only demo payments can be confirmed without Stripe.")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount_cents,
        "amount_received": amount_cents,
        "currency": currency,
        "status": "succeeded",
        "latest_charge": None,
    }


def decline_demo_payment(intent_id):
    """What Stripe reports for a demo intent whose card was declined: the intent is payable again
    and carries a card_error, as `payment_intent.payment_failed` and the return from Stripe.js
    show it. Only reachable in demo mode."""
    _require_demo_mode()
    if not is_demo_id(intent_id):
        raise PaymentGatewayError("Only demo payments can be declined without Stripe.")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "latest_charge": None,
        "last_payment_error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": DEMO_DECLINE_MESSAGE,
        },
    }


def cancel_payment_intent(intent_id):
    """Cancel an unpaid PaymentIntent (the sweep closes abandoned ones). Demo intents live only in
    our database: nothing to cancel."""
    if is_demo_id(intent_id):
        _require_demo_mode()
        return {"id": intent_id, "object": "payment_intent", "status": "canceled", "latest_charge": None}
    return _call(
        "cancel a PaymentIntent",
        _client().v1.payment_intents.cancel,
        intent_id,
        params={"cancellation_reason": "abandoned"},
    )


def create_refund(*, intent_id, amount_cents, idempotency_key, metadata=None):
    if is_demo_id(intent_id):
        _require_demo_mode()
        return {
            "id": _demo_id(DEMO_PREFIX + "re_", idempotency_key),
            "object": "refund",
            "amount": amount_cents,
            "payment_intent": intent_id,
            "status": "succeeded",
        }
    params = {"payment_intent": intent_id, "amount": amount_cents, "metadata": dict(metadata or {})}
    return _call(
        "create a refund",
        _client().v1.refunds.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )


def list_refunds(intent_id):
    if is_demo_id(intent_id):
        return []
    refunds = _call("list refunds", _client().v1.refunds.list, params={"payment_intent": intent_id, "limit": 100})
    return refunds["data"]


def construct_webhook_event(payload, signature):
    """Verify the Stripe-Signature header over the raw body and return the event as a dict.

    InvalidWebhook for a missing or wrong signature, an old timestamp, or a correctly signed body
    that is not a JSON object (`[]`, `"x"`, `123`, `null`)."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature or "", settings.STRIPE_WEBHOOK_SECRET, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE
        )
        data = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        # ValueError: the body is not JSON although correctly signed.
        raise InvalidWebhook(str(error)) from error
    if not isinstance(data, dict):
        raise InvalidWebhook(f"the body is a JSON {type(data).__name__}, not an event object")
    return data


def with_charge(intent):
    """The intent with its charge expanded (what refunds it has), asking Stripe if the charge
    came as an id (as in webhook events). Demo intents have no charge."""
    charge = intent.get("latest_charge")
    if not isinstance(charge, str) or is_demo_id(intent.get("id", "")):
        return intent
    return retrieve_payment_intent(intent["id"])


def amount_refunded(intent):
    """Cents refunded on the intent's charge so far (0 when it has no expanded charge)."""
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        return 0
    return int(charge.get("amount_refunded") or 0)


def charge_id(intent):
    """The id of the PaymentIntent's charge. The real API sends `latest_charge` as an id string
    unless it was expanded, in which case it is the Charge object."""
    charge = intent.get("latest_charge")
    if isinstance(charge, str) or charge is None:
        return charge
    return charge.get("id")


def card_label(intent):
    """ "Visa ending 4242" when the charge came expanded; empty otherwise."""
    charge = intent.get("latest_charge")
    if isinstance(charge, str) or not charge:
        return ""
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    if not card.get("last4"):
        return ""
    return f"{(card.get('brand') or 'card').title()} ending {card['last4']}"

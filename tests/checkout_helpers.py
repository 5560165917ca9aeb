"""Shared by the checkout tests: walking the checkout with WebTest, a localstripe
server, and Stripe-shaped events signed the way Stripe signs them."""

import copy
import json
import socket
import time
from pathlib import Path

import stripe
from django.urls import reverse
from oscar.core.loading import get_model

# Stripe's own example objects (openapi/fixtures3.json): the shapes the real API sends.
FIXTURES = json.loads((Path(__file__).parent / "fixtures/stripe/fixtures3_subset.json").read_text())["resources"]
WEBHOOK_SECRET = "whsec_test_qlclaw"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line1": "12 Analytical Way",
    "line4": "Springfield",
    "state": "IL",
    "postcode": "62701",
}

Basket = get_model("basket", "Basket")


def add_to_basket(app, product, quantity=1, user=None):
    page = app.get(product.get_absolute_url(), user=user)
    form = page.forms["add_to_basket_form"]
    form["quantity"] = str(quantity)
    form.submit(user=user).follow(user=user)


def walk_to_payment(app, product, *, user=None, method="standard", **kwargs):
    """Basket -> (gateway) -> shipping address -> shipping method -> the payment page."""
    page = walk_to_shipping_methods(app, product, user=user, **kwargs)
    method_form = next(f for f in page.forms.values() if "method_code" in f.fields and f["method_code"].value == method)
    return method_form.submit(user=user).maybe_follow(user=user)


def walk_to_shipping_methods(app, product, *, quantity=1, user=None, email="ada@example.com", address=ADDRESS):
    """Basket -> (gateway) -> shipping address -> the shipping-method page."""
    add_to_basket(app, product, quantity, user=user)
    page = app.get(reverse("checkout:index"), user=user)
    if user is None:
        form = next(f for f in page.forms.values() if "username" in f.fields)
        form["username"] = email
        form["options"] = "anonymous"
        page = form.submit().follow()
    else:
        page = page.follow(user=user)
    form = page.forms["new_shipping_address"]
    for name, value in address.items():
        form[name] = value
    return form.submit(user=user).follow(user=user)


def event_payload(event_type, obj, *, event_id="evt_test_1"):
    """A Stripe event shaped like fixtures3.json's, carrying `obj` as data.object."""
    event = copy.deepcopy(FIXTURES["event"])
    event.update({"id": event_id, "type": event_type, "created": int(time.time()), "data": {"object": obj}})
    return json.dumps(event)


def intent_like(intent_id, *, amount, status="succeeded", **extra):
    """A PaymentIntent shaped like the real API's (fixtures3.json), as a webhook carries it."""
    intent = copy.deepcopy(FIXTURES["payment_intent"])
    intent.update(
        {
            "id": intent_id,
            "amount": amount,
            "amount_received": amount if status == "succeeded" else 0,
            "currency": "usd",
            "status": status,
            "latest_charge": "ch_3TestCharge" if status == "succeeded" else None,
            "last_payment_error": None,
            "client_secret": f"{intent_id}_secret_test",
        }
    )
    intent.update(extra)
    return intent


def sign(payload, secret=WEBHOOK_SECRET, timestamp=None):
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )


def post_event(client, payload, *, signature=None, header=True):
    headers = {}
    if header:
        headers["HTTP_STRIPE_SIGNATURE"] = signature or sign(payload)
    return client.post(reverse("payments:stripe-webhook"), data=payload, content_type="application/json", **headers)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stripe_client(settings):
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


def pay_with(settings, intent_id, payment_method="pm_card_visa"):
    """What Stripe.js does in the browser, done the way localstripe accepts it: attach the
    payment method, then confirm (localstripe cannot confirm with a payment_method argument)."""
    client = stripe_client(settings)
    client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
    try:
        return client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError:
        return client.v1.payment_intents.retrieve(intent_id)


class FakeStripe:
    """Stands in for checkout.stripe_gateway's network calls with the real API's shapes
    (latest_charge as an id string, amount_received set), for tests that need no localstripe."""

    def __init__(self):
        self.intents = {}
        self.refunds = []
        self.created_with_keys = []
        self.fail_refunds = False

    def create_payment_intent(self, *, amount_cents, currency, metadata, idempotency_key):
        self.created_with_keys.append(idempotency_key)
        for intent in self.intents.values():
            if intent["metadata"].get("idempotency_key") == idempotency_key:
                return intent
        intent_id = f"pi_fake_{len(self.intents) + 1}"
        intent = intent_like(
            intent_id,
            amount=amount_cents,
            status="requires_payment_method",
            metadata={**metadata, "idempotency_key": idempotency_key},
        )
        intent["currency"] = currency
        self.intents[intent_id] = intent
        return intent

    def retrieve_payment_intent(self, intent_id):
        """As the store asks for it: the charge expanded, with what has been refunded on it."""
        intent = copy.deepcopy(self.intents[intent_id])
        if isinstance(intent.get("latest_charge"), str):
            refunded = sum(r["amount"] for r in self.refunds if r["payment_intent"] == intent_id)
            intent["latest_charge"] = {
                "id": intent["latest_charge"],
                "object": "charge",
                "amount": intent["amount"],
                "amount_captured": intent["amount_received"],
                "amount_refunded": refunded,
                "refunded": refunded >= intent["amount"],
                "payment_method_details": {"card": {"brand": "visa", "last4": "4242"}},
            }
        return intent

    def succeed(self, intent_id, amount=None):
        intent = self.intents[intent_id]
        charged = intent["amount"] if amount is None else amount
        intent.update(status="succeeded", amount=charged, amount_received=charged, latest_charge=f"ch_{intent_id}")
        return intent

    def cancel_payment_intent(self, intent_id):
        intent = self.intents[intent_id]
        intent.update(status="canceled", cancellation_reason="abandoned")
        return intent

    def fail(self, intent_id, message="Your card was declined."):
        intent = self.intents[intent_id]
        intent.update(
            status="requires_payment_method", last_payment_error={"message": message, "code": "card_declined"}
        )
        return intent

    def create_refund(self, *, intent_id, amount_cents, idempotency_key, metadata=None):
        from checkout.stripe_gateway import PaymentGatewayError

        if self.fail_refunds:
            raise PaymentGatewayError("Stripe is down")
        for refund in self.refunds:
            if refund["idempotency_key"] == idempotency_key:
                return refund
        refund = {
            "id": f"re_fake_{len(self.refunds) + 1}",
            "object": "refund",
            "amount": amount_cents,
            "payment_intent": intent_id,
            "status": "succeeded",
            "idempotency_key": idempotency_key,
            "metadata": dict(metadata or {}),
        }
        self.refunds.append(refund)
        return refund

    def list_refunds(self, intent_id):
        return [refund for refund in self.refunds if refund["payment_intent"] == intent_id]


def start_payment_for(product, quantity=1, *, user=None, email="ada@example.com", method="standard", address=ADDRESS):
    """What the payment page does for a shopper's basket, without the pages before it."""
    from django.contrib.auth.models import AnonymousUser
    from oscar.core.loading import get_class

    from checkout import flow

    basket = Basket.objects.create(owner=user)
    basket.strategy = get_class("partner.strategy", "Selector")().strategy()
    basket.add_product(product, quantity)
    payment, _ = flow.begin_payment(
        basket=basket,
        user=user or AnonymousUser(),
        email=email,
        shipping_address=get_model("order", "ShippingAddress")(country_id="US", **address),
        billing_address=None,
        shipping_method_code=method,
        order_number=str(100000 + basket.id),
        client_ip="127.0.0.1",
    )
    return payment

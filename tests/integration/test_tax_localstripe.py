"""Against localstripe with the real SDK: the PaymentIntent is for the order total with sales tax,
computed on the server, and the placed order is for exactly what was charged."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout import stripe_gateway
from checkout.models import CheckoutPayment, to_cents
from tests.checkout_helpers import pay_with, walk_to_payment
from tests.fixtures.tax import NYC, OREGON

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.mark.parametrize(
    "address, quantity, method, total",
    [
        (NYC, 1, "standard", Decimal("60.91")),  # 49.99 + 5.95 + 4.44 + 0.53
        (NYC, 3, "express", Decimal("185.00")),  # 149.97 + 19.95 + 13.31 + 1.77
        (OREGON, 1, "standard", Decimal("55.94")),  # no tax
    ],
    ids=["nyc", "nyc-express", "oregon"],
)
def test_the_payment_intent_is_for_the_total_with_tax(
    django_app, claw, stripe_settings, django_capture_on_commit_callbacks, address, quantity, method, total
):
    page = walk_to_payment(django_app, claw, quantity=quantity, method=method, address=address)
    payment = CheckoutPayment.objects.get()
    intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
    assert intent["amount"] == to_cents(total) == payment.amount_cents
    assert f"Pay ${total:,}" in page.html.select_one("#pay-button").get_text()

    assert page.forms["payment-form"].submit().json == {"ok": True}  # the Pay button's check
    pay_with(stripe_settings, payment.intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        django_app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id}).follow()

    order = Order.objects.get()
    paid = stripe_gateway.retrieve_payment_intent(payment.intent_id)
    assert paid["status"] == "succeeded"
    assert to_cents(order.total_incl_tax) == paid["amount"] == to_cents(total)
    assert order.sources.get().amount_debited == total
    assert order.total_incl_tax - order.total_excl_tax == order.sales_tax.total

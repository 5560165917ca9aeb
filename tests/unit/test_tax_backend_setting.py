"""TAX_BACKEND: another class with the same calculate() replaces the rate table (a tax service),
and a service that cannot answer stops the payment with a message, never a 500 or a wrong charge."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment
from tax.backends import LineTax, TaxBackend, TaxResult, TaxUnavailable, tax_at
from tests.checkout_helpers import walk_to_payment
from tests.fixtures.tax import NYC, OREGON

pytestmark = pytest.mark.django_db

D = Decimal
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")


class FlatTenPercent(TaxBackend):
    """A stand-in tax service: 10% on goods and shipping wherever the order ships."""

    name = "flat ten"

    def calculate(self, request):
        return TaxResult(
            backend=self.name,
            collected=True,
            state="XX",
            jurisdiction="Everywhere",
            rate=D("10"),
            shipping_taxable=True,
            lines={line.key: tax_at(line.amount, D("10")) for line in request.lines},
            shipping=tax_at(request.shipping, D("10")),
        )


class Down(TaxBackend):
    name = "down"

    def calculate(self, request):
        raise TaxUnavailable("the tax service timed out")


def test_the_setting_swaps_what_decides_the_tax(claw, price_for, settings):
    settings.TAX_BACKEND = f"{__name__}.FlatTenPercent"
    _basket, pricing = price_for(claw, 1, OREGON)  # the rate table would charge nothing here
    assert (pricing.tax.backend, pricing.tax.total) == ("flat ten", D("5.00") + D("0.60"))
    assert pricing.total.incl_tax == D("55.94") + D("5.60")
    assert isinstance(pricing.tax.shipping, LineTax)


def test_a_tax_service_that_cannot_answer_stops_the_payment_page_with_a_message(django_app, claw, settings):
    settings.TAX_BACKEND = f"{__name__}.Down"
    page = walk_to_payment(django_app, claw, address=NYC)
    assert page.status_code == 200
    assert "We could not work out the sales tax for your address just now." in page.text
    total = " ".join(page.html.select_one(".order-summary__total").get_text(" ").split())
    assert total == "Total before sales tax $55.94"
    assert not page.html.select("#pay-button, #demo-pay-button")
    assert not CheckoutPayment.objects.exists()
    assert Basket.objects.get().status == Basket.OPEN


def test_paid_while_the_tax_service_is_down_waits_instead_of_refunding(django_app, claw, fake_stripe, settings):
    walk_to_payment(django_app, claw, address=NYC)
    payment = CheckoutPayment.objects.get()
    fake_stripe.succeed(payment.intent_id)
    settings.TAX_BACKEND = f"{__name__}.Down"
    page = django_app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id})
    assert page.status_code == 200
    assert "your order is placed automatically" in page.text
    payment.refresh_from_db()
    assert (payment.status, Order.objects.count()) == (CheckoutPayment.PENDING, 0)

    # The service is back: the same return (or the webhook, or the sweep) places the order.
    settings.TAX_BACKEND = "tax.backends.RateTable"
    django_app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id}).follow()
    assert Order.objects.get().total_incl_tax == D("60.91")

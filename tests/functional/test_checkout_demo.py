"""The whole checkout in demo mode (DEBUG on, no Stripe keys), as a guest and signed in."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from payments.models import CheckoutPayment
from tests.payments_helpers import walk_to_payment

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    return settings


def basket_count(app, user=None):
    return app.get(reverse("basket:summary"), user=user).html.select_one(".basket-badge")["data-basket-count"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "customer"])
def test_demo_checkout_places_the_order(
    django_app, claw, customer, demo_mode, signed_in, django_capture_on_commit_callbacks
):
    user = customer if signed_in else None
    page = walk_to_payment(django_app, claw, quantity=2, user=user)

    assert page.request.path == reverse("checkout:payment-details")
    assert "Demo payment, no card charged ($99.98)" in page.text  # 2 x 49.99, standard shipping free over $75
    assert "js.stripe.com" not in page.text
    assert Basket.objects.get(pk=CheckoutPayment.objects.get().basket_id).status == Basket.FROZEN

    with django_capture_on_commit_callbacks(execute=True):
        thank_you = page.forms["demo_payment_form"].submit(user=user).follow(user=user)

    order = Order.objects.get()
    assert thank_you.request.path == reverse("checkout:thank-you")
    assert order.number in thank_you.html.select_one("h1").text
    assert order.total_incl_tax == Decimal("99.98")
    assert order.basket.status == Basket.SUBMITTED
    assert (order.user == customer) if signed_in else (order.guest_email == "ada@example.com")
    assert order.shipping_address.state == "IL"
    source = order.sources.get()
    assert (source.source_type.name, source.amount_debited) == ("Stripe", Decimal("99.98"))
    assert source.reference.startswith("demo_")
    assert claw.stockrecords.get().num_allocated == 2
    assert basket_count(django_app, user) == "0"
    assert [m.to for m in mail.outbox] == [[order.email], ["orders@qlclaw.example"]]


def test_demo_mode_is_impossible_with_debug_off(django_app, claw, settings):
    settings.DEBUG = False
    settings.STRIPE_SECRET_KEY = ""
    page = walk_to_payment(django_app, claw)
    assert "Demo payment" not in page.text
    assert page.html.select_one(".alert-danger")  # card payments are not configured: said, not a 500
    response = django_app.post(reverse("checkout:payment-demo"), expect_errors=True)
    assert response.status_code in (403, 404)
    assert not Order.objects.exists()

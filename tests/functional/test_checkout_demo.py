"""The whole checkout in demo mode (DEBUG on, no Stripe keys), as a guest and signed in."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment
from tests.checkout_helpers import walk_to_payment

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


def django_post_decline(page, user=None):
    """The "Demo: decline the card" button: the demo form posted to the button's formaction."""
    form = page.forms["demo_payment_form"]
    button = page.html.select_one("#demo-decline-button")
    assert button["formaction"] == reverse("checkout:payment-demo-decline")
    form.action = button["formaction"]
    return form.submit(user=user)


def post_from(app, page, url, **fields):
    """POST to `url` with the CSRF token of a form on `page`, as a tampering browser would."""
    form = next(f for f in page.forms.values() if "csrfmiddlewaretoken" in f.fields)
    return app.post(url, {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"].value, **fields}, expect_errors=True)


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "customer"])
def test_a_declined_demo_card_keeps_the_basket_and_the_shopper_pays_again(
    django_app, claw, customer, demo_mode, signed_in
):
    user = customer if signed_in else None
    page = walk_to_payment(django_app, claw, quantity=2, user=user)
    assert page.html.select_one("#demo-decline-button").text.strip() == "Demo: decline the card"

    page = django_post_decline(page, user).follow(user=user)

    assert page.request.path == reverse("checkout:payment-details")
    assert page.html.select_one("[role=alert]").text.strip().endswith("Your card was declined.")
    assert not Order.objects.exists()
    payment = CheckoutPayment.objects.get()  # the same row: the shopper pays the same intent again
    assert (payment.status, payment.last_error) == (CheckoutPayment.PENDING, "Your card was declined.")
    basket = Basket.objects.get(pk=payment.basket_id)
    assert basket.num_items == 2 and basket.status == Basket.FROZEN  # frozen again by the payment page

    basket_page = django_app.get(reverse("basket:summary"), user=user)
    assert basket_page.html.select_one(".basket-badge")["data-basket-count"] == "2"
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN  # the basket page gave it back

    page = django_app.get(reverse("checkout:payment-details"), user=user)
    assert "Your card was declined." not in page.text  # said once, not on every visit
    page.forms["demo_payment_form"].submit(user=user).follow(user=user)
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("99.98") and order.basket_id == basket.pk
    assert CheckoutPayment.objects.get().order == order


def test_the_decline_button_is_a_404_outside_demo_mode(django_app, claw, settings):
    settings.DEBUG = False
    settings.STRIPE_SECRET_KEY = ""
    page = walk_to_payment(django_app, claw)
    assert not page.html.select("#demo-decline-button")
    url = reverse("checkout:payment-demo-decline")
    assert post_from(django_app, page, url).status_code == 404
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = "sk_test_real_mode"  # card mode, even with DEBUG on
    assert post_from(django_app, page, url).status_code == 404
    assert not Order.objects.exists() and not CheckoutPayment.objects.exists()


def test_the_decline_button_refuses_bad_requests_without_a_500(django_app, claw, demo_mode):
    url = reverse("checkout:payment-demo-decline")
    assert django_app.get(url, expect_errors=True).status_code == 405
    assert django_app.post(url, expect_errors=True).status_code == 403  # no CSRF token
    # No checkout in this session: sent back with a message (the payment page then asks for a basket).
    response = post_from(django_app, django_app.get("/"), url, newsletter="x" * 5000, payment_intent="pi_other")
    assert response.status_code == 302
    assert response.follow().maybe_follow().status_code == 200
    assert not CheckoutPayment.objects.exists()


def test_the_decline_button_cannot_decline_a_paid_order(django_app, claw, demo_mode):
    page = walk_to_payment(django_app, claw)
    page.forms["demo_payment_form"].submit()
    order = Order.objects.get()
    response = post_from(django_app, django_app.get("/"), reverse("checkout:payment-demo-decline"))
    assert response.status_code == 302
    payment = CheckoutPayment.objects.get()
    assert (payment.status, payment.last_error, payment.order) == (CheckoutPayment.PLACED, "", order)
    assert order.basket.status == Basket.SUBMITTED


def test_the_basket_page_gives_back_a_basket_left_on_the_payment_page(django_app, claw, demo_mode):
    walk_to_payment(django_app, claw, quantity=3)
    payment = CheckoutPayment.objects.get()
    basket = django_app.get(reverse("basket:summary"))
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "3"
    assert "QL Claw" in basket.html.select_one("#content_inner").text
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.OPEN
    # Back to paying: the same basket is frozen again and the same payment reused.
    page = django_app.get(reverse("checkout:payment-details"))
    assert "Demo payment, no card charged" in page.text
    assert CheckoutPayment.objects.get().pk == payment.pk
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.FROZEN

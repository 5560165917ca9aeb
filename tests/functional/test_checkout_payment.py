"""The checkout pages in card (Stripe) mode: what the browser may and may not change."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment
from tests.checkout_helpers import ADDRESS, add_to_basket, walk_to_payment, walk_to_shipping_methods

pytestmark = pytest.mark.django_db


Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")


def return_from_stripe(app, payment, user=None):
    return app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id}, user=user)


def test_the_us_address_form_requires_a_state(django_app, claw, fake_stripe):
    add_to_basket(django_app, claw)
    page = django_app.get(reverse("checkout:index"))
    form = next(f for f in page.forms.values() if "username" in f.fields)
    form["username"] = "ada@example.com"
    page = form.submit().follow()
    form = page.forms["new_shipping_address"]
    for name, value in ADDRESS.items():
        form[name] = value
    form["state"] = ""
    page = form.submit()
    assert page.status_code == 200
    assert "This field is required" in page.html.select_one("#id_state").find_parent(class_="form-group").text
    assert page.forms["new_shipping_address"]["line1"].value == ADDRESS["line1"]  # what was typed is kept


def test_the_payment_page_freezes_the_basket_and_mounts_stripe(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, quantity=1, method="express")
    payment = CheckoutPayment.objects.get()
    assert payment.amount == Decimal("69.94")  # 49.99 + 19.95 express
    assert (payment.shipping_method_code, payment.shipping_charge_incl_tax) == ("express", Decimal("19.95"))
    assert payment.email == "ada@example.com" and payment.user is None
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.FROZEN
    assert "Pay $69.94" in page.text
    assert page.html.select_one("#id_newsletter").get("checked") is None  # unticked by default
    scripts = [tag["src"] for tag in page.html.select("script[src]")]
    assert "https://js.stripe.com/v3/" in scripts
    assert all(not src.startswith(("http:", "https:", "//")) or src == "https://js.stripe.com/v3/" for src in scripts)
    assert not page.html.select("script:not([src])") or all(
        "Stripe" not in tag.text for tag in page.html.select("script:not([src])")
    )
    assert len(page.html.select(".checkout-aside")) == 1


def test_stripe_js_is_not_loaded_anywhere_else(django_app, claw, fake_stripe):
    add_to_basket(django_app, claw)
    for url in ("/", claw.get_absolute_url(), reverse("basket:summary"), reverse("checkout:index")):
        assert "js.stripe.com" not in django_app.get(url).text


def test_posted_amounts_prices_and_quantities_are_ignored(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, quantity=1)
    payment = CheckoutPayment.objects.get()
    response = django_app.post(
        reverse("checkout:payment-prepare"),
        {
            "csrfmiddlewaretoken": page.forms["payment-form"]["csrfmiddlewaretoken"].value,
            "amount": "1",
            "price": "0.01",
            "quantity": "50",
            "total": "0.50",
        },
    )
    assert response.json == {"ok": True}
    payment.refresh_from_db()
    assert payment.amount == Decimal("55.94")
    assert fake_stripe.intents[payment.intent_id]["amount"] == 5594
    assert len(fake_stripe.intents) == 1
    fake_stripe.succeed(payment.intent_id)
    return_from_stripe(django_app, payment).follow()
    order = Order.objects.get()
    assert (order.total_incl_tax, order.lines.get().quantity) == (Decimal("55.94"), 1)


def test_a_basket_changed_after_the_intent_is_refused_then_repriced(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, quantity=1)
    payment = CheckoutPayment.objects.get()
    StockRecord.objects.filter(product=claw).update(price=Decimal("59.99"))  # staff change the price meanwhile
    response = page.forms["payment-form"].submit(expect_errors=True)
    assert response.status_code == 409
    assert response.json["reload"] is True and "total has changed" in response.json["error"]
    page = django_app.get(reverse("checkout:payment-details")).maybe_follow()
    new = CheckoutPayment.objects.exclude(pk=payment.pk).get()
    assert new.amount == Decimal("65.94") and fake_stripe.intents[new.intent_id]["amount"] == 6594
    assert "Pay $65.94" in page.text


def test_oscars_unpaid_place_order_post_is_closed(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw)
    token = page.forms["payment-form"]["csrfmiddlewaretoken"].value
    # Back to an open basket with address and shipping chosen: what Oscar's preview POST needs.
    next(f for f in page.forms.values() if f.action == reverse("checkout:payment-cancel")).submit()
    for url in (reverse("checkout:preview"), reverse("checkout:payment-details")):
        response = django_app.post(url, {"csrfmiddlewaretoken": token, "action": "place_order"}, expect_errors=True)
        assert response.status_code == 405
    assert django_app.get(reverse("checkout:preview")).status_code == 302
    assert not Order.objects.exists()


def test_a_processing_payment_is_explained_not_placed(django_app, claw, fake_stripe):
    walk_to_payment(django_app, claw)
    payment = CheckoutPayment.objects.get()
    fake_stripe.intents[payment.intent_id]["status"] = "processing"
    page = return_from_stripe(django_app, payment)
    assert "still processing" in page.text
    assert not Order.objects.exists()


def test_sold_out_while_paying_tells_the_shopper_clearly(django_app, claw, fake_stripe):
    walk_to_payment(django_app, claw, quantity=3)
    payment = CheckoutPayment.objects.get()
    StockRecord.objects.filter(product=claw).update(num_in_stock=2)
    fake_stripe.succeed(payment.intent_id)
    page = return_from_stripe(django_app, payment)
    assert "sold out while your payment was going through" in page.text
    assert "Only 2 of QL Claw left, 3 wanted." in page.text
    # The refund is recorded before Stripe is asked, and asked once that is committed.
    assert "We are refunding $149.97 to your card" in page.text
    assert not Order.objects.exists()
    basket = django_app.get(reverse("basket:summary"))
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "3"  # the basket is theirs again


def test_change_basket_gives_the_frozen_basket_back(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, quantity=2)
    form = next(f for f in page.forms.values() if f.action == reverse("checkout:payment-cancel"))
    basket = form.submit().follow()
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "2"
    assert Basket.objects.get(pk=CheckoutPayment.objects.get().basket_id).status == Basket.OPEN


def test_coming_back_to_the_payment_page_reuses_the_intent(django_app, claw, fake_stripe):
    walk_to_payment(django_app, claw)
    page = django_app.get(reverse("checkout:payment-details")).maybe_follow()
    assert CheckoutPayment.objects.count() == 1
    assert len(fake_stripe.intents) == 1
    assert "Pay $55.94" in page.text


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_a_payment_page_whose_worker_died_before_the_session_was_saved_keeps_the_basket(
    django_app, claw, customer, fake_stripe, monkeypatch, signed_in
):
    """The payment page's view freezes the basket and makes the payment row, and its transaction
    commits when the view returns; the page is then rendered and the session saved on the way out.
    A worker killed in between (the soak's faults found it) left a frozen basket that the browser's
    session did not know: the reload found an empty basket and sent the shopper to an empty cart."""
    from django.contrib.sessions.middleware import SessionMiddleware

    user = customer if signed_in else None
    page = walk_to_shipping_methods(django_app, claw, quantity=2, user=user)
    method = next(f for f in page.forms.values() if "method_code" in f.fields and f["method_code"].value == "standard")
    to_payment = method.submit(user=user).follow(user=user)  # Oscar's payment-method step redirects on
    assert to_payment.status_code == 302 and to_payment.location.endswith(reverse("checkout:payment-details"))

    def killed(self, request, response):
        raise RuntimeError("worker killed before the session was saved")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="worker killed"):
        patched.setattr(SessionMiddleware, "process_response", killed)
        to_payment.follow(user=user)
    assert Basket.objects.get(pk=CheckoutPayment.objects.get().basket_id).status == Basket.FROZEN

    page = django_app.get(reverse("checkout:payment-details"), user=user).maybe_follow(user=user)
    assert page.request.path == reverse("checkout:payment-details")
    assert page.html.select_one("#payment-form") is not None
    payment = CheckoutPayment.objects.get()  # the same payment, not a second one
    basket = Basket.objects.get(pk=payment.basket_id)
    assert basket.status == Basket.FROZEN and basket.num_items == 2
    assert f"Pay ${payment.amount}" in page.text


def test_a_session_ended_while_the_payment_page_loads_is_a_400_and_nothing_is_frozen(
    django_app, claw, fake_stripe, monkeypatch
):
    """The payment page saves its session in its own transaction: a session deleted meanwhile (a
    sign-out in another tab) is Django's 400, as the session middleware gives, never a 500."""
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    page = walk_to_shipping_methods(django_app, claw)
    method = next(f for f in page.forms.values() if "method_code" in f.fields and f["method_code"].value == "standard")
    to_payment = method.submit().follow()

    def gone(self, must_create=False):
        raise UpdateError

    monkeypatch.setattr(SessionStore, "save", gone)
    response = to_payment.follow(expect_errors=True)
    assert response.status_code == 400
    assert not CheckoutPayment.objects.exists()  # rolled back with the view
    assert not Basket.objects.filter(status=Basket.FROZEN).exists()


def test_signed_in_checkout_pays_and_shows_the_order(django_app, claw, customer, fake_stripe):
    walk_to_payment(django_app, claw, user=customer)
    payment = CheckoutPayment.objects.get()
    assert (payment.user, payment.email) == (customer, customer.email)
    fake_stripe.succeed(payment.intent_id)
    thank_you = return_from_stripe(django_app, payment, user=customer).follow(user=customer)
    order = Order.objects.get()
    assert order.user == customer and order.number in thank_you.text
    assert len(thank_you.html.select(".checkout-aside")) == 1
    assert len(thank_you.html.select(".order-totals")) == 1  # the order's totals once, not wrapped twice
    status = django_app.get(reverse("customer:order", kwargs={"order_number": order.number}), user=customer)
    assert len(status.html.select(".checkout-aside")) == 1
    assert len(status.html.select(".checkout-main")) == 1


def test_guest_order_status_page_has_the_video_panel(django_app, claw, fake_stripe):
    walk_to_payment(django_app, claw)
    payment = CheckoutPayment.objects.get()
    fake_stripe.succeed(payment.intent_id)
    return_from_stripe(django_app, payment).follow()
    order = Order.objects.get()
    url = reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})
    form = django_app.get(url).follow().forms[1]  # Oscar asks the guest for the order's email first
    form["email"] = "ada@example.com"
    page = form.submit().maybe_follow()
    assert order.number in page.text
    assert len(page.html.select(".checkout-aside")) == len(page.html.select(".checkout-main")) == 1


def test_basket_page_has_the_video_panel_outside_the_ajax_area(django_app, claw):
    add_to_basket(django_app, claw)
    page = django_app.get(reverse("basket:summary"))
    [panel] = page.html.select(".checkout-aside")
    assert panel.find_parent(id="content_inner") is None
    assert len(page.html.select("#basket_formset")) == 1
    assert page.html.select_one("#content_inner #basket_formset") is not None


def test_a_declined_card_on_return_is_recorded_like_the_failure_webhook(django_app, claw, fake_stripe):
    walk_to_payment(django_app, claw, quantity=2)
    payment = CheckoutPayment.objects.get()
    fake_stripe.fail(payment.intent_id, "Your card has insufficient funds.")
    page = return_from_stripe(django_app, payment).follow()
    assert "Your card has insufficient funds." in page.html.select_one("[role=alert]").text
    payment.refresh_from_db()
    assert (payment.status, payment.last_error) == (CheckoutPayment.PENDING, "Your card has insufficient funds.")
    assert not Order.objects.exists()
    basket = django_app.get(reverse("basket:summary"))
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "2"


def test_demo_declines_exist_only_in_demo_mode(settings):
    from checkout import stripe_gateway

    settings.DEBUG, settings.STRIPE_SECRET_KEY = True, ""
    intent = stripe_gateway.decline_demo_payment("demo_pi_abc")
    assert intent["status"] in stripe_gateway.PAYABLE_STATUSES
    assert intent["last_payment_error"]["code"] == "card_declined"
    with pytest.raises(stripe_gateway.PaymentGatewayError):
        stripe_gateway.decline_demo_payment("pi_real_one")
    settings.DEBUG = False
    with pytest.raises(stripe_gateway.PaymentGatewayError):
        stripe_gateway.decline_demo_payment("demo_pi_abc")

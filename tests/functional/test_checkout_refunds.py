"""Refunds from the Oscar dashboard's order page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.core.loading import get_model

from checkout import placement
from tests.checkout_helpers import start_payment_for

pytestmark = pytest.mark.django_db


Transaction = get_model("payment", "Transaction")


@pytest.fixture
def order(claw, fake_stripe):
    payment = start_payment_for(claw, 1)  # $55.94
    return placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id)).order


def order_page(app, order, user):
    return app.get(reverse("dashboard:order-detail", kwargs={"number": order.number}), user=user)


def refund_form(page, order):
    url = reverse("payments:order-refund", args=[order.number])
    [form] = [f for f in page.forms.values() if f.action == url]  # exactly one on the page
    return form


def test_partial_then_whole_refund(django_app, order, staff_user, fake_stripe):
    page = order_page(django_app, order, staff_user)
    form = refund_form(page, order)
    assert form["amount"].value == "55.94"
    form["amount"] = "10.00"
    page = form.submit(user=staff_user).follow(user=staff_user)
    assert "Refunded $10.00" in page.text
    assert fake_stripe.refunds[0]["amount"] == 1000
    assert fake_stripe.refunds[0]["idempotency_key"].startswith(f"qlclaw-refund-{order.checkout_payment.intent_id}-")
    source = order.sources.get()
    assert source.amount_refunded == Decimal("10.00")
    refund = Transaction.objects.get(txn_type="Refund")
    assert (refund.amount, refund.reference) == (Decimal("10.00"), fake_stripe.refunds[0]["id"])
    assert order.payment_events.filter(event_type__name="Refunded").count() == 1
    assert "Refunded $10.00 through Stripe" in order.notes.get().message

    form = refund_form(page, order)
    assert form["amount"].value == "45.94"
    form.submit(user=staff_user).follow(user=staff_user)
    source.refresh_from_db()
    assert source.amount_refunded == Decimal("55.94")
    assert [r["amount"] for r in fake_stripe.refunds] == [1000, 4594]
    page = order_page(django_app, order, staff_user)
    assert "refunded in full" in page.text


def test_over_refund_is_a_form_error_not_a_500(django_app, order, staff_user, fake_stripe):
    form = refund_form(order_page(django_app, order, staff_user), order)
    form["amount"] = "55.95"
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert "At most $55.94 can be refunded" in page.html.select_one(".invalid-feedback").text
    assert refund_form(page, order)["amount"].value == "55.95"  # what was typed is kept
    assert not fake_stripe.refunds
    assert not Transaction.objects.filter(txn_type="Refund").exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", ""])
def test_nonsense_amounts_are_form_errors(django_app, order, staff_user, fake_stripe, amount):
    form = refund_form(order_page(django_app, order, staff_user), order)
    form["amount"] = amount
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert page.html.select_one(".invalid-feedback")
    assert not fake_stripe.refunds


def test_submitting_the_same_form_twice_refunds_once(django_app, order, staff_user, fake_stripe):
    form = refund_form(order_page(django_app, order, staff_user), order)
    form["amount"] = "20.00"
    form.submit(user=staff_user)
    form.submit(user=staff_user, expect_errors=True)  # a double click, same token
    assert len(fake_stripe.refunds) == 1
    assert order.sources.get().amount_refunded == Decimal("20.00")


def test_stripe_refusing_is_shown_on_the_form(django_app, order, staff_user, fake_stripe):
    fake_stripe.fail_refunds = True
    form = refund_form(order_page(django_app, order, staff_user), order)
    form["amount"] = "5.00"
    page = form.submit(user=staff_user, expect_errors=True)
    assert page.status_code == 400
    assert "Stripe did not refund: Stripe is down" in page.text
    assert order.sources.get().amount_refunded == 0
    retry = refund_form(page, order)
    assert retry["amount"].value == "5.00"
    assert retry["token"].value != form["token"].value  # a spent idempotency key is not reused
    fake_stripe.fail_refunds = False
    retry.submit(user=staff_user).follow(user=staff_user)
    assert order.sources.get().amount_refunded == Decimal("5.00")


def test_only_staff_with_order_permissions_can_refund(django_app, order, customer, staff_user, fake_stripe):
    url = reverse("payments:order-refund", args=[order.number])
    page = order_page(django_app, order, staff_user)
    token = refund_form(page, order)["csrfmiddlewaretoken"].value
    data = {"amount": "5.00", "token": "5b8a8a2e-8f8a-4c3e-9d59-6f2d5c9e7a10", "csrfmiddlewaretoken": token}
    assert django_app.post(url, data, user=customer, expect_errors=True).status_code == 403
    staff_user.groups.clear()
    staff_user.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert django_app.post(url, data, user=staff_user, expect_errors=True).status_code == 403
    assert not fake_stripe.refunds
    page = order_page(django_app, order, staff_user)  # may see the order, not the refund form
    assert not page.html.select("form.refund-form")

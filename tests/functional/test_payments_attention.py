"""Fulfilment > Payments needing attention, in the dashboard."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout import placement
from checkout.models import CheckoutPayment, PaymentDispute
from tests.checkout_helpers import start_payment_for

pytestmark = pytest.mark.django_db


StockRecord = get_model("partner", "StockRecord")
URL = reverse("payments-dashboard:attention")


def test_staff_see_unfinished_refunds_and_open_chargebacks(django_app, claw, staff_user, fake_stripe):
    stuck = start_payment_for(claw, 2, email="stuck@example.com")
    StockRecord.objects.filter(product=claw).update(num_in_stock=1)
    fake_stripe.fail_refunds = True
    placement.place_order_for_payment_intent(fake_stripe.succeed(stuck.intent_id))  # refund recorded, not done
    StockRecord.objects.filter(product=claw).update(num_in_stock=10)
    paid = start_payment_for(claw, 1, email="disputer@example.com")
    order = placement.place_order_for_payment_intent(fake_stripe.succeed(paid.intent_id)).order
    PaymentDispute.objects.create(
        payment=paid, dispute_id="dp_1", amount="55.94", reason="fraudulent", status="needs_response"
    )
    PaymentDispute.objects.create(payment=paid, dispute_id="dp_old", amount="1.00", reason="general", status="won")

    page = django_app.get(URL, user=staff_user)
    assert page.status_code == 200
    refunding = page.html.select_one("table[aria-labelledby=refunding]").text
    assert stuck.intent_id in refunding and "$99.98" in refunding
    assert "Stock ran out" in refunding
    disputes = page.html.select_one("table[aria-labelledby=disputes]").text
    assert "dp_1" in disputes and order.number in disputes and "dp_old" not in disputes
    assert CheckoutPayment.objects.get(pk=stuck.pk).status == CheckoutPayment.REFUNDING
    # The menu leads there.
    dashboard = django_app.get(reverse("dashboard:index"), user=staff_user)
    assert URL in [a["href"] for a in dashboard.html.select("a[href]")]


def test_customers_and_staff_without_order_permissions_are_kept_out(
    django_app, db, customer, staff_without_permissions
):
    assert django_app.get(URL, user=customer, expect_errors=True).status_code == 403
    assert django_app.get(URL, user=staff_without_permissions, expect_errors=True).status_code == 403

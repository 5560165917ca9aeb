"""Sales tax through the whole checkout (WebTest, demo mode): shown on the shipping-method step,
the payment step, the thank-you page, the order status page and the emails, charged, and
recorded on the order. The demo rates: New York City 8.875% and the rest of New York 4%, both
with shipping taxed; California 7.25% without; Oregon not collected."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment
from tax.models import LocalRate, OrderTax, StateRate
from tests.checkout_helpers import add_to_basket, walk_to_payment, walk_to_shipping_methods
from tests.fixtures.tax import CALIFORNIA, NYC, OREGON, UPSTATE_NY

pytestmark = pytest.mark.django_db

D = Decimal
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")


def text_of(page, selector):
    return " ".join(page.html.select_one(selector).get_text(" ").split())


def guest_order_page(app, order):
    url = reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})
    form = app.get(url).follow().forms[1]  # Oscar asks the guest for the order's email first
    form["email"] = order.email
    return form.submit().maybe_follow()


def pay_in_demo_mode(app, page, capture, user=None):
    with capture(execute=True):
        return page.forms["demo_payment_form"].submit(user=user).follow(user=user)


def test_the_basket_shows_prices_before_tax_even_for_a_new_york_address_book(django_app, claw, customer):
    UserAddress = get_model("address", "UserAddress")
    UserAddress.objects.create(user=customer, country_id="US", is_default_for_shipping=True, **NYC)
    add_to_basket(django_app, claw, user=customer)
    page = django_app.get(reverse("basket:summary"), user=customer)
    totals = " ".join(page.html.select_one("#basket_totals").get_text(" ").split())
    assert "Subtotal $49.99" in totals and "Sales tax At checkout" in totals
    assert text_of(page, ".order-summary__total") == "Estimated total $55.94"
    assert text_of(page, ".order-summary__note").startswith("Plus tax where applicable")


def test_new_york_city_sees_pays_and_records_the_tax(
    django_app, claw, demo_checkout, django_capture_on_commit_callbacks
):
    page = walk_to_shipping_methods(django_app, claw, address=NYC)
    # The shipping-method step: the items' tax, and each option's own.
    assert text_of(page, "#order-summary-tax") == "Sales tax (New York City, NY, 8.875%) on the items $4.44"
    options = {o.select_one("h2").get_text(" ", strip=True): o for o in page.html.select(".shipping-option")}
    standard = next(o for name, o in options.items() if name.startswith("Standard"))
    express = next(o for name, o in options.items() if name.startswith("Express"))
    assert " ".join(standard.select_one(".shipping-option__price").get_text(" ").split()) == "$5.95 + $0.53 tax"
    assert " ".join(express.select_one(".shipping-option__price").get_text(" ").split()) == "$19.95 + $1.77 tax"

    form = next(f for f in page.forms.values() if "method_code" in f.fields and f["method_code"].value == "standard")
    page = form.submit().maybe_follow()
    # The payment step: prices before tax, the tax line, the total with tax, charged.
    lines = [" ".join(li.get_text(" ").split()) for li in page.html.select(".order-summary__lines li")]
    assert lines == ["1 × QL Claw $49.99"]
    assert text_of(page, "#order-summary-shipping") == "Standard shipping (3-5 business days) $5.95"
    assert text_of(page, "#order-summary-tax") == "Sales tax (New York City, NY, 8.875%) $4.97"
    assert text_of(page, ".order-summary__total") == "Total $60.91"
    assert "Demo payment, no card charged ($60.91)" in page.text
    assert CheckoutPayment.objects.get().amount == D("60.91")

    thank_you = pay_in_demo_mode(django_app, page, django_capture_on_commit_callbacks)
    order = Order.objects.get()
    assert (order.total_excl_tax, order.total_incl_tax) == (D("55.94"), D("60.91"))
    assert (order.shipping_excl_tax, order.shipping_incl_tax) == (D("5.95"), D("6.48"))
    line = order.lines.get()
    assert (line.line_price_excl_tax, line.line_price_incl_tax) == (D("49.99"), D("54.43"))
    assert order.sources.get().amount_debited == D("60.91")
    recorded = order.sales_tax
    assert (recorded.collected, recorded.state, recorded.jurisdiction, recorded.rate) == (
        True, "NY", "New York City, NY", D("8.875"),
    )  # fmt: skip
    assert (recorded.lines_tax, recorded.shipping_tax, recorded.taxable_amount) == (D("4.44"), D("0.53"), D("55.94"))
    assert [(t.line_id, t.tax, t.rate) for t in recorded.lines.all()] == [(line.pk, D("4.44"), D("8.875"))]

    assert text_of(thank_you, "#order-tax") == "Sales tax (New York City, NY, 8.875%) $4.97"
    assert "$49.99" in text_of(thank_you, ".order-lines")  # the line before tax

    # The order status page a guest opens from the email, and both emails.
    [confirmation] = [m for m in mail.outbox if m.to == [order.email]]
    assert "Sales tax (New York City, NY, 8.875%): $4.97" in confirmation.body
    assert "Order total: $60.91" in confirmation.body
    html = next(content for content, kind in confirmation.alternatives if kind == "text/html")
    assert "Sales tax (New York City, NY, 8.875%)" in html and "$4.97" in html
    [staff] = [m for m in mail.outbox if m.to == ["orders@qlclaw.example"]]
    assert "Sales tax (New York City, NY, 8.875%): $4.97" in staff.body
    status = guest_order_page(django_app, order)
    assert len(status.html.select("#order-tax")) == 1
    assert text_of(status, "#order-tax") == "Sales tax (New York City, NY, 8.875%) $4.97"


@pytest.mark.parametrize(
    "address, tax, total, label, note",
    [
        # 49.99 x 4% = 2.00, 5.95 x 4% = 0.24
        (UPSTATE_NY, D("2.24"), D("58.18"), "Sales tax (New York, 4%)", ""),
        # 49.99 x 7.25% = 3.62; shipping not taxed in California
        (CALIFORNIA, D("3.62"), D("59.56"), "Sales tax (California, 7.25%)", ""),
        (OREGON, D("0.00"), D("55.94"), "Sales tax", "We do not collect sales tax on orders shipped to Oregon."),
    ],
    ids=["upstate-new-york", "california", "oregon"],  # a state outside the list: test_checkout_pages
)
def test_each_destination_pays_its_own_tax(
    django_app, claw, demo_checkout, django_capture_on_commit_callbacks, address, tax, total, label, note
):
    page = walk_to_payment(django_app, claw, address=address)
    tax_line = " ".join(page.html.select_one("#order-summary-tax").get_text(" ").split())
    assert tax_line == f"{label} ${tax}"
    assert text_of(page, ".order-summary__total") == f"Total ${total}"
    if note:
        assert text_of(page, ".order-summary__note") == note

    thank_you = pay_in_demo_mode(django_app, page, django_capture_on_commit_callbacks)
    order = Order.objects.get()
    assert order.total_incl_tax == total
    assert order.total_incl_tax - order.total_excl_tax == tax == order.sales_tax.total
    assert order.sales_tax.collected is bool(tax)
    assert text_of(thank_you, "#order-tax").startswith(f"{label}{' ' + note if note else ''}")
    [confirmation] = [m for m in mail.outbox if m.to == [order.email]]
    assert f"{label}: ${tax}" in confirmation.body


def test_the_signed_in_order_page_shows_the_tax_once(
    django_app, claw, customer, demo_checkout, django_capture_on_commit_callbacks
):
    page = walk_to_payment(django_app, claw, user=customer, address=NYC)
    pay_in_demo_mode(django_app, page, django_capture_on_commit_callbacks, user=customer)
    order = Order.objects.get()
    status = django_app.get(reverse("customer:order", kwargs={"order_number": order.number}), user=customer)
    rows = status.html.select("#order-tax")
    assert len(rows) == 1
    assert " ".join(rows[0].get_text(" ").split()) == "Sales tax (New York City, NY, 8.875%) $4.97"


def test_a_changed_address_changes_the_tax_and_the_amount_before_payment(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, address=NYC)
    first = CheckoutPayment.objects.get()
    assert (first.amount, fake_stripe.intents[first.intent_id]["amount"]) == (D("60.91"), 6091)

    # "Change" beside the address on the payment page: the frozen basket is given back (on the
    # basket page, where the checkout sends a basket it cannot see), then a new address in Oregon.
    page.click(href=reverse("checkout:shipping-address"), index=0).maybe_follow()
    page = django_app.get(reverse("checkout:shipping-address"))
    form = page.forms["new_shipping_address"]
    assert form["postcode"].value == NYC["postcode"]
    for name, value in OREGON.items():
        form[name] = value
    page = form.submit().follow()
    form = next(f for f in page.forms.values() if "method_code" in f.fields and f["method_code"].value == "standard")
    page = form.submit().maybe_follow()

    second = CheckoutPayment.objects.exclude(pk=first.pk).get()
    assert (second.amount, fake_stripe.intents[second.intent_id]["amount"]) == (D("55.94"), 5594)
    assert second.shipping_address["state"] == "OR"
    assert text_of(page, ".order-summary__total") == "Total $55.94"
    assert page.forms["payment-form"].submit().json == {"ok": True}  # the Pay button's check agrees

    fake_stripe.succeed(second.intent_id)
    django_app.get(reverse("checkout:payment-return"), {"payment_intent": second.intent_id}).follow()
    order = Order.objects.get()
    assert (order.total_incl_tax, order.sales_tax.collected) == (D("55.94"), False)


def test_a_rate_staff_change_applies_to_the_next_checkout_and_not_to_placed_orders(
    django_app, claw, staff_user, order_to, fake_stripe
):
    before = order_to(NYC)
    assert before.sales_tax.rate == D("8.875")

    page = django_app.get(reverse("tax-dashboard:rate-edit", kwargs={"state": "NY"}), user=staff_user)
    form = page.forms["state_rate_form"]
    prefixes = {form[f"local-{i}-zip_prefix"].value: i for i in range(3)}
    for prefix in ("100", "101", "102"):
        form[f"local-{prefixes[prefix]}-rate"] = "9"
    form.submit(user=staff_user).follow(user=staff_user)
    assert set(LocalRate.objects.values_list("rate", flat=True)) == {D("9")}

    django_app.reset()  # a shopper now, not the member of staff
    page = walk_to_payment(django_app, claw, address=NYC)
    # 49.99 x 9% = 4.50, 5.95 x 9% = 0.54
    assert text_of(page, "#order-summary-tax") == "Sales tax (New York City, NY, 9%) $5.04"
    payment = CheckoutPayment.objects.exclude(order=before).get()
    assert fake_stripe.intents[payment.intent_id]["amount"] == 6098
    fake_stripe.succeed(payment.intent_id)
    django_app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id}).follow()
    after = Order.objects.exclude(pk=before.pk).get()
    assert (after.total_incl_tax, after.sales_tax.rate) == (D("60.98"), D("9"))

    # The first order keeps what it was charged, on its record and on its page.
    before.refresh_from_db()
    assert (before.total_incl_tax, OrderTax.objects.get(order=before).rate) == (D("60.91"), D("8.875"))
    status = guest_order_page(django_app, before)
    assert text_of(status, "#order-tax") == "Sales tax (New York City, NY, 8.875%) $4.97"
    assert StateRate.objects.get(state="NY").rate == D("4")

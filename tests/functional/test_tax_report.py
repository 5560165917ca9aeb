"""The tax a refund gives back, and Sales tax > Tax collected: per state and month, from the
orders, adding up to the orders' own totals, with its CSV."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout import refunds
from tax.models import OrderTax, RefundTax
from tax.report import tax_report
from tests.checkout_helpers import ADDRESS
from tests.fixtures.tax import CALIFORNIA, NYC, OREGON

pytestmark = pytest.mark.django_db

D = Decimal
Order = get_model("order", "Order")
NEW_YORK_TIME = ZoneInfo("America/New_York")


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=NEW_YORK_TIME)


def test_a_partial_refund_gives_back_its_share_of_the_tax(order_to, staff_user, fake_stripe):
    order = order_to(NYC)  # $60.91, of which $4.97 tax
    refunds.refund_order(order, D("20.00"), user=staff_user, token="first")
    # 20.00 x 4.97 / 60.91 = 1.6319 -> 1.63
    assert list(RefundTax.objects.values_list("amount", "tax")) == [(D("20.00"), D("1.63"))]
    first = fake_stripe.refunds[0]["id"]
    assert order.notes.get().message == f"Refunded $20.00 through Stripe ({first}), of which $1.63 sales tax, by staff."

    # The rest of the order gives back the rest of the tax, so no cent is lost to rounding.
    refunds.refund_order(order, D("40.91"), user=staff_user, token="second")
    assert list(RefundTax.objects.values_list("amount", "tax")) == [(D("20.00"), D("1.63")), (D("40.91"), D("3.34"))]
    assert sum(RefundTax.objects.values_list("tax", flat=True)) == order.total_incl_tax - order.total_excl_tax

    # The same refund reported again (Stripe's charge.refunded) is not counted twice.
    charge = {"payment_intent": order.checkout_payment.intent_id, "refunds": {"data": fake_stripe.refunds}}
    assert refunds.record_refunds_for_charge(charge) == 0
    assert RefundTax.objects.count() == 2


def test_an_untaxed_order_refunds_no_tax_and_its_note_says_nothing_of_tax(order_to, staff_user):
    order = order_to(ADDRESS)  # Illinois: the demo store does not collect there
    refunds.refund_order(order, D("10.00"), user=staff_user, token="first")
    assert RefundTax.objects.get().tax == D("0.00")
    assert "sales tax" not in order.notes.get().message


@pytest.fixture
def orders(order_to, staff_user):
    """March and April 2025: New York City, California, Oregon and Illinois orders; in April, a
    partial refund of March's first New York order and a whole refund of the California one."""
    march_nyc = order_to(NYC, quantity=3)  # $163.28: 149.97 + 13.31 tax, free shipping
    march_nyc_2 = order_to(NYC)  # $60.91: 55.94 + 4.97 tax
    april_nyc = order_to(NYC, method="express")  # 49.99 + 19.95 + 4.44 + 1.77 = $76.15
    march_ca = order_to(CALIFORNIA)  # 55.94 + 3.62 = $59.56
    april_or = order_to(OREGON)  # $55.94
    march_il = order_to(ADDRESS)  # $55.94
    for order, when in [
        (march_nyc, at(2025, 3, 1, 0)), (march_nyc_2, at(2025, 3, 31, 23)), (april_nyc, at(2025, 4, 2)),
        (march_ca, at(2025, 3, 15)), (april_or, at(2025, 4, 30, 23)), (march_il, at(2025, 3, 20)),
    ]:  # fmt: skip
        Order.objects.filter(pk=order.pk).update(date_placed=when)
    refunds.refund_order(march_nyc, D("50.00"), user=staff_user, token="partial")
    refunds.refund_order(march_ca, D("59.56"), user=staff_user, token="whole")
    RefundTax.objects.update(date_created=at(2025, 4, 10))
    return [march_nyc, march_nyc_2, april_nyc, march_ca, april_or, march_il]


def test_the_report_adds_up_to_the_orders(orders):
    report = tax_report(datetime.date(2025, 3, 1), datetime.date(2025, 4, 1))
    rows = {(f"{row.month:%Y-%m}", row.state): row for row in report.rows}
    assert set(rows) == {("2025-03", "NY"), ("2025-03", "CA"), ("2025-03", "IL"), ("2025-04", "NY"),
                         ("2025-04", "OR"), ("2025-04", "CA")}  # fmt: skip

    march_ny = rows["2025-03", "NY"]
    assert (march_ny.orders, march_ny.sales, march_ny.taxable, march_ny.tax) == (
        2, D("149.97") + D("55.94"), D("149.97") + D("55.94"), D("13.31") + D("4.97"),
    )  # fmt: skip
    assert march_ny.refunded_tax == D("0.00")  # refunds count in the month the money went back
    april_ny = rows["2025-04", "NY"]
    # 50.00 x 13.31 / 163.28 = 4.0758 -> 4.08
    assert (april_ny.orders, april_ny.tax, april_ny.refunded_tax) == (1, D("6.21"), D("4.08"))
    assert april_ny.net_tax == D("2.13")
    assert (rows["2025-03", "CA"].taxable, rows["2025-03", "CA"].tax) == (D("49.99"), D("3.62"))  # shipping untaxed
    assert (rows["2025-04", "CA"].orders, rows["2025-04", "CA"].refunded_tax) == (0, D("3.62"))
    assert (rows["2025-04", "OR"].sales, rows["2025-04", "OR"].taxable, rows["2025-04", "OR"].tax) == (
        D("55.94"), D("0.00"), D("0.00"),
    )  # fmt: skip

    # The report's sums are the orders' sums.
    placed = Order.objects.filter(pk__in=[o.pk for o in orders])
    totals = report.totals
    assert totals.orders == placed.count() == 6
    assert totals.sales == sum(o.total_excl_tax for o in placed)
    assert totals.tax == sum(o.total_incl_tax - o.total_excl_tax for o in placed)
    assert totals.tax == sum(t.lines_tax + t.shipping_tax for t in OrderTax.objects.all())
    assert totals.taxable == sum(OrderTax.objects.values_list("taxable_amount", flat=True))
    assert totals.refunded_tax == sum(RefundTax.objects.values_list("tax", flat=True)) == D("7.70")


def test_the_report_page_and_its_csv(django_app, staff_user, orders):
    page = django_app.get(reverse("tax-dashboard:report"), {"start": "2025-03", "end": "2025-04"}, user=staff_user)
    table = page.html.select_one("#tax-report")
    shown = {(row["data-month"], row["data-state"]) for row in table.select("tbody tr")}
    assert ("2025-03", "NY") in shown and len(shown) == 6
    total = " ".join(page.html.select_one("#tax-report-total").get_text(" ").split())
    # Sales 149.97 + 55.94 + 69.94 + 3 x 55.94; taxable: New York's and California's goods, New
    # York's shipping; tax 13.31 + 4.97 + 6.21 + 3.62; refunded 4.08 + 3.62.
    assert total == "Total 6 $443.67 $325.84 $28.11 $7.70 $20.41"

    export = page.click(href=reverse("tax-dashboard:report-csv"))
    assert export.content_type == "text/csv"
    assert 'filename="sales-tax-2025-03-to-2025-04.csv"' in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 6
    new_york = next(r for r in rows if (r["month"], r["state"]) == ("2025-04", "NY"))
    assert new_york == {
        "month": "2025-04", "state": "NY", "state_name": "New York (NY)", "orders": "1", "sales_before_tax": "69.94",
        "taxable_sales": "69.94", "tax_collected": "6.21", "tax_refunded": "4.08", "net_tax": "2.13",
    }  # fmt: skip
    assert sum(D(r["tax_collected"]) for r in rows) == D("28.11")


def test_the_report_for_one_state(django_app, staff_user, orders):
    page = django_app.get(
        reverse("tax-dashboard:report"), {"start": "2025-03", "end": "2025-04", "state": "new york"}, user=staff_user
    )
    assert {row["data-state"] for row in page.html.select("#tax-report tbody tr")} == {"NY"}
    export = django_app.get(
        reverse("tax-dashboard:report-csv"), {"start": "2025-03", "end": "2025-04", "state": "NY"}, user=staff_user
    )
    assert {r["state"] for r in csv.DictReader(io.StringIO(export.text))} == {"NY"}


def test_unfiltered_the_report_shows_the_last_twelve_months_and_says_so(django_app, staff_user, orders):
    from django.utils import timezone

    page = django_app.get(reverse("tax-dashboard:report"), user=staff_user)
    form = page.forms["tax-report-filter"]
    this_month = timezone.localdate().replace(day=1)
    assert form["end"].value == f"{this_month:%Y-%m}"
    eleven_before = this_month.year * 12 + this_month.month - 1 - 11
    assert form["start"].value == f"{eleven_before // 12}-{eleven_before % 12 + 1:02d}"
    assert page.html.select_one("#tax-report caption").get_text(strip=True).startswith("From ")


@pytest.mark.parametrize(
    "params, field, error",
    [
        ({"start": "2025-13"}, "start", "“2025-13” is not a month: type it as YYYY-MM, e.g. 2025-03."),
        ({"start": "2025-05", "end": "2025-03"}, "end", "The last month comes before the first one."),
        ({"state": "Atlantis"}, "state", "“Atlantis” is not a US state. Type its two-letter code, e.g. NY."),
    ],
)
def test_a_bad_filter_is_an_error_that_keeps_what_was_typed(django_app, staff_user, params, field, error):
    page = django_app.get(reverse("tax-dashboard:report"), params, user=staff_user)
    assert error in page.text
    assert page.forms["tax-report-filter"][field].value == params[field]
    assert "the table shows the last twelve months" in page.text

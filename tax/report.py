"""Sales tax per state and month, read from the orders themselves: what each order was charged
(Oscar's totals, with and without tax), its taxable amount and state (OrderTax), and the tax
share of each refund (RefundTax), counted in the month the money went back.

No running ledger: change or add an order's record and the report follows.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, Upper
from django.utils import timezone
from oscar.core.loading import get_model

from tax.models import RefundTax
from tax.states import STATES, state_code, state_name

Order = get_model("order", "Order")
ZERO = Decimal("0.00")


@dataclass
class Row:
    month: datetime.date
    state: str
    orders: int = 0
    sales: Decimal = ZERO  # order totals before tax
    taxable: Decimal = ZERO
    tax: Decimal = ZERO
    refunded_tax: Decimal = ZERO

    @property
    def state_label(self):
        if self.state in STATES:
            return f"{state_name(self.state)} ({self.state})"
        return f"No US state ({self.state})" if self.state else "No US state"

    @property
    def net_tax(self):
        return self.tax - self.refunded_tax


@dataclass
class Report:
    start: datetime.date
    end: datetime.date  # the first day of the last month
    rows: list = field(default_factory=list)

    @property
    def totals(self):
        total = Row(month=self.start, state="")
        for row in self.rows:
            total.orders += row.orders
            total.sales += row.sales
            total.taxable += row.taxable
            total.tax += row.tax
            total.refunded_tax += row.refunded_tax
        return total


def tax_report(start, end, state=""):
    """Rows per (month, state) from the first day of `start`'s month to the end of `end`'s, in
    the store's time zone; months and states with nothing in them are left out."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(_next_month(end), datetime.time.min, tzinfo=tz)
    # Orders placed before the store charged tax have no OrderTax: their state as typed.
    order_state = Coalesce(F("sales_tax__state"), Upper("shipping_address__state"), Value(""))
    orders = (
        Order.objects.filter(date_placed__gte=since, date_placed__lt=until)
        .annotate(tax_state=order_state, month=TruncMonth("date_placed", tzinfo=tz))
        .values("month", "tax_state")
        .annotate(
            orders=Count("pk"),
            sales=Sum("total_excl_tax"),
            with_tax=Sum("total_incl_tax"),
            taxable=Sum("sales_tax__taxable_amount"),
        )
    )
    refunds = (
        RefundTax.objects.filter(date_created__gte=since, date_created__lt=until)
        .annotate(
            tax_state=Coalesce(F("order__sales_tax__state"), Upper("order__shipping_address__state"), Value("")),
            month=TruncMonth("date_created", tzinfo=tz),
        )
        .values("month", "tax_state")
        .annotate(refunded_tax=Sum("tax"))
    )
    rows = {}

    def row_for(item):
        typed = item["tax_state"] or ""
        key = (_as_date(item["month"]), state_code(typed) or typed)
        return rows.setdefault(key, Row(month=key[0], state=key[1]))

    for item in orders:
        row = row_for(item)
        row.orders += item["orders"]
        row.sales += cents(item["sales"])
        row.taxable += cents(item["taxable"])
        row.tax += cents(item["with_tax"]) - cents(item["sales"])
    for item in refunds:
        row_for(item).refunded_tax += cents(item["refunded_tax"])
    return Report(start=start, end=end, rows=[rows[key] for key in sorted(rows) if not state or key[1] == state])


def cents(amount):
    """A sum from the database as exact cents (SQLite adds decimals as floats)."""
    return Decimal(amount or 0).quantize(Decimal("0.01"))


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _next_month(month):
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)

"""What decides the tax: a backend takes a TaxRequest (where the order ships, what each line and
the shipping cost after discounts) and answers a TaxResult (the tax on each line and on shipping).

`settings.TAX_BACKEND` names the class. The default, RateTable, reads the rates staff keep in the
dashboard and needs no network. A tax service (Stripe Tax, Avalara, TaxJar...) plugs in as another
class with the same `calculate()`; docs/tax.md shows how.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from tax.states import state_code, state_name, zip5

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class TaxUnavailable(Exception):
    """The backend cannot answer now (a tax service is down). Nothing may be charged until it can."""


@dataclass(frozen=True)
class TaxLine:
    key: object  # the basket line's id: the result answers per key
    product_id: int | None
    sku: str
    quantity: int
    amount: Decimal  # the line's price after discounts, before tax


@dataclass(frozen=True)
class TaxRequest:
    currency: str
    country: str
    state: str  # as the shopper typed it
    postcode: str
    lines: tuple[TaxLine, ...]
    shipping: Decimal  # the shipping charge after discounts, before tax


@dataclass(frozen=True)
class LineTax:
    taxable_amount: Decimal
    rate: Decimal  # percent
    tax: Decimal


NO_TAX = LineTax(ZERO, Decimal("0"), ZERO)


@dataclass(frozen=True)
class TaxResult:
    backend: str
    collected: bool
    state: str = ""  # the two-letter code, "" when the address names no state
    jurisdiction: str = ""  # "New York City, NY"
    rate: Decimal | None = None  # the rate on goods, percent
    shipping_taxable: bool = False
    lines: dict = field(default_factory=dict)  # TaxLine.key -> LineTax
    shipping: LineTax = NO_TAX
    note: str = ""  # why no tax, when none

    @property
    def lines_tax(self):
        return sum((line.tax for line in self.lines.values()), ZERO)

    @property
    def total(self):
        return self.lines_tax + self.shipping.tax

    @property
    def taxable_amount(self):
        return sum((line.taxable_amount for line in self.lines.values()), self.shipping.taxable_amount)

    def for_line(self, key):
        return self.lines.get(key, NO_TAX)


def round_cents(amount):
    """Tax is rounded per line to the cent, half up (0.005 -> 0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_at(amount, rate):
    return LineTax(amount, rate, round_cents(amount * rate / 100))


class TaxBackend:
    """The interface: one method, no side effects; raise TaxUnavailable rather than guess."""

    name = "tax backend"

    def calculate(self, request: TaxRequest) -> TaxResult:
        raise NotImplementedError


class RateTable(TaxBackend):
    """The rates staff keep in the dashboard (tax.models): the destination state's rate, or the
    combined rate of its longest matching ZIP prefix; shipping at the same rate where taxable."""

    name = "rate table"

    def calculate(self, request):
        from tax.models import StateRate

        if request.country != "US":
            return self.no_tax("Ships outside the United States: no US sales tax.")
        state = state_code(request.state)
        if state is None:
            return self.no_tax(f"No sales tax: “{request.state}” is not a US state, so no rate applies.")
        row = StateRate.objects.filter(state=state).prefetch_related("local_rates").first()
        if row is None or not row.collects:
            return self.no_tax(f"No sales tax: the store does not collect in {state_name(state)}.", state=state)
        zip_code = zip5(request.postcode) or ""
        local = max(
            (local for local in row.local_rates.all() if zip_code.startswith(local.zip_prefix)),
            key=lambda local: len(local.zip_prefix),
            default=None,
        )
        rate = local.rate if local else row.rate
        jurisdiction = f"{local.name or 'ZIP ' + local.zip_prefix}, {state}" if local else state_name(state)
        return TaxResult(
            backend=self.name,
            collected=True,
            state=state,
            jurisdiction=jurisdiction,
            rate=rate,
            shipping_taxable=row.shipping_taxable,
            lines={line.key: tax_at(line.amount, rate) for line in request.lines},
            shipping=tax_at(request.shipping, rate) if row.shipping_taxable else NO_TAX,
        )

    def no_tax(self, note, state=""):
        return TaxResult(backend=self.name, collected=False, state=state, note=note)


def get_backend():
    return import_string(settings.TAX_BACKEND)()

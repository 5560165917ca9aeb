"""Tax in templates: the rate as a percentage and the tax line of a basket or an order."""

from dataclasses import dataclass
from decimal import Decimal

from django import template

from tax import service
from tax.states import state_name

register = template.Library()


@register.filter
def percent(rate):
    """8.8750 -> 8.875%"""
    return service.percent(rate)


@dataclass
class TaxLine:
    """What a page prints for sales tax: the amount, where and at what rate, or why none."""

    amount: Decimal
    label: str
    note: str = ""
    shipping_taxable: bool = False
    items_amount: Decimal | None = None  # the tax on the lines alone


@register.simple_tag
def basket_tax_line(basket):
    """The tax applied to the basket at this step of the checkout, or None before the address."""
    result = service.basket_tax(basket)
    if result is None:
        return None
    return TaxLine(
        amount=result.total,
        items_amount=result.lines_tax,
        label=_label(result.collected, result.jurisdiction, result.rate),
        note="" if result.collected else _shopper_note(result.note, result.state),
        shipping_taxable=result.collected and result.shipping_taxable,
    )


@register.simple_tag
def order_tax_line(order):
    """The order's sales tax as it was charged (an order from before the store charged tax: its
    totals, with no rate)."""
    recorded = service.order_tax(order)
    amount = order.total_incl_tax - order.total_excl_tax
    if recorded is None:
        return TaxLine(amount=amount, label="Sales tax")
    return TaxLine(
        amount=amount,
        label=_label(recorded.collected, recorded.jurisdiction, recorded.rate),
        note="" if recorded.collected else _shopper_note(recorded.note, recorded.state),
        shipping_taxable=recorded.collected and recorded.shipping_taxable,
    )


def _label(collected, jurisdiction, rate):
    if not collected:
        return "Sales tax"
    return f"Sales tax ({jurisdiction}, {service.percent(rate)})"


def _shopper_note(note, state):
    if state:
        return f"We do not collect sales tax on orders shipped to {state_name(state)}."
    return note

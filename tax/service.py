"""The store's one way into sales tax: the checkout, the shipping methods and the order pages call
these functions and nothing else of the tax app.

Oscar's US way (docs: "How to handle US taxes"): the strategy prices products before tax
(`is_tax_known` False, shop/apps/partner/strategy.py); once the shipping address is known,
apply_tax() sets the tax of each basket line and of the shipping charge, so Oscar's
OrderTotalCalculator, OrderCreator and templates see tax-inclusive prices from then on.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from oscar.templatetags.currency_filters import currency as format_currency

from tax.backends import ZERO, TaxLine, TaxRequest, TaxResult, TaxUnavailable, get_backend, round_cents
from tax.models import OrderLineTax, OrderTax, RefundTax

logger = logging.getLogger(__name__)

# A shipping address with no country yet is taken as one in the store's country.
DEFAULT_COUNTRY = "US"


def apply_tax(basket, shipping_charge, shipping_address):
    """Tax the basket's lines and the shipping charge for this address; returns the TaxResult.

    Idempotent: the lines' and the charge's prices before tax never change, so asking again
    (every checkout page does) sets the same tax. The backend is asked once per basket object
    for the same request. Raises TaxUnavailable if a tax service cannot answer.
    """
    request = _request_for(basket, shipping_charge, shipping_address)
    memo = getattr(basket, "_sales_tax", None)
    if memo is not None and memo[0] == request:
        result = memo[1]
    else:
        result = _no_address() if shipping_address is None else get_backend().calculate(request)
        basket._sales_tax = (request, result)
    for line in basket.all_lines():
        price = line.purchase_info.price
        net = line.line_price_excl_tax_incl_discounts
        line_tax = result.for_line(line.pk).tax
        # Oscar keeps a unit tax and multiplies (or, after a discount, scales by the ratio of
        # unit prices): this unit tax makes the line's tax come out at exactly `line_tax`, which
        # was rounded once for the whole line.
        price.tax = price.excl_tax * line_tax / net if net else Decimal("0")
    shipping_charge.tax = result.shipping.tax
    return result


def remove_tax(basket):
    """Back to prices before tax on the basket's lines (as the strategy gives them)."""
    for line in basket.all_lines():
        line.purchase_info.price.tax = None


class TaxedShippingMethod:
    """A shipping method (or Oscar's offer-discount wrapper around one) for a known shipping
    address: calculate() returns its charge with sales tax on it, after taxing the basket's
    lines. The shipping repository hands these out for the checkout's address, so every total
    Oscar's checkout views make (CheckoutSessionMixin.build_submission) includes the tax that
    checkout.pricing charges. Everything else is the method's own."""

    def __init__(self, method, shipping_address):
        self.method = method
        self.shipping_address = shipping_address

    def __getattr__(self, name):
        method = self.__dict__.get("method")  # None while copy or pickle builds the object
        if method is None:
            raise AttributeError(name)
        return getattr(method, name)

    def calculate(self, basket):
        # The method's own rules (free shipping from a threshold) see the basket before tax, as
        # on the basket page: whether an order ships free cannot depend on where it ships.
        remove_tax(basket)
        charge = self.method.calculate(basket)
        try:
            apply_tax(basket, charge, self.shipping_address)
        except TaxUnavailable as error:
            # Oscar's pages then show prices before tax; nothing can be paid meanwhile, as
            # checkout.pricing lets the error through to the payment step, which says so.
            logger.warning("Sales tax unavailable for %s: %s", self.shipping_address.postcode, error)
        return charge


def basket_tax(basket):
    """The TaxResult last applied to this basket, or None before the address is known."""
    memo = getattr(basket, "_sales_tax", None)
    return memo[1] if memo else None


def _request_for(basket, shipping_charge, address):
    lines = tuple(
        TaxLine(
            key=line.pk,
            product_id=line.product_id,
            sku=line.stockrecord.partner_sku if line.stockrecord_id else "",
            quantity=line.quantity,
            amount=round_cents(line.line_price_excl_tax_incl_discounts),
        )
        for line in basket.all_lines()
    )
    return TaxRequest(
        currency=basket.currency,
        country=(getattr(address, "country_id", None) or DEFAULT_COUNTRY) if address else "",
        state=(getattr(address, "state", "") or "").strip() if address else "",
        postcode=(getattr(address, "postcode", "") or "").strip() if address else "",
        lines=lines,
        shipping=round_cents(shipping_charge.excl_tax),
    )


def _no_address():
    return TaxResult(backend="none", collected=False, note="No sales tax: no shipping address.")


# The order
# ---------


def record_order_tax(order, result, basket):
    """Keep what the order was charged: the rate, where, and the tax per line and on shipping.
    Called by placement in the order's transaction, with the basket the order was made from."""
    order_tax = OrderTax.objects.create(
        order=order,
        backend=result.backend,
        collected=result.collected,
        country=order.shipping_address.country_id if order.shipping_address else "",
        state=result.state,
        state_as_given=(order.shipping_address.state if order.shipping_address else "")[:255],
        postcode=order.shipping_address.postcode if order.shipping_address else "",
        jurisdiction=result.jurisdiction,
        rate=result.rate,
        shipping_taxable=result.shipping_taxable,
        taxable_amount=result.taxable_amount,
        lines_tax=result.lines_tax,
        shipping_tax=result.shipping.tax,
        note=result.note,
    )
    # OrderCreator writes the order lines in basket order (ascending ids), one per basket line.
    basket_lines = list(basket.all_lines())
    order_lines = list(order.lines.order_by("pk"))
    if [line.product_id for line in basket_lines] != [line.product_id for line in order_lines]:
        raise ValueError(f"Order {order.number}: its lines do not match the basket's")
    OrderLineTax.objects.bulk_create(
        OrderLineTax(
            order_tax=order_tax,
            line=order_line,
            taxable_amount=result.for_line(basket_line.pk).taxable_amount,
            rate=result.for_line(basket_line.pk).rate,
            tax=result.for_line(basket_line.pk).tax,
        )
        for basket_line, order_line in zip(basket_lines, order_lines, strict=True)
    )
    return order_tax


def describe(order_tax, currency):
    """One sentence for staff and shoppers: how much, at what rate, where; or why none."""
    if not order_tax.collected:
        return order_tax.note
    shipping = "shipping taxed" if order_tax.shipping_taxable else "shipping not taxed"
    return (
        f"Sales tax {format_currency(order_tax.total, currency)} at {percent(order_tax.rate)} "
        f"({order_tax.jurisdiction}), {shipping}."
    )


def percent(rate):
    """8.8750 -> "8.875%", 4.0000 -> "4%"."""
    if rate is None:
        return ""
    text = f"{Decimal(rate):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def order_tax(order):
    """The order's OrderTax, or None for an order placed before the store charged tax."""
    try:
        return order.sales_tax
    except OrderTax.DoesNotExist:
        return None


# Refunds
# -------


def record_refund(order, amount, *, reference):
    """The share of sales tax in a refund of `amount` on this order, recorded once per refund.

    The tax goes back in proportion to the money (tax / order total), rounded half up; the refund
    that returns what is left of the order returns what is left of its tax, so the tax refunded
    never exceeds, nor falls short of, the tax charged. Called with the order's payment locked.
    Returns the tax share.
    """
    existing = RefundTax.objects.filter(reference=reference).first()
    if existing is not None:
        return existing.tax
    with transaction.atomic():
        tax = order.total_incl_tax - order.total_excl_tax
        done = RefundTax.objects.filter(order=order).aggregate(amount=Sum("amount"), tax=Sum("tax"))
        refunded, tax_refunded = done["amount"] or ZERO, done["tax"] or ZERO
        if not tax or not order.total_incl_tax:
            share = ZERO
        elif refunded + amount >= order.total_incl_tax:
            share = tax - tax_refunded
        else:
            share = min(round_cents(amount * tax / order.total_incl_tax), tax - tax_refunded)
        RefundTax.objects.create(order=order, reference=reference, amount=amount, tax=share)
    return share

"""What an order costs: the one computation the payment page, the Pay button's last check and
placement (from either door) all use, so they can never disagree about the total."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from oscar.core.loading import get_class, get_model

from tax import service as sales_tax

ShippingAddress = get_model("order", "ShippingAddress")
Applicator = get_class("offer.applicator", "Applicator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Repository = get_class("shipping.repository", "Repository")
Selector = get_class("partner.strategy", "Selector")
SurchargeApplicator = get_class("checkout.applicator", "SurchargeApplicator")

# Stripe's smallest charge in US dollars.
MINIMUM_CHARGE_CENTS = 50
ADDRESS_FIELDS = (
    "title", "first_name", "last_name", "line1", "line2", "line3", "line4",
    "state", "postcode", "country_id", "phone_number", "notes",
)  # fmt: skip


@dataclass
class Pricing:
    shipping_method: object
    shipping_charge: object
    surcharges: object
    total: object
    tax: object  # tax.backends.TaxResult: what the order records


def price_basket(basket, *, user, shipping_address, shipping_method_code):
    """The order total, computed as Oscar's checkout does (CheckoutSessionMixin.build_submission)
    but from explicit arguments instead of the session. None if the shipping method is gone.

    Sales tax for the shipping address is on the lines, the charge and so the total (the
    repository's methods apply it as they calculate; asking again gives the same result).
    Raises tax.backends.TaxUnavailable if a tax service cannot answer."""
    basket.strategy = Selector().strategy(user=user)
    if basket.id is not None and basket._lines is None:
        # Oscar's all_lines(), with the product class that is_shipping_required() would otherwise read
        # a query at a time. The images stay: the payment page shows the lines it priced.
        basket._lines = (
            basket.lines.select_related("product__product_class", "product__parent__product_class", "stockrecord")
            .prefetch_related("attributes", "product__images")
            .order_by("pk")
        )
    Applicator().apply(basket, user)
    methods = Repository().get_shipping_methods(basket=basket, user=user, shipping_addr=shipping_address)
    method = next((m for m in methods if m.code == shipping_method_code), None)
    if method is None:
        return None
    charge = method.calculate(basket)
    tax = sales_tax.apply_tax(basket, charge, shipping_address)
    surcharges = SurchargeApplicator().get_applicable_surcharges(basket, shipping_charge=charge)
    total = OrderTotalCalculator().calculate(basket, charge, surcharges)
    return Pricing(method, charge, surcharges, total, tax)


def price_payment(payment, basket):
    """The basket priced from what the payment row kept (no session needed)."""
    return price_basket(
        basket,
        user=payment.user or AnonymousUser(),
        shipping_address=ShippingAddress(**address_fields(ShippingAddress, payment.shipping_address)),
        shipping_method_code=payment.shipping_method_code,
    )


def address_to_dict(address):
    if address is None:
        return None
    data = {name: getattr(address, name) for name in ADDRESS_FIELDS if hasattr(address, name)}
    if "phone_number" in data:
        data["phone_number"] = str(data["phone_number"] or "")
    return data


def address_fields(model, data):
    names = {field.attname for field in model._meta.concrete_fields}
    return {key: value for key, value in (data or {}).items() if key in names}

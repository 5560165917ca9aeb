"""The store's shipping and returns terms as data: one source for the policy pages, the product
page's promises and its JSON-LD (`shippingDetails`, `hasMerchantReturnPolicy`), so none of them can
disagree with what checkout charges.

Shipping comes from the methods staff edit under Fulfilment > Shipping charges (the same rows
checkout offers, shop/apps/shipping/repository.py). The return terms are settings, since a change
of them is a business decision, not a page edit. Both functions are cheap enough to call while
rendering a product page: `return_policy()` makes no query, `shipping_rates()` one.
"""

import re
from decimal import Decimal

from django.conf import settings
from oscar.core.loading import get_model

# Days the parcel waits in the warehouse before the carrier has it (orders placed before the
# daily pick-up leave the same business day).
HANDLING_MIN_DAYS = 0
HANDLING_MAX_DAYS = 1

_DAYS = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)|(\d+)")


def return_policy():
    """The return terms: `days` to send an item back after delivery, `country` it is sent back
    to, `fees` ("free" or what the customer pays, a Decimal), `method` (how a return starts)."""
    fees = getattr(settings, "STORE_RETURN_FEES", "free")
    return {
        "days": int(getattr(settings, "STORE_RETURN_DAYS", 30)),
        "country": "US",
        "fees": fees if fees == "free" else Decimal(str(fees)),
        "method": "by mail",
        "start": "Write to us through the contact form with your order number; we email a prepaid return label.",
    }


def parse_days(text):
    """("3-5 business days") -> (3, 5); "2 days" -> (2, 2); nothing readable -> (None, None)."""
    match = _DAYS.search(text or "")
    if not match:
        return None, None
    if match.group(3):
        return int(match.group(3)), int(match.group(3))
    low, high = sorted((int(match.group(1)), int(match.group(2))))
    return low, high


def shipping_rates():
    """Every shipping method checkout can offer, cheapest first (the order checkout lists them):
    a list of dicts with `name` (without the delivery time), `code`, `charge` (per order, Decimal),
    `free_over` (the basket total from which it is free, or None), `min_days` / `max_days`
    (business days in transit, None if staff wrote no number), `countries` (ISO codes; empty
    means every country the store ships to), plus `delivery_time` and `description` as staff typed
    them and `handling_min_days` / `handling_max_days`. One query."""
    OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
    rows = OrderAndItemCharges.objects.order_by("price_per_order", "name", "pk").values_list(
        "pk", "code", "name", "delivery_time", "description", "price_per_order",
        "free_shipping_threshold", "countries__iso_3166_1_a2",
    )
    rates = {}
    for pk, code, name, delivery_time, description, charge, free_over, country in rows:
        if pk not in rates:
            min_days, max_days = parse_days(delivery_time)
            suffix = f" ({delivery_time})"
            rates[pk] = {
                "name": name[: -len(suffix)] if delivery_time and name.endswith(suffix) else name,
                "code": code,
                "charge": charge,
                "free_over": free_over,
                "min_days": min_days,
                "max_days": max_days,
                "countries": [],
                "delivery_time": delivery_time,
                "description": description,
                "handling_min_days": HANDLING_MIN_DAYS,
                "handling_max_days": HANDLING_MAX_DAYS,
            }
        if country:
            rates[pk]["countries"].append(country)
    return list(rates.values())


def free_shipping_over(rates=None):
    """The lowest basket total from which some method ships free, or None (`rates`: what
    shipping_rates() returned, to save its query)."""
    rates = shipping_rates() if rates is None else rates
    return min((rate["free_over"] for rate in rates if rate["free_over"] is not None), default=None)

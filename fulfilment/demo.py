"""Demo orders for `make run`: three paid orders waiting to ship, so staff can try the fulfilment
pages at once. They are placed the way checkout places them (checkout.flow, demo payments,
checkout.placement), so they have everything a real order has: allocated stock, a payment that can
be refunded, a guest link. Only in demo mode (DEBUG on, no Stripe keys); never in production.
"""

from django.contrib.auth.models import AnonymousUser
from oscar.core.loading import get_class, get_model

from checkout import flow, placement, stripe_gateway

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ShippingAddress = get_model("order", "ShippingAddress")
Selector = get_class("partner.strategy", "Selector")

SHOPPERS = [
    {
        "address": {"first_name": "Grace", "last_name": "Hopper", "line1": "12 Compiler Lane", "line4": "Arlington",
                    "state": "VA", "postcode": "22201"},
        "email": "grace.hopper@example.com",
        "items": [("QLC-CLAW-01", 1)],
        "method": "standard",
    },
    {
        "address": {"first_name": "Katherine", "last_name": "Johnson", "line1": "7 Orbit Road", "line4": "Hampton",
                    "state": "VA", "postcode": "23666", "notes": "Leave it with the neighbour at number 9."},
        "email": "katherine.johnson@example.com",
        "items": [("QLC-CLAW-01", 2), ("QLC-BAG-01", 1)],
        "method": "express",
    },
    {
        "address": {"first_name": "Alan", "last_name": "Turing", "line1": "1 Enigma Street", "line4": "Cambridge",
                    "state": "MA", "postcode": "02139"},
        "email": "alan.turing@example.com",
        "items": [("QLC-CLAW-01", 1), ("QLC-PADS-02", 1)],
        "method": "standard",
    },
]


def seed_demo_orders():
    """Place the demo orders once. Returns how many were placed."""
    if not stripe_gateway.demo_mode_enabled():
        return 0
    if Order.objects.filter(guest_email__in=[shopper["email"] for shopper in SHOPPERS]).exists():
        return 0
    return sum(1 for shopper in SHOPPERS if _place(shopper))


def _place(shopper):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for upc, quantity in shopper["items"]:
        basket.add_product(Product.objects.get(upc=upc), quantity)
    payment, _intent = flow.begin_payment(
        basket=basket,
        user=AnonymousUser(),
        email=shopper["email"],
        shipping_address=ShippingAddress(country_id="US", **shopper["address"]),
        billing_address=None,
        shipping_method_code=shopper["method"],
        order_number=str(100000 + basket.id),
        client_ip=None,
    )
    intent = stripe_gateway.confirm_demo_payment(
        payment.intent_id, amount_cents=payment.amount_cents, currency=payment.currency
    )
    return placement.place_order_for_payment_intent(intent).order

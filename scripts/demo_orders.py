#!/usr/bin/env python
"""Place guest orders the way checkout places them, with demo payments (no Stripe), for the
benchmark's mixed run and Lighthouse's order status page.

It runs in a process of its own with the server's environment (the production settings, the same
database, Redis and SECRET_KEY), and turns on demo payments for this process only, with DEBUG left
off as a production worker runs (DEBUG on would also log every query, about a tenth of an order's
time), as `seed_demo` places its demo orders (fulfilment/demo.py): checkout.flow freezes the
basket and makes the demo PaymentIntent, checkout.placement places the order, allocates the stock
and queues the confirmation email. The page cache sees each order as it would see a shopper's.

  demo_orders.py --restock              only the restock below (a staff edit of the stock record)
  demo_orders.py --one                  one order; prints {"number", "email", "status_path"}
  demo_orders.py --rate 5 --seconds 20  places one order (a warm-up), prints "ready", then orders
                                        at 5 a second for 20 s, then {"orders", "errors", "seconds"}
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

ADDRESS = {"first_name": "Bench", "last_name": "Buyer", "line1": "1 Load Street", "line4": "Springfield",
           "state": "IL", "postcode": "62701"}


def setup():
    import django

    django.setup()
    from django.conf import settings

    from checkout import stripe_gateway

    settings.STRIPE_SECRET_KEY = ""  # demo payments, in this process only: no call leaves the machine
    stripe_gateway.demo_mode_enabled = lambda: True


def restock(upc="QLC-CLAW-01"):
    """Enough stock for any run: running out is tested elsewhere."""
    from oscar.core.loading import get_model

    record = get_model("partner", "StockRecord").objects.get(product__upc=upc)
    if record.num_in_stock - (record.num_allocated or 0) < 100_000:
        record.num_in_stock = (record.num_allocated or 0) + 1_000_000
        record.save()


def place(upc="QLC-CLAW-01", quantity=1):
    from django.contrib.auth.models import AnonymousUser
    from oscar.core.loading import get_class, get_model

    from checkout import flow, placement, stripe_gateway

    Basket = get_model("basket", "Basket")
    Product = get_model("catalogue", "Product")
    ShippingAddress = get_model("order", "ShippingAddress")
    basket = Basket.objects.create()
    basket.strategy = get_class("partner.strategy", "Selector")().strategy()
    basket.add_product(Product.objects.get(upc=upc), quantity)
    payment, _ = flow.begin_payment(
        basket=basket, user=AnonymousUser(), email=f"demo-buyer{basket.id}@example.com",
        shipping_address=ShippingAddress(country_id="US", **ADDRESS), billing_address=None,
        shipping_method_code="standard", order_number=str(900000 + basket.id), client_ip=None,
    )
    intent = stripe_gateway.confirm_demo_payment(payment.intent_id, amount_cents=payment.amount_cents,
                                                 currency=payment.currency)
    return placement.place_order_for_payment_intent(intent).order


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", action="store_true")
    parser.add_argument("--restock", action="store_true")
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    setup()
    restock()
    if args.restock:
        return
    if args.one:
        from checkout.emails import order_status_path

        order = place()
        print(json.dumps({"number": order.number, "email": order.email, "status_path": order_status_path(order)}))
        return
    placed, errors = 0, []
    # One order before the clock starts, as a worker that has served before: a process's first order
    # loads its templates and connections (about 0.9 s against 0.1-0.2 s after).
    place()
    print("ready", flush=True)
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        time.sleep(max(0.0, started + placed / args.rate - time.monotonic()))
        try:
            place()
        except Exception as error:  # noqa: BLE001  (counted and reported by the caller)
            errors.append(repr(error)[:200])
        placed += 1
    print(json.dumps({"orders": placed - len(errors), "errors": errors[:5],
                      "seconds": round(time.monotonic() - started, 1)}), flush=True)


if __name__ == "__main__":
    main()

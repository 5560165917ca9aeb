"""Staff shipping and cancelling while shoppers order, all at once, on PostgreSQL (SQLite ignores
row locks): the stock figures stay exactly what the shelf and the open orders say."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from oscar.core.loading import get_model

from checkout import placement
from fulfilment import services, statuses
from fulfilment.models import Shipment
from tests.checkout_helpers import start_payment_for
from tests.fixtures.fulfilment import Stock, stock_of
from tests.integration.test_checkout_concurrency import run_at_once

Order = get_model("order", "Order")
Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL; SQLite ignores it"),
]


def unshipped_quantity():
    return Line.objects.filter(order__status__in=statuses.NOT_SHIPPED).aggregate(n=Sum("quantity"))["n"] or 0


def shipped_quantity():
    return Line.objects.filter(order__shipments__isnull=False).aggregate(n=Sum("quantity"))["n"] or 0


@pytest.fixture
def packer(transactional_db):
    return get_user_model().objects.create_user(username="packer", email="p@qlclaw.example", is_staff=True)


@pytest.mark.django_db(transaction=True)
def test_shipping_while_shoppers_order_keeps_the_allocation_exact(claw, fake_stripe, packer):
    StockRecord.objects.filter(product=claw).update(num_in_stock=40, num_allocated=0)
    placed = [
        placement.place_order_for_payment_intent(
            fake_stripe.succeed(start_payment_for(claw, 1 + n % 2, email=f"early{n}@example.com").intent_id)
        ).order
        for n in range(8)
    ]
    waiting = [
        fake_stripe.succeed(start_payment_for(claw, 2, email=f"late{n}@example.com").intent_id) for n in range(8)
    ]

    def act(job):
        kind, thing = job
        if kind == "ship":
            number = f"1Z999AA1012345{thing.pk:04d}"
            return services.ship_order(thing, carrier="ups", tracking_number=number, user=packer)
        return placement.place_order_for_payment_intent(thing)

    run_at_once(act, [("ship", order) for order in placed] + [("order", intent) for intent in waiting])

    assert Order.objects.count() == 16 and Shipment.objects.count() == 8
    assert stock_of(claw) == Stock(in_stock=40 - shipped_quantity(), allocated=unshipped_quantity())
    assert stock_of(claw) == Stock(in_stock=28, allocated=16)
    assert Line.objects.filter(order__status=statuses.SHIPPED, num_allocated__gt=0).count() == 0


@pytest.mark.django_db(transaction=True)
def test_cancel_and_ship_the_same_orders_at_once(claw, fake_stripe, packer):
    StockRecord.objects.filter(product=claw).update(num_in_stock=20, num_allocated=0)
    orders = [
        placement.place_order_for_payment_intent(
            fake_stripe.succeed(start_payment_for(claw, 2, email=f"s{n}@example.com").intent_id)
        ).order
        for n in range(6)
    ]

    def act(job):
        kind, order = job
        try:
            if kind == "ship":
                number = f"940011189922310000{order.pk:04d}"
                services.ship_order(order, carrier="usps", tracking_number=number, user=packer)
            else:
                services.cancel_order(order, user=packer)
        except services.FulfilmentError:
            return f"{kind} refused"
        return kind

    outcomes = Counter(run_at_once(act, [(kind, order) for order in orders for kind in ("ship", "cancel")]))

    # Each order was either shipped or cancelled, never both: the second comer was refused.
    assert outcomes["ship"] + outcomes["cancel"] == 6
    assert outcomes["ship refused"] + outcomes["cancel refused"] == 6
    final = Counter(Order.objects.values_list("status", flat=True))
    # A Counter on both sides: when one kind won every race, the other's 0 is an absent key.
    assert final == Counter({statuses.SHIPPED: outcomes["ship"], statuses.CANCELLED: outcomes["cancel"]})
    assert stock_of(claw) == Stock(in_stock=20 - 2 * outcomes["ship"], allocated=0)
    refunded = sorted(r["payment_intent"] for r in fake_stripe.refunds)
    cancelled = Order.objects.filter(status=statuses.CANCELLED)
    assert refunded == sorted(order.checkout_payment.intent_id for order in cancelled)


@pytest.mark.django_db(transaction=True)
def test_two_staff_ship_one_order_once(claw, fake_stripe, packer):
    order = placement.place_order_for_payment_intent(fake_stripe.succeed(start_payment_for(claw, 3).intent_id)).order

    def ship(number):
        try:
            services.ship_order(order, carrier="ups", tracking_number=number, user=packer)
        except services.FulfilmentError:
            return "refused"
        return "shipped"

    outcomes = run_at_once(ship, ["1Z999AA10123456784"] * 3 + ["1Z999AA10123456785"] * 3)
    assert outcomes.count("shipped") == 1
    assert Shipment.objects.count() == 1
    assert stock_of(claw) == Stock(in_stock=97, allocated=0)

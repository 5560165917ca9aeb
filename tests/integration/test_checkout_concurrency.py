"""Many shoppers paying for the last units at once, on PostgreSQL (SQLite ignores row locks)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from oscar.core.loading import get_model

from checkout import placement, sweep
from checkout.models import CheckoutPayment
from tests.checkout_helpers import start_payment_for
from tests.concurrency import run_at_once

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL; SQLite ignores it"),
]




@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_for_the_last_ten_units(claw, fake_stripe):
    StockRecord.objects.filter(product=claw).update(num_in_stock=10, num_allocated=0)
    intents = [fake_stripe.succeed(start_payment_for(claw, 1, email=f"s{n}@example.com").intent_id) for n in range(20)]

    placements = run_at_once(placement.place_order_for_payment_intent, intents)

    record = StockRecord.objects.get(product=claw)
    assert (record.num_in_stock, record.num_allocated) == (10, 10)
    assert record.net_stock_level == 0
    assert Order.objects.count() == 10
    assert sum(p.order is not None for p in placements) == 10
    refunded = CheckoutPayment.objects.filter(unplaced_reason=CheckoutPayment.OUT_OF_STOCK)
    assert refunded.count() == 10
    assert sorted(r["payment_intent"] for r in fake_stripe.refunds) == sorted(
        refunded.values_list("intent_id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_both_doors_at_once_place_one_order(claw, fake_stripe):
    intent = fake_stripe.succeed(start_payment_for(claw, 2).intent_id)

    placements = run_at_once(placement.place_order_for_payment_intent, [intent] * 8)

    assert Order.objects.count() == 1
    assert sum(p.placed_now for p in placements) == 1
    assert len({p.order.pk for p in placements}) == 1
    assert StockRecord.objects.get(product=claw).num_allocated == 2
    assert not fake_stripe.refunds


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_place_each_payment_once(claw, fake_stripe):
    """Two workers run the periodic sweep at the same moment over the same paid payments."""
    StockRecord.objects.filter(product=claw).update(num_in_stock=3, num_allocated=0)
    payments = [start_payment_for(claw, 1, email=f"s{n}@example.com") for n in range(5)]
    for payment in payments:
        fake_stripe.succeed(payment.intent_id)  # paid, and neither door arrived
    later = timezone.now() + timedelta(hours=1)

    outcomes = run_at_once(lambda _: sweep.sweep(now=later), [1, 2])

    assert Order.objects.count() == 3
    record = StockRecord.objects.get(product=claw)
    assert (record.num_in_stock, record.num_allocated) == (3, 3)
    refunded = CheckoutPayment.objects.filter(status=CheckoutPayment.REFUNDED)
    assert refunded.count() == 2
    assert sorted(r["payment_intent"] for r in fake_stripe.refunds) == sorted(
        refunded.values_list("intent_id", flat=True)
    )
    assert sum(o["placed"] for o in outcomes) == 3  # each order placed by one of the two sweeps

"""Stock allocation never takes a stock record below zero (the forked partner app)."""

import pytest
from oscar.core.loading import get_class, get_model

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")
InsufficientStock = get_class("partner.exceptions", "InsufficientStock")
InvalidStockAdjustment = get_class("partner.exceptions", "InvalidStockAdjustment")


def test_the_store_uses_the_forked_stock_record():
    assert StockRecord.__module__ == "shop.apps.partner.models"
    assert issubclass(InsufficientStock, InvalidStockAdjustment)


def test_allocation_up_to_the_last_unit(claw):
    record = claw.stockrecords.get()
    record.num_in_stock, record.num_allocated = 3, 1
    record.save()
    record.allocate(2)
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated, record.net_stock_level) == (3, 3, 0)


def test_allocation_beyond_stock_is_refused_and_changes_nothing(claw):
    record = claw.stockrecords.get()
    record.num_in_stock, record.num_allocated = 3, 2
    record.save()
    with pytest.raises(InsufficientStock, match="Only 1 of QL Claw left, 2 wanted"):
        record.allocate(2)
    record.refresh_from_db()
    assert record.num_allocated == 2


def test_allocation_with_nothing_allocated_yet(claw):
    record = claw.stockrecords.get()
    record.num_in_stock, record.num_allocated = 1, None
    record.save()
    record.allocate(1)
    record.refresh_from_db()
    assert record.num_allocated == 1
    with pytest.raises(InsufficientStock):
        record.allocate(1)


def test_a_stale_copy_cannot_oversell(claw):
    """Two orders loaded the same record; the second allocates from an out-of-date copy."""
    first, second = claw.stockrecords.get(), claw.stockrecords.get()
    StockRecord.objects.filter(pk=first.pk).update(num_in_stock=1, num_allocated=0)
    first.allocate(1)
    with pytest.raises(InsufficientStock):
        second.allocate(1)
    assert StockRecord.objects.get(pk=first.pk).num_allocated == 1

from decimal import Decimal

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")
Category = get_model("catalogue", "Category")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Product, ProductImage, StockRecord, Category, OrderAndItemCharges)
    }


def test_seed_creates_the_demo_catalogue(claw):
    record = claw.stockrecords.get()
    assert record.price == Decimal("49.99")
    assert record.price_currency == "USD"
    assert record.num_in_stock == 100
    assert claw.images.count() >= 3
    assert all(image.original.size > 1000 for image in claw.images.all())
    assert Product.objects.filter(is_public=True).count() >= 2
    assert set(OrderAndItemCharges.objects.values_list("code", flat=True)) == {"standard", "express"}


def test_seed_twice_creates_no_duplicates_and_keeps_staff_edits(claw):
    before = counts()
    record = claw.stockrecords.get()
    record.price = Decimal("44.00")
    record.num_in_stock = 7
    record.save()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts() == before
    record.refresh_from_db()
    assert (record.price, record.num_in_stock) == (Decimal("44.00"), 7)

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from oscar.core.loading import get_model

from content_pages.models import Article

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


def setup_store():
    call_command("setup_store", verbosity=0)


def test_setup_store_sets_up_a_real_store_without_demo_rows():
    """A fresh database after migrate + setup_store: ready to sell, nothing of the demo in it."""
    setup_store()
    assert not Product.objects.exists() and not Article.objects.exists() and not StockRecord.objects.exists()
    assert Site.objects.get_current().domain == "testserver"  # SITE_URL's host (test settings)
    us = get_model("address", "Country").objects.get(iso_3166_1_a2="US")
    assert us.is_shipping_country
    assert set(OrderAndItemCharges.objects.values_list("code", flat=True)) == {"standard", "express"}
    assert all(list(m.countries.all()) == [us] for m in OrderAndItemCharges.objects.all())
    group = Group.objects.get(name=settings.STORE_STAFF_GROUP)
    assert group.permissions.filter(codename="change_stockrecord").exists()
    assert group.permissions.filter(codename="change_comment").exists()
    assert default_storage.exists(settings.OSCAR_MISSING_IMAGE_URL)


def snapshot():
    return {
        "site": list(Site.objects.values()),
        "countries": list(get_model("address", "Country").objects.values()),
        "shipping": list(OrderAndItemCharges.objects.values()),
        "shipping countries": list(OrderAndItemCharges.countries.through.objects.values()),
        "groups": list(Group.objects.values()),
        "group permissions": sorted(Group.permissions.through.objects.values_list("group_id", "permission_id")),
    }


def test_setup_store_twice_changes_nothing_and_keeps_staff_edits():
    setup_store()
    standard = OrderAndItemCharges.objects.get(code="standard")
    standard.price_per_order = Decimal("4.50")
    standard.save()
    group = Group.objects.get(name=settings.STORE_STAFF_GROUP)
    group.permissions.add(Permission.objects.get(codename="add_user"))  # staff gave their group more
    Site.objects.filter(pk=settings.SITE_ID).update(name="QL Claw (US)")
    before = snapshot()
    setup_store()
    assert snapshot() == before
    assert OrderAndItemCharges.objects.get(code="standard").price_per_order == Decimal("4.50")


def test_the_site_domain_follows_site_url():
    setup_store()
    with override_settings(SITE_URL="https://shop.example.com"):
        setup_store()
        assert Site.objects.get_current().domain == "shop.example.com"
    with override_settings(SITE_URL="http://127.0.0.1:8123"):  # make run PORT=8123 on an existing database
        setup_store()
        assert Site.objects.get_current().domain == "127.0.0.1:8123"
    assert Site.objects.get_current().name == settings.OSCAR_SHOP_NAME


def test_seed_demo_sets_up_the_store_first(claw):
    assert Site.objects.get_current().domain == "testserver"
    assert Group.objects.filter(name=settings.STORE_STAFF_GROUP).exists()
    assert Article.objects.exists()

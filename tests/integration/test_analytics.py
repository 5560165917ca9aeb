"""Oscar's analytics counters, kept by shop/analytics.py: the same numbers as Oscar's receivers,
a lost insert race never breaks the request (tests/integration/test_cold_start.py races for real
on PostgreSQL), and product views counted in the cache (tests/functional/test_page_cache.py: no
database write in a GET)."""

import weakref

import pytest
from django.db import IntegrityError
from django.db.models.query import QuerySet
from django.test import Client
from django.urls import reverse
from oscar.apps.analytics import receivers as oscar_receivers
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

from checkout import placement
from shop import analytics
from tests.checkout_helpers import start_payment_for

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")
UserProductView = get_model("analytics", "UserProductView")


def receivers_of(signal):
    refs = [entry[1] for entry in signal.receivers]  # (lookup key, receiver or weak reference, ...)
    return [ref() if isinstance(ref, weakref.ReferenceType) else ref for ref in refs]


def test_ours_replace_oscars_counting_receivers():
    for signal, oscars, ours in [
        (product_viewed, oscar_receivers.receive_product_view, analytics.record_product_view),
        (basket_addition, oscar_receivers.receive_basket_addition, analytics.record_basket_addition),
        (order_placed, oscar_receivers.receive_order_placed, analytics.record_order),
    ]:
        assert oscars not in receivers_of(signal)
        assert receivers_of(signal).count(ours) == 1


def test_views_and_basket_additions_are_counted(claw, customer):
    Client().get(claw.get_absolute_url())
    assert Client().get(claw.get_absolute_url())["X-Page-Cache"] == "hit"  # a hit counts too
    shopper = Client()
    shopper.force_login(customer)
    shopper.get(claw.get_absolute_url())
    shopper.post(reverse("basket:add", kwargs={"pk": claw.pk}), {"quantity": 2})
    assert analytics.flush_view_counts()["product"] == 3  # views wait in the cache until the flush

    record = ProductRecord.objects.get(product=claw)
    assert (record.num_views, record.num_basket_additions) == (3, 1)
    user_record = UserRecord.objects.get(user=customer)
    assert (user_record.num_product_views, user_record.num_basket_additions) == (1, 1)
    assert UserProductView.objects.filter(user=customer, product=claw).count() == 1


def test_an_order_is_counted_once_it_is_committed(claw, customer, fake_stripe, django_capture_on_commit_callbacks):
    payment = start_payment_for(claw, 3, user=customer)
    intent = fake_stripe.succeed(payment.intent_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = placement.place_order_for_payment_intent(intent).order
    assert not ProductRecord.objects.filter(product=claw, num_purchases__gt=0).exists()  # not inside the placement
    for callback in callbacks:
        callback()

    assert ProductRecord.objects.get(product=claw).num_purchases == 3
    user_record = UserRecord.objects.get(user=customer)
    assert (user_record.num_orders, user_record.num_order_items) == (1, 3)
    assert user_record.total_spent == order.total_incl_tax
    assert user_record.date_last_order == order.date_placed


def test_a_lost_insert_race_adds_to_the_winners_row_and_the_transaction_goes_on(claw, monkeypatch):
    """What a shopper who loses the race sees: the UPDATE found no row, the row appeared before the
    INSERT (IntegrityError). The savepoint keeps the request's transaction usable."""
    ProductRecord.objects.create(product=claw, num_views=5)  # the winner's row
    real_update = QuerySet.update
    calls = []

    def update_after_losing(self, **kwargs):
        calls.append(kwargs)
        return 0 if len(calls) == 1 else real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_after_losing)
    analytics.add_to_counters(ProductRecord, {"product_id": claw.pk}, {"num_views": 1})
    monkeypatch.undo()

    assert len(calls) == 2  # the first UPDATE, the INSERT that lost, the second UPDATE
    assert ProductRecord.objects.get(product=claw).num_views == 6  # a query after it works
    with pytest.raises(IntegrityError):  # (the row is unique per product, so the INSERT did fail)
        ProductRecord.objects.create(product=claw)

"""A fresh database and a crowd: 30 shoppers open the product page at the same moment, before
any analytics row exists for it (PostgreSQL: SQLite serialises writers, so it cannot race).

Oscar's own receiver creates the ProductRecord row, and the shoppers who lose that race caught
the IntegrityError inside the request's transaction (ATOMIC_REQUESTS), which PostgreSQL has
aborted by then: their next query failed and they got a 500. shop/analytics.py counts in a
savepoint instead. Views no longer write in the request at all (counted in the cache, moved to the
table by flush_view_counts); the basket additions still race for the row.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from oscar.core.loading import get_model

from shop.analytics import flush_view_counts

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a real insert race needs PostgreSQL; SQLite serialises writers"
    ),
]

SHOPPERS = 30


def all_at_once(function, count):
    """function(n) for n in range(count), each in its own thread with its own connection, released together."""
    barrier = threading.Barrier(count)

    def call(n):
        try:
            barrier.wait(timeout=30)
            return function(n)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


@pytest.mark.django_db(transaction=True)
def test_thirty_first_views_of_a_product_at_once(claw, settings):
    settings.PAGE_CACHE_TIMEOUT = 0  # every shopper renders the page (a cached hit records no view)
    assert not ProductRecord.objects.exists()
    url = claw.get_absolute_url()

    statuses = all_at_once(lambda n: Client(raise_request_exception=False).get(url).status_code, SHOPPERS)

    assert statuses == [200] * SHOPPERS
    assert not ProductRecord.objects.filter(num_views__gt=0).exists()  # a view writes nothing
    assert flush_view_counts() == {"product": SHOPPERS, "article": 0}  # not one view lost
    assert ProductRecord.objects.get(product=claw).num_views == SHOPPERS


@pytest.mark.django_db(transaction=True)
def test_thirty_first_basket_additions_at_once(claw, settings, django_user_model):
    """The same race on the basket-addition counters, signed in (the user's own record too)."""
    settings.STORE_BASKET_ADD_RATE = "1000/m"
    users = [
        django_user_model.objects.create_user(username=f"s{n}", email=f"s{n}@example.com", password="x")
        for n in range(SHOPPERS)
    ]
    url = f"/basket/add/{claw.pk}/"

    def add(n):
        client = Client(raise_request_exception=False)
        client.force_login(users[n])
        return client.post(url, {"quantity": 1}).status_code

    statuses = all_at_once(add, SHOPPERS)

    assert statuses == [302] * SHOPPERS
    assert ProductRecord.objects.get(product=claw).num_basket_additions == SHOPPERS
    assert UserRecord.objects.filter(num_basket_additions=1).count() == SHOPPERS

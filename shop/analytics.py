"""Oscar's analytics app, with counters that can never break the request that counts.

Oscar's receivers (oscar/apps/analytics/receivers.py) add to a counter row with an UPDATE and,
when no row exists yet, INSERT it and catch the IntegrityError of a lost race. Inside a request
transaction (ATOMIC_REQUESTS) on PostgreSQL that catch comes too late: the failed INSERT has
aborted the whole transaction, the next query fails and the shopper gets a 500. That is what a
cold start does: a new product, or a fresh database, and a few shoppers opening the page at once.

Here the INSERT runs in a savepoint, so losing the race rolls back only that INSERT and the
counter is then added to the winner's row: no 500 and no view lost. The counters of an order are
written after the order commits (and a failure there is only logged), so the placement
transaction neither waits on the analytics rows nor can be aborted by them.

Installed in place of Oscar's config (INSTALLED_APPS: "shop.analytics.AnalyticsConfig"): same app,
same label, models and migrations; only the receivers of product views, basket additions and
orders are ours. Oscar's search receiver (one INSERT, no counter) is kept.
"""

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from oscar.apps.analytics.apps import AnalyticsConfig as OscarAnalyticsConfig
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.order.signals import order_placed

logger = logging.getLogger(__name__)


def _model(name):
    from oscar.core.loading import get_model

    return get_model("analytics", name)


def add_to_counters(model, lookup, amounts, **fields):
    """Add `amounts` ({field: n}) to the row of `model` matching `lookup`, creating the row if it
    is missing, and set the plain `fields`. Safe inside any transaction and under any concurrency."""
    updates = {name: F(name) + amount for name, amount in amounts.items()} | fields
    rows = model.objects.filter(**lookup)
    if rows.update(**updates):
        return
    try:
        with transaction.atomic():  # a savepoint: a lost race undoes this INSERT, not the request
            model.objects.create(**lookup, **amounts, **fields)
        return
    except IntegrityError:
        pass  # another request created the row first; it is committed now, so add to it
    rows.update(**updates)


def record_product_view(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    add_to_counters(_model("ProductRecord"), {"product_id": product.pk}, {"num_views": 1})
    if user and user.is_authenticated:
        add_to_counters(_model("UserRecord"), {"user_id": user.pk}, {"num_product_views": 1})
        _model("UserProductView").objects.create(product=product, user=user)


def record_basket_addition(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    add_to_counters(_model("ProductRecord"), {"product_id": product.pk}, {"num_basket_additions": 1})
    if user and user.is_authenticated:
        add_to_counters(_model("UserRecord"), {"user_id": user.pk}, {"num_basket_additions": 1})


def record_order(sender, order, user, **kwargs):
    """Counted once the order is committed; robust: a failure is logged and the order stands."""
    if kwargs.get("raw", False):
        return
    transaction.on_commit(partial(_count_order, order, user), robust=True)


def _count_order(order, user):
    for line in order.lines.all():
        if line.product_id is not None:  # a product deleted since keeps its order lines
            add_to_counters(_model("ProductRecord"), {"product_id": line.product_id}, {"num_purchases": line.quantity})
    if user and user.is_authenticated:
        add_to_counters(
            _model("UserRecord"),
            {"user_id": user.pk},
            {
                "num_orders": 1,
                "num_order_lines": order.num_lines,
                "num_order_items": order.num_items,
                "total_spent": order.total_incl_tax,
            },
            date_last_order=order.date_placed,
        )


OURS = [
    (product_viewed, "receive_product_view", record_product_view),
    (basket_addition, "receive_basket_addition", record_basket_addition),
    (order_placed, "receive_order_placed", record_order),
]


class AnalyticsConfig(OscarAnalyticsConfig):
    def ready(self):
        super().ready()  # imports Oscar's receivers, which connects them
        from oscar.apps.analytics import receivers

        for signal, oscar_receiver, ours in OURS:
            signal.disconnect(getattr(receivers, oscar_receiver))
            signal.connect(ours, dispatch_uid=f"shop.analytics.{ours.__name__}")

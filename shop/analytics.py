"""Oscar's analytics app, with counters that can never break the request that counts, and views
counted without a database write.

Views. Oscar's receiver UPDATEs analytics_productrecord on every product view: a write in every GET,
a row lock that every shopper on a popular product queues on, and nothing counted when the page
cache serves the page. Here a view is one atomic increment of a counter in the cache
(count_view(): key analytics:views:product:<id> or analytics:views:article:<id>; with Redis,
sent in batches of at most a second, ViewBatch), from the
product_viewed signal on a render and from the page cache (shop/pagecache.py) on a hit; articles
count in the page cache middleware too (content_pages sends no signal). The huey task
shop.tasks.flush_view_counts moves the counts into ProductRecord.num_views and
shop.models.ArticleRecord.num_views every five minutes (flush_view_counts()). A signed-in customer's
own history (UserRecord.num_product_views, UserProductView) goes through the task queue
(shop.tasks.record_user_product_view), not the request's transaction. Redis down: the views of
that time are not counted (the counters are statistics, not money) and nothing raises.

Other counters. Oscar's receivers (oscar/apps/analytics/receivers.py) add to a counter row with an
UPDATE and, when no row exists yet, INSERT it and catch the IntegrityError of a lost race. Inside a
request transaction (ATOMIC_REQUESTS) on PostgreSQL that catch comes too late: the failed INSERT has
aborted the whole transaction, the next query fails and the shopper gets a 500. Here the INSERT runs
in a savepoint, so losing the race rolls back only that INSERT and the counter is then added to the
winner's row. Basket additions are counted in their POST; the counters of an order are written after
the order commits (and a failure there is only logged), so the placement transaction neither waits
on the analytics rows nor can be aborted by them.

Installed in place of Oscar's config (INSTALLED_APPS: "shop.analytics.AnalyticsConfig"): same app,
same label, models and migrations; only the receivers of product views, basket additions and
orders are ours. Oscar's search receiver (one INSERT, no counter) is kept.
"""

import atexit
import collections
import logging
import threading
import time
from functools import partial

from django.core.cache import cache
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


VIEW_COUNTER = "analytics:views:{kind}:{pk}"
FLUSH_CHUNK = 500  # counters read per round trip


VIEW_BATCH_SECONDS = 1.0  # a process sends its views to the cache at most this long after the first


class ViewBatch:
    """The views this process counted and has not sent yet. With the store's Redis backend a view
    costs no round trip: the batch goes out in one pipeline (shop.cache's count_many) on the first
    view a second or more after it began, or from a timer a second after its first view, or at
    exit. A worker killed outright loses at most its last second of views (statistics, not money)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.started = None
        self.timer = None

    def add(self, key):
        with self.lock:
            self.counts[key] += 1
            now = time.monotonic()
            if self.started is None:
                self.started = now
                self.timer = threading.Timer(VIEW_BATCH_SECONDS, self.send)
                self.timer.daemon = True
                self.timer.start()
            due = now - self.started >= VIEW_BATCH_SECONDS
        if due:
            self.send()

    def send(self):
        """Send what is waiting (from the timer's thread, a request's, or at exit). The lock is not
        held while Redis answers: a hung Redis costs the sender one timeout (then shop.cache's
        breaker skips it), never a request that only counts a view."""
        with self.lock:
            counts, self.counts, self.started = dict(self.counts), collections.Counter(), None
        count_many = getattr(cache, "count_many", None)
        if counts and count_many is not None:  # None only if the cache backend was swapped (tests)
            count_many(counts)

    def discard(self):
        """Forget what is waiting and stop the timer (tests: one test's views are not the next's)."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.counts, self.started, self.timer = collections.Counter(), None, None


view_batch = ViewBatch()
atexit.register(view_batch.send)


def count_view(kind, pk):
    """One more view of a product or an article ("product" or "article"), in the cache: atomic,
    no database write, fail-soft (Redis down: not counted, no error)."""
    key = VIEW_COUNTER.format(kind=kind, pk=pk)
    if hasattr(cache, "count_many"):  # the store's Redis backend (shop/cache.py): batched
        view_batch.add(key)
        return
    try:
        cache.incr(key)
    except ValueError:  # the first view since the counter was made, or the cache is away
        if not cache.add(key, 1, None):
            try:
                cache.incr(key)
            except ValueError:
                pass


def _counted_kinds():
    from oscar.core.loading import get_model as oscar_model

    from shop.models import ArticleRecord

    Product = oscar_model("catalogue", "Product")
    Article = ArticleRecord._meta.get_field("article").related_model
    return [
        ("product", Product, _model("ProductRecord"), "product_id"),
        ("article", Article, ArticleRecord, "article_id"),
    ]


def flush_view_counts():
    """Move the views counted in the cache into the database; {kind: views moved}.

    Each counter is read, then decremented by what was read (atomic: views counted meanwhile stay
    for the next flush), and only then added to its row. So two flushes at once, or one run twice,
    never count a view twice (the one that decrements below zero gives the difference back and
    writes only what it really took), and a crash between the decrement and the write loses those
    views rather than counting them again."""
    moved = {}
    for kind, model, record_model, field in _counted_kinds():
        moved[kind] = 0
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), FLUSH_CHUNK):
            keys = {VIEW_COUNTER.format(kind=kind, pk=pk): pk for pk in ids[start : start + FLUSH_CHUNK]}
            for key, count in cache.get_many(list(keys)).items():
                taken = _take(key, count)
                if taken:
                    add_to_counters(record_model, {field: keys[key]}, {"num_views": taken})
                    moved[kind] += taken
    return moved


def _take(key, count):
    if not isinstance(count, int) or count <= 0:
        return 0
    try:
        left = cache.decr(key, count)
    except ValueError:  # gone, or the cache is away: nothing taken
        return 0
    if left < 0:  # another flush took some of these first
        try:
            cache.incr(key, -left)
        except ValueError:
            logger.warning("View counter %s: could not give back %d", key, -left)
        return count + left
    return count


def record_product_view(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    count_view("product", product.pk)
    if user and user.is_authenticated:
        from shop.tasks import record_user_product_view

        try:
            record_user_product_view(user.pk, product.pk)
        except Exception:  # the queue is away: the customer's history misses one view, the page is served
            logger.warning("Could not queue the product view of user %s", user.pk, exc_info=True)


def save_user_product_view(user_id, product_id):
    """A signed-in customer viewed a product: their counters and history (the task's work)."""
    add_to_counters(_model("UserRecord"), {"user_id": user_id}, {"num_product_views": 1})
    _model("UserProductView").objects.create(product_id=product_id, user_id=user_id)


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

"""What the product page shows, loaded in a fixed number of queries whatever the product has.

The page shows the product, its price and stock, images, category trail, attributes, recommended
products (as cards, with their own price and first image), the latest approved reviews with a
"verified buyer" flag, and the products this visitor viewed last. Loaded naively that is a query
per relation and per card (17 on the QL Claw's page, more with every accessory or viewed product).

Here it is split by how often it changes:

- price and stock: read fresh on every render, for every product on the page at once (one query);
- everything else, the product row included (with its class, parent and options as annotations so
  the basket form asks nothing), changes only when staff edit the catalogue or a review is saved: kept in the
  cache as plain rows (`PageFacts`, and each product's images under a key of its own), under a
  version that any such save bumps (`bump_catalogue_version`). An order saves none of these rows,
  so orders never empty this cache. A reviewer's "verified buyer" flag follows their orders
  within FACTS_TIMEOUT.

So a warm render of the page asks the database for the stock records and whatever
the page's other tags ask (the shipping rates), plus the recently viewed products when the visitor
has a history cookie: the same number with one image or twenty, no review or a thousand.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.signals import post_init
from oscar.core.loading import get_class, get_model

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")
ProductReview = get_model("reviews", "ProductReview")
CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")

VERSION_KEY = "catalogue:page-version"
# In every key: a deploy that changes what is cached starts with fresh entries. Rows are cached as
# model instances, so a field added by a migration changes the key too (an instance unpickled without
# it would load the field with a query of its own).
SCHEMA = "3." + hashlib.sha256(
    " ".join(
        f.attname for model in (Product, ProductImage, ProductReview) for f in model._meta.concrete_fields
    ).encode()
).hexdigest()[:8]
FACTS_TIMEOUT = 10 * 60
# How many reviews the product page and its JSON-LD show; the rest are on the reviews list.
REVIEWS_SHOWN = 3


@dataclass
class PageFacts:
    """The slow-changing part of a product page, as cached."""

    trail: list  # [(name, url)] of the first category and its ancestors
    attributes: list  # [(name, value as HTML)]
    recommended: list  # Product rows of public recommended products, best first
    review_count: int  # approved reviews
    rating: float | None  # their average score
    reviews: list = field(default_factory=list)  # the latest approved reviews, each with .verified
    images: dict = field(default_factory=dict)  # {pk: [ProductImage]} of the product and the recommended


def catalogue_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_catalogue_version(**kwargs):
    """Signal receiver (catalogue/receivers.py): staff changed a product, image, category,
    attribute or recommendation, or a review was saved; every product page's facts are read again.

    Bumped at once (this connection's next render sees its own change) and again after the commit,
    so facts another request read from the old rows meanwhile do not outlive the change."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def _bump():
    cache.set(VERSION_KEY, time.time_ns(), None)


def product_queryset():
    """The product row as the page needs it: class and parent joined, and whether it has options
    (what Oscar's base_queryset annotates, so the add-to-cart form asks nothing)."""
    return Product.objects.select_related("product_class", "parent", "parent__product_class").annotate(
        has_product_class_options=Exists(Option.objects.filter(productclass=OuterRef("product_class"))),
        has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
    )


def _key(part, pk):
    return f"catalogue:{SCHEMA}:{part}:{pk}"


def _if_current(entry, version):
    """What `entry` holds if it was stored under the catalogue version `version`, else None."""
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    return None


def get_product(pk):
    """(product, read): the product row the page shows (product_queryset()), or (None, None) when
    there is none; `read` is what load() needs for the page's facts, read with the row.

    Cached with the catalogue version it was read under, like the facts (and their images), and read
    with them and the current version in one round trip: building and compiling that query cost a
    third of a render, and every save that changes the row (the product, its class, its parent, an
    option) bumps the version. A new copy per request, never an instance shared between requests
    (load() attaches the page to it)."""
    row_key, facts_key = _key("row", pk), _key("page", pk)
    found = cache.get_many([VERSION_KEY, row_key, facts_key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = catalogue_version()
    product = _if_current(found.get(row_key), version)
    if product is not None:
        # Announce the row as loaded, as one read from the database does (the page cache learns
        # the product's tag from it; shop/pagedeps.py).
        post_init.send(sender=Product, instance=product)
    else:
        product = product_queryset().filter(pk=pk).first()
        if product is None:
            return None, None
        cache.set(row_key, (version, product), FACTS_TIMEOUT)
    return product, (version, _if_current(found.get(facts_key), version))


def load(product, request=None, read=None):
    """Everything the page shows beside `product`, attached to it (`product.page`) and returned.
    `read`: what get_product() read with the row.

    Safe to call twice: the second call returns what the first attached."""
    if getattr(product, "page", None) is not None:
        return product.page
    if read is None:
        version = catalogue_version()
        facts = _if_current(cache.get(_key("page", product.pk)), version)
    else:
        version, facts = read
    if facts is None:
        facts = _build_facts(product)
        cache.set(_key("page", product.pk), (version, facts), FACTS_TIMEOUT)
    viewed = _recently_viewed(request, product) if request is not None else []
    shown = [product, *facts.recommended, *viewed]
    attach_stockrecords(shown)
    attach_images(shown, version, known=facts.images)
    product.page = Page(facts=facts, viewed=viewed)
    return product.page


@dataclass
class Page:
    facts: PageFacts
    viewed: list

    def __getattr__(self, name):
        return getattr(self.facts, name)


def attach_stockrecords(products):
    """Fetch the stock records of all these products in one query and hand each its own, as
    prefetch_related would (the strategy then reads product.stockrecords.all() without a query)."""
    by_product = {}
    for record in StockRecord.objects.filter(product__in={p.pk for p in products}).select_related("partner"):
        by_product.setdefault(record.product_id, []).append(record)
    for product in products:
        _set_prefetched(product, "stockrecords", by_product.get(product.pk, []))


def _images_of(pks):
    """{pk: [ProductImage] in display order} for these products, in one query."""
    images = {pk: [] for pk in pks}
    for image in ProductImage.objects.filter(product__in=list(images)).order_by("display_order", "pk"):
        images[image.product_id].append(image)
    return images


def attach_images(products, version, known=None):
    """Each product's images: from `known` (the page's facts carry the product's and the recommended
    products' own, read with them), else from the cache, the missing ones in one query (then cached).
    So a page with no recently viewed products makes no round trip for its images."""
    known = known or {}
    keys = {p.pk: _key("images", p.pk) for p in products if p.pk not in known}
    cached = cache.get_many(list(keys.values())) if keys else {}
    found = {pk: _if_current(cached.get(key), version) for pk, key in keys.items()}
    missing = [pk for pk, images in found.items() if images is None]
    if missing:
        fetched = _images_of(missing)
        cache.set_many({keys[pk]: (version, images) for pk, images in fetched.items()}, FACTS_TIMEOUT)
        found.update(fetched)
    for product in products:
        _set_prefetched(product, "images", known[product.pk] if product.pk in known else found[product.pk])


def _set_prefetched(product, relation, rows):
    queryset = getattr(product, relation).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(product, "_prefetched_objects_cache"):
        product._prefetched_objects_cache = {}
    product._prefetched_objects_cache[relation] = queryset


def _build_facts(product):
    category = product.get_categories().first()
    trail = [(c.name, c.get_absolute_url()) for c in category.get_ancestors_and_self()] if category else []
    attributes = [(value.attribute.name, str(value.value_as_html)) for value in product.get_attribute_values()]
    recommended = [
        r.recommendation
        for r in product.primary_recommendations.select_related(
            "recommendation", "recommendation__product_class"
        ).filter(recommendation__is_public=True)
    ]
    approved = ProductReview.objects.approved().filter(product=product)
    summary = approved.aggregate(count=Count("pk"), total=Sum("score"))
    count = summary["count"] or 0
    reviews = []
    if count:
        latest = approved.select_related("user").order_by("-date_created", "-pk")
        reviews = list(with_verified_flag(latest, product)[:REVIEWS_SHOWN])
    return PageFacts(
        trail=trail,
        attributes=attributes,
        recommended=recommended,
        review_count=count,
        rating=(summary["total"] / count) if count else None,
        reviews=reviews,
        images=_images_of([product.pk, *(r.pk for r in recommended)]),
    )


def with_verified_flag(reviews, product):
    """`reviews` (a queryset) with `.verified`: the reviewer has an order of `product` that was
    not cancelled or refunded in full. One subquery in the same query, for any number of reviews."""
    from product_reviews.verification import bought

    return reviews.annotate(verified=bought(product_ref=product.pk, user_ref=OuterRef("user")))


def _recently_viewed(request, current):
    ids = [pk for pk in CustomerHistoryManager.extract(request) if pk != current.pk]
    if not ids:
        return []
    found = Product.objects.browsable().select_related("product_class").in_bulk(ids)
    return [found[pk] for pk in reversed(ids) if pk in found]

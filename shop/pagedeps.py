"""What each cached page was rendered from, and what each save changes: the tags of the page
cache (shop/pagecache.py, docs/page-cache.md).

A tag names one thing pages show:

    product:<id>     a product and its price (Product, its images and links, a stock record's
                     price: a staff edit of the stock record bumps it too)
    stock:<id>       its exact stock, shown on its own page only, as a live hole filled in on
                     each hit (shop/livestock.py); every order bumps it
    avail:<id>       its shelf state (in stock / only N left / unavailable,
                     shop/apps/partner/availability.py), shown everywhere else; an order bumps it
                     only when the state changes
    reviews:<id>     its reviews and rating
    article:<id>     an article, its citations, videos and product links
    comments:<id>    the comments of an article
    video:<id>       a tutorial video
    list:catalogue   which products exist and are browsable (home, catalogue, categories)
    content:articles which articles are published, and which products they link to
    content:videos   which videos exist and where they are placed
    basket:<id>      one basket: its lines, vouchers and status (the cart page, cached per basket)
    vouchers         any voucher: its dates, usage and offers (only the cart shows vouchers)
    offer-usage      how often the offers were used (an order that used one records it): which
                     capped offers are still available, shown by the cart only; any other change
                     of an offer is "site"
    site             everything else of settings.PAGE_CACHE_APPS (shipping charges, offers,
                     flat pages, partners, categories): every page depends on it

Pages learn their tags while they render, from the data layer, through content_pages.cache's
recording (a context variable): the pricing strategy names product:/stock:/avail: for each product
it prices (shop/apps/partner/strategy.py); every Product, ProductReview, Article, TutorialVideo,
Comment and saved Basket loaded from the database names its own tag (a post_init receiver, connected only to these
models and doing nothing outside a page render); content pieces cached by content_pages replay the
tags they were built from; settings.PAGE_CACHE_VIEW_TAGS adds each view's lists.

A save or delete in PAGE_CACHE_APPS bumps only its tags (tags_for_change), after the commit: a tag's
version is the time of its last change (time.time_ns()), kept in the cache with no expiry. Inside the
transaction, the saving connection records its changes as pending (pending_tags()): its own pages see
them at once and no Redis call is made before the commit (the order placement allocates stock).
"""

import time
from dataclasses import dataclass, field
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from content_pages.cache import recording, recording_now, used

__all__ = [
    "depends_on", "recording", "recording_now", "bump_tags", "tag_key", "tag_lifetime", "pending_tags",
    "bump_page_version",
]

depends_on = used  # the page cache's name for it
SITE = "site"
# Any product's price or shelf state (a staff edit of a stock record, or a stock move that changed
# the state): what the catalogue's filter counts and in-stock lists are computed from.
SHELF = "shelf"
VOUCHERS = "vouchers"
OFFER_USAGE = "offer-usage"
# What an order that used an offer changes on it (ConditionalOffer.record_usage).
OFFER_USAGE_FIELDS = ("num_applications", "total_discount", "num_orders")
TAG_PREFIX = "pagecache:tag:"
PENDING = "_pagecache_pending"  # on a database connection: its uncommitted changes, by tag


# Seconds a tag's version is kept, by prefix; others are kept for good. There is one basket tag per
# basket ever shown, so those expire: a version gone from the cache makes what depends on it stale,
# never fresh, so any lifetime is safe, and a day outlives every page entry.
TAG_LIFETIMES = {"basket:": 24 * 3600}


def tag_key(tag):
    return TAG_PREFIX + tag


def tag_lifetime(tag):
    for prefix, seconds in TAG_LIFETIMES.items():
        if tag.startswith(prefix):
            return seconds
    return None


# -- what a page was rendered from ----------------------------------------------------------


def _loaded(tags_of, sender, instance, **kwargs):
    if recording_now():
        used(*tags_of(instance))


LOADED = {
    "catalogue.product": lambda product: [f"product:{product.pk}"],
    "reviews.productreview": lambda review: [f"reviews:{review.product_id}"],
    "content_pages.article": lambda article: [f"article:{article.pk}"],
    "content_pages.tutorialvideo": lambda video: [f"video:{video.pk}"],
    "article_comments.comment": lambda comment: [f"comments:{comment.article_id}"],
    "basket.basket": lambda basket: [f"basket:{basket.pk}"] if basket.pk else [],
}


# -- what a save changes ---------------------------------------------------------------------

# Fields whose change alters which articles are published or where they appear.
ARTICLE_LISTING = ("status", "publish_at", "slug")
# A product save that changed none of these (Oscar saves the product when a review changes its
# rating) changes only what shows the reviews.
PRODUCT_UNLISTED = ("rating", "date_updated")


def snapshot(fields, sender, instance, **kwargs):
    """post_init of Product, Article and ConditionalOffer: the values a later save is compared with."""
    instance._pagecache_loaded = {name: instance.__dict__.get(name) for name in fields(instance)}


def _product_fields(product):
    return [f.attname for f in product._meta.concrete_fields if f.attname not in PRODUCT_UNLISTED]


def _article_fields(article):
    return ARTICLE_LISTING


def _offer_fields(offer):
    return [f.attname for f in offer._meta.concrete_fields if f.attname not in OFFER_USAGE_FIELDS]


def _changed(instance):
    loaded = getattr(instance, "_pagecache_loaded", None)
    if loaded is None:
        return True  # built in memory, or loaded with only some fields: assume everything changed
    return any(instance.__dict__.get(name) != value for name, value in loaded.items())


def _product_ids(instance):
    """The products a catalogue row belongs to (an image, an attribute value, a category link)."""
    ids = []
    for f in instance._meta.concrete_fields:
        if f.is_relation and f.related_model is not None and f.related_model._meta.label_lower == "catalogue.product":
            value = getattr(instance, f.attname)
            if value is not None:
                ids.append(value)
    return ids


def _stockrecord_tags(record, created, deleted):
    pid = record.product_id
    move = getattr(record, "_pagecache_stock_move", None)
    if move is None or created or deleted:  # a staff edit: price, stock, threshold, partner
        return {f"product:{pid}", f"stock:{pid}", f"avail:{pid}", SHELF}
    before, after = move
    tags = {f"stock:{pid}"}
    if before is None or before != after:
        tags.update((f"avail:{pid}", SHELF))
    return tags


def tags_for_change(instance, created=False, deleted=False):
    label = instance._meta.label_lower
    app = instance._meta.app_label
    new_or_gone = created or deleted
    if label == "catalogue.product":
        pid = instance.pk
        if not new_or_gone and not _changed(instance):
            return {f"reviews:{pid}"}
        tags = {f"product:{pid}", "list:catalogue"}
        if instance.parent_id:
            tags.add(f"product:{instance.parent_id}")
        return tags
    if label == "partner.stockrecord":
        return _stockrecord_tags(instance, created, deleted)
    if label == "reviews.productreview":
        return {f"reviews:{instance.product_id}"}
    if label == "reviews.vote":
        try:
            return {f"reviews:{instance.review.product_id}"}
        except ObjectDoesNotExist:  # deleted with its review, which bumped the tag itself
            return set()
    if label == "content_pages.article":
        tags = {f"article:{instance.pk}"}
        if new_or_gone or _changed(instance):
            tags.add("content:articles")
        return tags
    if label in ("content_pages.citation",):
        return {f"article:{instance.article_id}"}
    if label == "content_pages.articlevideo":
        return {f"article:{instance.article_id}", f"video:{instance.video_id}"}
    if label == "content_pages.articleproduct":
        return {f"article:{instance.article_id}", "content:articles"}
    if label == "content_pages.tutorialvideo":
        return {f"video:{instance.pk}", "content:videos"} if new_or_gone else {f"video:{instance.pk}"}
    if label in ("content_pages.productvideo", "content_pages.videoplacement"):
        return {"content:videos"}
    if app == "article_comments" and getattr(instance, "article_id", None) is not None:
        return {f"comments:{instance.article_id}"}
    if label == "offer.conditionaloffer" and not new_or_gone and not _changed(instance):
        return {OFFER_USAGE}  # only its usage counts: not every page's "site"
    if label == "basket.basket":
        return {f"basket:{instance.pk}"}
    if label == "basket.line":
        return {f"basket:{instance.basket_id}"}
    if app == "basket":
        # A line's options are written with the line, in the same request: its save bumps the tag.
        return set()
    if app == "voucher":
        return {VOUCHERS}
    if app == "catalogue":
        ids = _product_ids(instance)
        if ids:
            return {f"product:{pid}" for pid in ids} | {"list:catalogue"}
    return {SITE}


# -- pending changes and the bump after the commit -------------------------------------------


@dataclass
class Pending:
    """One connection's changes not committed yet: {tag: marker}, and a name for its own pages."""

    outer: object  # the outermost atomic block: a new transaction starts with nothing pending
    tags: dict = field(default_factory=dict)
    name: str = field(default_factory=lambda: str(time.time_ns()))


def pending_tags(using=None, create=False):
    """The Pending of this thread's open transaction, or None (no transaction, nothing saved)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block or not connection.atomic_blocks:
        return None
    outer = connection.atomic_blocks[0]
    pending = getattr(connection, PENDING, None)
    if pending is None or pending.outer is not outer:
        if not create:
            return None
        pending = Pending(outer)
        setattr(connection, PENDING, pending)
    return pending


def bump_tags(tags):
    """New versions for these tags; shop.cache fails soft (a lost write is deleted once Redis is
    back, and a missing tag makes every page that depends on it stale)."""
    now = time.time_ns()
    by_lifetime = {}
    for tag in tags:
        by_lifetime.setdefault(tag_lifetime(tag), {})[tag_key(tag)] = now
    for lifetime, versions in by_lifetime.items():
        cache.set_many(versions, lifetime)


def bump_page_version(sender, instance=None, using=None, **kwargs):
    """post_save / post_delete receiver for every model of settings.PAGE_CACHE_APPS.

    Until the commit only this connection sees the change, so only its own pages must show it:
    the tags are marked pending on the connection, which costs no Redis call. The shared versions
    are bumped after the commit (robust: a failure there is logged by Django and the order or edit
    stands), so a page another request rendered from the old rows meanwhile does not outlive it."""
    if instance is None:
        return
    deleted = "created" not in kwargs  # post_delete sends no `created`
    tags = tags_for_change(instance, created=bool(kwargs.get("created")), deleted=deleted)
    changed(tags, using)
    if f"stock:{getattr(instance, 'product_id', None)}" in tags:
        from shop import livestock  # the product page's exact stock, filled in on its cached page

        transaction.on_commit(partial(livestock.publish, instance.product_id), using=using, robust=True)


def changed(tags, using=None):
    """These tags changed: pending on this connection now, bumped for everyone after the commit."""
    if not tags:
        return
    pending = pending_tags(using, create=True)
    if pending is not None:
        marker = time.time_ns()
        pending.tags.update(dict.fromkeys(tags, marker))
    transaction.on_commit(partial(bump_tags, tags), using=using, robust=True)


def basket_vouchers_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """m2m_changed of Basket.vouchers: a code applied to or taken off a basket changes its cart."""
    if not action.startswith("post_"):
        return
    if not reverse:
        changed({f"basket:{instance.pk}"}, using)
    elif action == "post_clear":  # a voucher taken off every basket, which are no longer known
        changed({VOUCHERS}, using)
    else:
        changed({f"basket:{pk}" for pk in pk_set or ()}, using)


def catalogue_links_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """m2m_changed of a product's categories and options and of a product class's options: what
    the product's page (its add-to-cart form, its breadcrumbs) and the category lists show. A link
    added or removed through the relation sends no post_save."""
    if not action.startswith("post_"):
        return
    if reverse and action == "post_clear":  # a category or option taken off products no longer known
        changed({SITE}, using)
        return
    from django.apps import apps
    from django.db.models import Q

    Product = apps.get_model("catalogue", "Product")
    ids = {instance.pk} if not reverse else set(pk_set or ())
    if sender is apps.get_model("catalogue", "ProductClass").options.through:  # ids are product classes
        of_class = Q(product_class__in=ids) | Q(parent__product_class__in=ids)
        ids = set(Product.objects.filter(of_class).values_list("pk", flat=True))
    changed({f"product:{pk}" for pk in ids} | {"list:catalogue"}, using)


SNAPSHOTS = {
    "catalogue.product": _product_fields,
    "content_pages.article": _article_fields,
    "offer.conditionaloffer": _offer_fields,
}


def connect_page_dependencies():
    """post_init receivers (from ShopConfig.ready): the rows a page loads name their tags, and
    Product and Article remember what they were loaded with."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_init

    for label, tags_of in LOADED.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # an app of the list not installed
            continue
        post_init.connect(partial(_loaded, tags_of), sender=model, weak=False, dispatch_uid=f"pagecache-loaded-{label}")
    for label, fields in SNAPSHOTS.items():
        uid = f"pagecache-snapshot-{label}"
        post_init.connect(partial(snapshot, fields), sender=apps.get_model(label), weak=False, dispatch_uid=uid)
    through = apps.get_model("basket", "Basket").vouchers.through
    m2m_changed.connect(basket_vouchers_changed, sender=through, dispatch_uid="pagecache-basket-vouchers")
    Product, ProductClass = apps.get_model("catalogue", "Product"), apps.get_model("catalogue", "ProductClass")
    for name, through in (
        ("categories", Product.categories.through),
        ("product-options", Product.product_options.through),
        ("class-options", ProductClass.options.through),
    ):
        m2m_changed.connect(catalogue_links_changed, sender=through, dispatch_uid=f"pagecache-{name}")

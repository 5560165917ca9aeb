"""The exact stock on a product's own page, filled in on every page-cache hit.

The product page says how many are left ("In stock (7 available)"). Before, that number made the
page depend on stock:<id>, which every order bumps: at 5 orders a second the page was stale all the
time and one worker re-rendered it without pause. Now the number is a hole in the cached page,
like the CSRF token: the page depends on the product's shelf state (avail:<id>: in stock, only N
left, unavailable; what changes the add-to-cart form and the JSON-LD) and on its price, and the
message is read on each hit from a per-product key, in the same round trip as the tag versions.

The key holds {"version": v, "message": m}: the message as of the stock tag's version v. A hit uses
it only when v is the tag's current version; otherwise (an order committed and its message is not
published yet, a key lost from the cache) the stock tag counts as changed and the page cache does
what it did before: serve the page stale for a moment while one worker renders it.

Who writes the key: after the commit of every stock move, publish() reads the tag's version, then
the stock record from the database, and stores both. The read comes after the version, and the
version was set after its order's commit, so the message is at least as new as that version (a
later order's commit, seen early, makes it newer: its own publish() follows). Two publish() calls
that land out of order leave an older version in the key: no hit uses it, the page renders. A
render that stores the page also stores the message it rendered, under the version it was
rendered from (the page cache's own rule: bumped before the render began).
"""

import html
import re

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

from shop.pagedeps import tag_key

# <!--live:stock:<id>-->message<!--/live--> in a rendered page.
MARKED = re.compile(rb"<!--live:stock:(\d+)-->(.*?)<!--/live-->", re.S)
KEY = "pagecache:live:stock:{pk}"


def stock_tag(pk):
    return f"stock:{pk}"


def live_key(pk):
    return KEY.format(pk=pk)


def mark(product_id, message):
    """The availability message as a live hole (product_page_tags.live_stock_message)."""
    return mark_safe(f"<!--live:stock:{int(product_id)}-->{escape(message)}<!--/live-->")  # noqa: S308 (escaped)


def holes(content):
    """{product id: the message rendered there} for the live holes of a rendered page."""
    return {int(pk): html.unescape(message.decode()) for pk, message in MARKED.findall(content)}


def marked(product_id, message):
    """A live hole with this message in it, as the page's bytes (escaped)."""
    return b"<!--live:stock:%d-->%s<!--/live-->" % (product_id, escape(message).encode())


def current(entries, versions):
    """{product id: message} from the live keys read (entries: {pk: key's value or None}) whose
    version is the stock tag's current one (versions: {pk: current version}); None if any is not."""
    messages = {}
    for pk, entry in entries.items():
        if not isinstance(entry, dict) or versions.get(pk) is None or entry.get("version") != versions[pk]:
            return None
        messages[pk] = entry["message"]
    return messages


def in_flight(entries, versions, now, grace, limit):
    """{product id: message} while each changed stock tag's new message is on its way: the tag was
    bumped less than `grace` ns ago and its live key holds the message of an earlier bump, published
    less than `limit` ns ago. The page then shows the newest number known, a moment behind, without
    a re-render. None otherwise (a publish lost or out of order, a product quiet for a while): the
    page is stale and one worker renders it."""
    messages = {}
    for pk, entry in entries.items():
        version = versions.get(pk)
        if version is None or not 0 <= now - version < grace:
            return None
        if not isinstance(entry, dict) or "message" not in entry or not isinstance(entry.get("version"), int):
            return None
        if not (entry["version"] < version and now - entry["version"] < limit):
            return None
        messages[pk] = entry["message"]
    return messages


def latest(entries):
    """{product id: message} of every live key read, whatever its version: for a page served stale
    for a moment, the newest message known beats the one the page was stored with (which may be
    minutes old, since hits fill the hole)."""
    return {pk: entry["message"] for pk, entry in entries.items() if isinstance(entry, dict) and "message" in entry}


def store(pk, version, message):
    cache.set(live_key(pk), {"version": version, "message": message}, None)


def message_for(product_id):
    """The product page's availability message, read from the database now."""
    from oscar.core.loading import get_class, get_model

    Product = get_model("catalogue", "Product")
    Selector = get_class("partner.strategy", "Selector")
    product = Product.objects.select_related("product_class").filter(pk=product_id).first()
    if product is None:
        return None
    return str(Selector().strategy().fetch_for_product(product).availability.message)


def publish(product_id):
    """After a stock move's commit (shop.pagedeps): the message for the stock tag's version."""
    version = cache.get(tag_key(stock_tag(product_id)))
    if version is None:
        return
    message = message_for(product_id)
    if message is not None:
        store(product_id, version, message)

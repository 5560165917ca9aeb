"""Rendered template fragments, cached by what they show: the page cache's tags, for one block.

The whole-page cache (shop/pagecache.py) serves anonymous shoppers; every other render (a page
after each content save or order, any shopper with a basket or a session, the cart) builds the
whole page again. Most of a page is the same for everyone given a few values: the header and
footer, a product's gallery, description, articles, specs, reviews and recommended cards, the
product cards of a list. ``{% fragment %}`` (shop/templatetags/fragments.py) keeps such a block's
HTML:

    {% load fragments %}
    {% fragment "product-body" product.pk %}...{% uses "product" product.pk %}...{% endfragment %}

Key: "fragment:", the release (templates and static files, shop.pagecache.release()), the name,
a hash of the vary values, the request's scheme and host (absolute URLs), the active language and
the content schedule bucket (content_pages.cache.SCHEDULE_GRANULARITY: scheduled articles appear
on time). Vary values may be None, booleans, numbers, strings, dates, model instances (their
label and pk, nothing else of them) and lists, tuples or querysets of these; anything else raises TypeError,
since its repr would hold a memory address (never a hit) or say less than it shows.

Freshness: the tags of the page cache (shop/pagedeps.py). While the block renders, a recording
(content_pages.cache.recording()) collects the tags of what it loads (the pricing strategy,
every Product, review, article and video loaded, cached content pieces) plus "site", and whatever
it names itself with ``{% uses %}`` (rows loaded before the block, or served from a cache, name
no tag inside it). The entry keeps each tag's version; a hit reads the current versions in one
get_many and is served only if every one is unchanged: never stale, unlike pages. A hit replays
its tags into the recording around it, so a cached page that contains the fragment still learns
them. An entry is stored only if each tag was last bumped before the render began, less
PAGE_CACHE_CLOCK_SKEW (the page cache's rule, shared with it).

Cost of a hit: the fragments of one page share most tags (site, the product's), so each tag's
version is read once per request; and each process keeps a copy of the entries it has read or
stored (LocalEntries: a copy is served only while its tag versions are the current ones, read
from the shared cache), so a hit is one get_many at most, often no round trip at all.

Per-request values are never shared: the CSP nonce and the CSRF token are stored as placeholders
and filled in on every hit (as the page cache does), hidden fields of PAGE_CACHE_FRESH_FIELDS are
made fresh, and a fragment that showed a tutorial video sets the request's video-frames flag
(shop.security) on a hit too.

Rendered live, neither read nor stored: FRAGMENT_CACHE_TIMEOUT = 0, no request in the context,
the cache unavailable (shop.cache's breaker: Redis down), or this connection with uncommitted
page-cache changes (shop.pagedeps.pending_tags()): its own changes must show, and only to it.
"""

import collections
import datetime
import decimal
import hashlib
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model, QuerySet
from django.middleware.csrf import get_token
from django.utils import translation

from content_pages import cache as content_cache
from shop import pagecache
from shop.cache import cache_is_available
from shop.pagedeps import SITE, pending_tags, recording, tag_key, used

NONCE_HOLE = pagecache.NONCE_HOLE
CSRF_HOLE = pagecache.CSRF_HOLE.decode()
CSRF_INPUT = pagecache.CSRF_INPUT
CSRF_TOKEN_HOLE = "__pagecache_csrf__"
PLAIN = (str, int, float, decimal.Decimal, bool, type(None), datetime.date, datetime.time)


def timeout():
    return getattr(settings, "FRAGMENT_CACHE_TIMEOUT", 300)


def vary_repr(value):
    """A stable text for one vary value (see the module docstring for what may be passed)."""
    if isinstance(value, PLAIN):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, Model):
        return f"{value._meta.label_lower}:{value.pk!r}"
    if isinstance(value, list | tuple | QuerySet):  # a queryset is evaluated: its rows' labels and pks
        return "[" + ",".join(vary_repr(item) for item in value) + "]"
    raise TypeError(f"{type(value).__name__} cannot vary a fragment: pass ids, pks or strings")


def fragment_key(request, name, vary):
    digest = hashlib.sha256(
        "\n".join(
            [
                name,
                vary_repr(list(vary)),
                request.scheme,
                request.get_host(),
                translation.get_language() or "",
                str(content_cache.schedule_bucket()),
            ]
        ).encode()
    ).hexdigest()
    return f"fragment:{pagecache.release()}:{name}:{digest}"


def _versions(tags, started):
    """{tag: version}, or None when a tag changed after `started` less the clock skew: the page
    cache's rule (pagecache.tag_versions).
    Never called with pending changes: those fragments are rendered live."""
    versions, _private = pagecache.tag_versions(tags, started, None)
    return versions


# {page path: the tags its fragments read}, per process: the first fragment of a page reads them
# all in one round trip, as a page-cache hit reads its entry's (at most KNOWN_PAGES paths).
_page_tags = {}


def _current_versions(request, tags):
    """{tag: current version or None}: one get_many for the tags this request has not read yet.
    The fragments of one page share most of their tags (site, the product's): a page reads each
    once, as one render of the page reads each row once; and the first fragment also reads the
    tags this process saw the page's other fragments need, so a page costs one round trip."""
    known = request.__dict__.get("_fragment_versions")
    if known is None:
        known = request._fragment_versions = {}
    missing = [tag for tag in tags if tag not in known]
    if missing:
        seen = _page_tags.get(request.path)
        wanted = set(missing)
        if seen is not None:
            wanted |= seen - known.keys()
        found = cache.get_many([tag_key(tag) for tag in wanted])
        known.update({tag: found.get(tag_key(tag)) for tag in wanted})
        if seen is None or not seen.issuperset(missing):
            if len(_page_tags) >= pagecache.KNOWN_PAGES:
                _page_tags.clear()
            _page_tags[request.path] = (seen or set()) | set(missing)
    return known


def _fresh(request, entry):
    current = _current_versions(request, entry["tags"])
    return all(current[tag] == version for tag, version in entry["tags"].items())


class LocalEntries:
    """This process's copy of the entries it has read or stored, by key (at most SIZE, the
    oldest dropped first). A copy saves the round trip for the HTML. It is served only while its
    tag versions are the current ones (always read from the shared cache); once a tag changed,
    the shared entry is read, which another process may have rendered again meanwhile."""

    SIZE = 1000

    def __init__(self):
        self.entries = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and entry["expires"] <= time.monotonic():
                del self.entries[key]
                return None
            return entry

    def put(self, key, entry, seconds):
        entry = {**entry, "expires": time.monotonic() + seconds}
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.SIZE:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_entries = LocalEntries()


def _fresh_entry(request, key):
    """The entry under key if it is fresh: this process's copy, else the shared one (another
    process may have stored a newer render under the same key since this copy was taken)."""
    entry = local_entries.get(key)
    if entry is not None and _fresh(request, entry):
        return entry
    entry = cache.get(key)
    if entry is None or not _fresh(request, entry):
        return None
    local_entries.put(key, entry, timeout())
    return entry


def _started(request):
    """When the render of this request began, for the store rule: the page cache's own start when
    it may store the page (a tag missing from the cache is given a version before that, not one
    after it, which would keep the page from being stored), else the first fragment's."""
    plan = getattr(request, "_page_cache", None)
    if plan is not None:
        return plan["started"]
    return request.__dict__.setdefault("_fragments_started", time.time_ns())


def _pending():
    pending = pending_tags()
    return pending is not None and bool(pending.tags)


def render(request, name, vary, render_body):
    """The block's HTML: from the cache when fresh, else render_body() (stored when it may be)."""
    if not _usable(request):
        return render_body()
    frames_before = getattr(request, "_csp_video_frames", False)

    def entry_of(html):
        return {
            "html": _with_holes(request, str(html)),
            "video_frames": not frames_before and getattr(request, "_csp_video_frames", False),
        }

    return _cached(request, fragment_key(request, name, vary), render_body, entry_of, _replay)


def value(request, name, vary, build):
    """build()'s result, cached like a fragment (same key, tags and store rule) for what a view
    computes that is the same for every shopper given the vary values: it must be picklable and
    never changed by its users (a process shares its copy between requests). Rows that name no tag
    when loaded (shop.pagedeps.LOADED) must be named by build() with used()."""
    if not _usable(request):
        return build()
    return _cached(request, fragment_key(request, f"value:{name}", vary), build,
                   lambda result: {"value": result}, _replay_value)


def _usable(request):
    return request is not None and bool(timeout()) and cache_is_available() and not _pending()


def _cached(request, key, build, entry_of, replay):
    entry = _fresh_entry(request, key)
    if entry is not None:
        return replay(request, entry)
    started = _started(request)
    with recording() as tags:
        result = build()
    if _pending():  # the build itself saved something (it should not): keep it private
        return result
    versions = _versions(tags | {SITE}, started)
    if versions is not None:
        entry = {**entry_of(result), "tags": versions}
        cache.set(key, entry, timeout())
        local_entries.put(key, entry, timeout())
        request.__dict__.setdefault("_fragment_versions", {}).update(versions)
    return result


def _replay_value(request, entry):
    used(*entry["tags"])
    return entry["value"]


def _with_holes(request, html):
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        html = html.replace(str(nonce), NONCE_HOLE)
    return CSRF_INPUT.sub(pagecache.CSRF_HOLE, html.encode()).decode()


def _replay(request, entry):
    used(*entry["tags"])
    if entry["video_frames"]:
        request._csp_video_frames = True
    html = entry["html"]
    if NONCE_HOLE in html:
        html = html.replace(NONCE_HOLE, str(request.csp_nonce))
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, CSRF_HOLE.replace(CSRF_TOKEN_HOLE, get_token(request)))
    for field_name in getattr(settings, "PAGE_CACHE_FRESH_FIELDS", {}):
        if f'name="{field_name}"' in html:  # rare: the fields are imported only when there is one
            refresh = pagecache._fresh_fields()[field_name]
            content = pagecache._field_pattern(field_name).sub(
                lambda m, refresh=refresh: m[1] + refresh(m[2].decode()).encode() + m[3], html.encode()
            )
            html = content.decode()
    return html

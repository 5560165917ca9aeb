"""Whole-page cache for anonymous shoppers, with the per-request parts filled in on every hit.

Most visitors read the home page, the product page and the articles without a basket or a
login, and those pages are the same for all of them except for a few values that must never be
shared: the CSP nonce, the CSRF token in the add-to-cart and comment forms, and the signed
"form served at" timestamp of the comment form. The page is stored with those values replaced by
placeholders and each hit puts fresh ones in, so a cached page is indistinguishable from a
rendered one (same nonce in the header and the scripts, a CSRF cookie that matches the form).

What is never cached: anything but GET/HEAD on the views in settings.PAGE_CACHE_VIEWS; a
request with a session (signed-in users, staff, anyone with messages waiting), a basket cookie
or a messages cookie; query strings other than ?page=N; responses that are not a 200 HTML page,
set cookies, are marked private/no-store, or queued a message. The cart (PER_BASKET_VIEWS) is the
exception to the basket cookie: it is kept per basket, the cookie in its key, and depends on
basket:<id> (strict: a changed basket is never served stale) and, through PAGE_UNTIL, on the next
time an offer or voucher starts or ends (checkout/cart.py). Every checkout view is never cached.

Freshness, by what changed (docs/page-cache.md). Each entry records the tags it was rendered from
(shop/pagedeps.py: product:<id>, stock:<id>, avail:<id>, article:<id>, list:catalogue, site...,
learnt during the render from the data layer) with the version each had. A hit reads the current
versions of its tags in one round trip (get_many) and is served only if none changed; a save bumps
only its own tags, after the commit. An order bumps stock:<id>, which only the product's own page
shows, as a live hole: the hit fills in the message published for the new version
(shop/livestock.py), read in the same round trip, and the page stays a hit. The home page and the
articles show the product's shelf state (avail:<id>) rather than its exact stock and stay cached
until the state changes. The key holds the release (templates and static
files: a deploy starts afresh); entries also go stale after PAGE_CACHE_TIMEOUT and when the content
cache's five-minute schedule bucket turns, so scheduled articles appear on time.

Stale while revalidate: when an entry is stale, the first request to see it takes a short lock
(cache.add, PAGE_CACHE_LOCK_SECONDS) and renders; meanwhile the others serve the stale page
(X-Page-Cache: stale) for at most PAGE_CACHE_STALE_SECONDS after the change. Never for a change of
a tag in PAGE_CACHE_STRICT_TAGS (price and product, site-wide charges and offers: what a shopper
pays is never shown stale), nor for the connection's own pending changes, nor when a tag's version
is gone from the cache: then every request renders until one stores a fresh page.

A page is stored only if each of its tags was last bumped before the render began (minus
PAGE_CACHE_CLOCK_SKEW, for servers whose clocks differ): a change committed while the page was
reading the database could otherwise be stored as fresh.

The front door (PageCacheFrontDoor, in MIDDLEWARE after WhiteNoise): a fresh hit for an anonymous
shopper goes through only the middleware that act on such a request (compression, CSRF cookie,
CSP...), not the session, login, messages, basket, rate-limit and flat-page
middleware or Django's view machinery, none of which do anything for it; every other request
(a miss, a stale entry, a POST, the cart, anyone with a session) goes down the whole stack as
before, reusing what the front door read. The middleware it passes over are FRONT_DOOR_SKIPS; any
other is run. Measured with wrk at 8 connections on 2 cores: the cached product page from 623 to 724
requests/s, the article from 560 to 664. tests/functional/test_page_cache_front_door.py checks that
the two paths give the same page and headers.

Views are counted here (shop/analytics.py): a hit counts the product or article it shows, in the
cache, so a GET writes nothing to the database, cached or not.

Redis down: the cache is an accelerator, never needed for a page or a sale. While the cache
backend says it is unavailable (shop.cache's breaker) the page cache is bypassed and every page
renders. The tag bumps make no Redis call inside a transaction (the order placement saves a
StockRecord); after the commit a bump Redis cannot take is dropped without raising, and the
fail-soft backend deletes the tag's key once Redis is back: a missing tag makes every page that
depends on it stale, so no page stored before the outage is served after it.
"""

import functools
import hashlib
import re
import time
from pathlib import Path
from types import SimpleNamespace

import django
import oscar
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed, SuspiciousOperation
from django.core.handlers.exception import convert_exception_to_response
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from oscar.core.loading import get_class

from content_pages import cache as content_cache
from shop import analytics, livestock
from shop.cache import cache_is_available
from shop.pagedeps import SITE, bump_page_version, pending_tags, recording, tag_key, tag_lifetime
from shop.urlmatch import PathMatcher

__all__ = ["AnonymousPageCacheMiddleware", "HEADER", "PAGE_UNTIL", "PageCacheFrontDoor", "bump_page_version",
           "may_store", "release"]

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")

ENTRY_FORMAT = 2  # 2: the page as its parts between holes (Holes)
NONCE_HOLE = "__pagecache_nonce__"
CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
CSRF_HOLE = b'<input type="hidden" name="csrfmiddlewaretoken" value="__pagecache_csrf__">'
PAGE_PARAM = re.compile(r"^[1-9][0-9]{0,3}$")
HEADER = "X-Page-Cache"
# The request attribute a view sets (time.time_ns()) when its page is true only until then.
PAGE_UNTIL = "_page_cache_until"
# The lists each view shows besides what its rendering reads ("{pk}": from the URL); settings.
# PAGE_CACHE_VIEW_TAGS adds to or replaces these. A view not listed depends on every list, to be safe.
VIEW_TAGS = {
    "home": ["list:catalogue", "content:videos"],
    "catalogue:index": ["list:catalogue"],
    "catalogue:category": ["list:catalogue"],
    "catalogue:detail": ["reviews:{pk}", "content:articles", "content:videos"],
    "content_pages:article-list": ["content:articles"],
    "content_pages:article-detail": ["content:articles"],
    "content_pages:tutorial-list": ["content:articles", "content:videos"],
    "basket:summary": ["list:catalogue", "content:videos", "vouchers", "offer-usage"],
}
# Views cached per basket: the basket cookie is part of the key instead of keeping the page out.
PER_BASKET_VIEWS = {"basket:summary"}
DEFAULT_VIEW_TAGS = ["list:catalogue", "content:articles", "content:videos"]
FRESH, SOFT, HARD = "fresh", "stale", "hard"
LIVE_STOCK = 0  # an entry's version for a live stock tag: always filled in from shop/livestock.py
KNOWN_PAGES = 5000  # pages whose dependencies a worker remembers, to read them with the page
_known = {}  # {page key: the keys its entry depends on}, per worker (remember)
FRONT_DOOR = "shop.pagecache.PageCacheFrontDoor"
# What a fresh hit for an anonymous shopper with no session, basket or messages cookie does not need:
# each acts on a session, a login, messages, a basket, a POST or a 404, and such a request has none.
FRONT_DOOR_SKIPS = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shop.ratelimits.RateLimitMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "checkout.middleware.ReturnFrozenBasketMiddleware",
    "shop.pagecache.AnonymousPageCacheMiddleware",
}


@functools.cache
def release():
    """A fingerprint of the code that renders the pages: the project's templates, the static
    manifest (hashed file names) and the Django and Oscar versions. A deploy that changes any of
    them starts with an empty page cache instead of serving old HTML that links to static files
    the new release no longer has; every server and worker of one release computes the same. The
    form of a stored entry (ENTRY_FORMAT) is part of it: code that stores pages differently never
    reads the old ones."""
    digest = hashlib.sha256(f"{ENTRY_FORMAT} {django.get_version()} {oscar.get_version()}".encode())
    base = Path(settings.BASE_DIR)
    apps = [path for path in base.iterdir() if (path / "__init__.py").is_file()]  # shop/, catalogue/, ...
    files = sorted(path for app in apps for path in app.rglob("templates/**/*.html"))
    manifest = Path(settings.STATIC_ROOT or base) / "staticfiles.json"
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fresh_fields():
    """{hidden input name: function(old value) -> new value} from settings.PAGE_CACHE_FRESH_FIELDS."""
    return {name: import_string(path) for name, path in getattr(settings, "PAGE_CACHE_FRESH_FIELDS", {}).items()}


class Holes:
    """A stored page is kept as its parts: the bytes between its holes, and each hole (the nonce,
    the CSRF input, a live stock message, a fresh field's value) as a tuple saying what goes
    there. The page is cut once, when it is stored; each hit joins the parts with this request's
    values, instead of searching the whole page (20-30 KB) for each kind of hole in turn."""

    NONCE, CSRF, LIVE, FIELD = "nonce", "csrf", "live", "field"

    def __init__(self):
        self.refresh = {name.encode(): refresh for name, refresh in _fresh_fields().items()}
        fields = b"|".join(re.escape(name) for name in self.refresh) or b"(?!)"
        self.pattern = re.compile(
            b"(?P<nonce>" + re.escape(NONCE_HOLE.encode()) + b")"
            + b"|(?P<csrf>" + re.escape(CSRF_HOLE) + b")"
            + b"|(?P<live>" + livestock.MARKED.pattern + b")"
            + b'|<input type="hidden" name="(?P<field>' + fields + b')" value="(?P<value>[^"]*)">',
            re.S,
        )

    def cut(self, content):
        """[bytes, hole, bytes, hole, ..., bytes] for a page whose nonce and CSRF token are already
        placeholders; joined with no value filled in, the parts are the content again."""
        parts, start = [], 0
        for m in self.pattern.finditer(content):
            parts.append(content[start:m.start()])
            if m["nonce"]:
                parts.append((self.NONCE, m[0]))
            elif m["csrf"]:
                parts.append((self.CSRF, m[0]))
            elif m["live"]:
                parts.append((self.LIVE, m[0], int(livestock.MARKED.match(m[0])[1])))
            else:
                parts.append((self.FIELD, m[0], m["field"], m["value"]))
            start = m.end()
        parts.append(content[start:])
        return parts

    def fill(self, parts, request, live):
        """The page for this request: each hole with its value (a live hole whose product has no
        message in `live`, and a field no longer in settings, keep what was stored)."""
        out, nonce, csrf = [], None, None
        for part in parts:
            if part.__class__ is bytes:
                out.append(part)
                continue
            kind = part[0]
            if kind == self.NONCE:
                nonce = nonce or str(request.csp_nonce).encode()
                out.append(nonce)
            elif kind == self.CSRF:
                csrf = csrf or CSRF_HOLE.replace(b"__pagecache_csrf__", get_token(request).encode())
                out.append(csrf)
            elif kind == self.LIVE:
                message = live.get(part[2]) if live else None
                out.append(part[1] if message is None else livestock.marked(part[2], message))
            else:
                refresh = self.refresh.get(part[2])
                if refresh is None:
                    out.append(part[1])
                else:
                    value = refresh(part[3].decode()).encode()
                    out.append(b'<input type="hidden" name="' + part[2] + b'" value="' + value + b'">')
        return b"".join(out)


def _seconds(name, default):
    return getattr(settings, name, default)


def may_store(request):
    """Whether this request's page may be stored: for a view's work that only a stored page needs."""
    return getattr(request, "_page_cache", None) is not None


def dependency_keys(entry):
    """The cache keys a hit on this entry reads besides the entry: its tags' versions and its live
    stock messages."""
    return [tag_key(tag) for tag in entry["tags"]] + [livestock.live_key(pk) for pk in entry.get("live", ())]


def freshness(entry, pending=None, now=None, read=None):
    """(state, live messages): FRESH, SOFT (stale, may be served while one worker re-renders) or
    HARD (render), comparing the entry's tag versions with the current ones, and reading the live
    stock messages (shop/livestock.py) of the entry's products, in one round trip. A changed stock
    tag of a product whose live message is current for its new version does not make it stale.
    SOFT comes with the newest messages published, whatever their version, for the stale page."""
    now = time.time_ns() if now is None else now
    tags = entry["tags"]
    live = entry.get("live", ())
    current = cache.get_many(dependency_keys(entry)) if read is None else read
    own = pending.tags if pending is not None else {}
    strict = tuple(_seconds("PAGE_CACHE_STRICT_TAGS", ("product:", SITE)))
    live_tags = {livestock.stock_tag(pk): pk for pk in live}
    since = 0
    moved = {}  # {product id: current version} of live stock tags that changed
    for tag, recorded in tags.items():
        version = own[tag] if tag in own else current.get(tag_key(tag))
        if version == recorded:
            continue
        if version is not None and tag in live_tags and tag not in own:
            moved[live_tags[tag]] = version
            continue
        if version is None or tag in own or tag.startswith(strict):
            return HARD, None  # gone from the cache (an outage, an eviction), our own change, or a price
        since = max(since, version)
    messages = None
    if moved:
        entries = {pk: current.get(livestock.live_key(pk)) for pk in moved}
        messages = livestock.current(entries, moved)
        if messages is None:
            # The message for the new stock is not published yet: it follows the bump by a few
            # milliseconds, so for PAGE_CACHE_LIVE_GRACE_SECONDS the previous order's is shown, if it
            # is recent; otherwise (a publish lost or out of order, a first order in a while) the
            # page is stale as before.
            grace = _seconds("PAGE_CACHE_LIVE_GRACE_SECONDS", 2.0) * 10**9
            limit = _seconds("PAGE_CACHE_STALE_SECONDS", 15) * 10**9
            messages = livestock.in_flight(entries, moved, now, grace, limit)
            if messages is None:
                since = max(since, *moved.values())
    until = entry.get("until")
    if until is not None and now >= until:
        return HARD, None
    timeout = settings.PAGE_CACHE_TIMEOUT * 10**9
    if now - entry["stored"] > timeout:
        since = max(since, entry["stored"] + timeout)
    bucket = content_cache.schedule_bucket()
    if entry["bucket"] != bucket:
        since = max(since, bucket * content_cache.SCHEDULE_GRANULARITY * 10**9)
    if not since:
        return FRESH, messages
    if now - since > _seconds("PAGE_CACHE_STALE_SECONDS", 15) * 10**9:
        return HARD, None
    return SOFT, livestock.latest({pk: current.get(livestock.live_key(pk)) for pk in live})


def remember(key, needed):
    """What a page depends on, kept so that the next lookup reads it with the page."""
    if len(_known) >= KNOWN_PAGES:
        _known.clear()
    _known[key] = tuple(needed)


def lookup(key, private=None):
    """(entry, the keys read with it): one round trip, the page with what this worker last saw it
    depend on."""
    known = _known.get(key, ())
    found = cache.get_many([key, private, *known] if private else [key, *known])
    entry = found.get(private) or found.get(key)
    if entry is None:
        return None, found
    needed = dependency_keys(entry)
    if needed == list(known):
        return entry, found
    remember(key, needed)
    return entry, None


class KeyRules:
    """Which requests have a page key, and what it is (both middleware use these)."""

    def __init__(self):
        self.views = set(settings.PAGE_CACHE_VIEWS)
        self.private_cookies = {
            settings.SESSION_COOKIE_NAME,
            settings.OSCAR_BASKET_COOKIE_OPEN,
            getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        }

    def key(self, request, match):
        if not settings.PAGE_CACHE_TIMEOUT or request.method not in ("GET", "HEAD"):
            return None
        if not cache_is_available():  # Redis is down: render, do not wait on it
            return None
        if match is None or match.view_name not in self.views:
            return None
        private = self.private_cookies
        basket = ""
        if match.view_name in PER_BASKET_VIEWS:
            private = private - {settings.OSCAR_BASKET_COOKIE_OPEN}
            basket = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN, "")
        if any(name in request.COOKIES for name in private):
            return None
        params = request.GET
        if params and (list(params) != ["page"] or not PAGE_PARAM.match(params["page"])):
            return None
        # Absolute URLs in the page (canonical, Open Graph) carry the scheme and host.
        parts = [request.scheme, request.get_host(), request.path, params.get("page", "")]
        if basket:
            parts.append(f"basket={basket}")
        if match.view_name == "catalogue:detail":
            # Oscar's product page lists the shopper's recently viewed products from this cookie.
            parts.append(request.COOKIES.get(CustomerHistoryManager.cookie_name, ""))
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return f"pagecache:{release()}:{digest}"


def tag_versions(tags, started, pending):
    """{tag: version} for the entry, and whether it shows this connection's pending changes;
    None when a tag changed while the page was being rendered (do not store)."""
    own = pending.tags if pending is not None else {}
    shared = [tag for tag in tags if tag not in own]
    found = cache.get_many([tag_key(tag) for tag in shared])
    limit = started - int(_seconds("PAGE_CACHE_CLOCK_SKEW", 1.0) * 10**9)
    versions = {tag: own[tag] for tag in tags if tag in own}
    for tag in shared:
        version = found.get(tag_key(tag))
        if version is None:  # never bumped, or lost: from now on it has a version
            version = limit if cache.add(tag_key(tag), limit, tag_lifetime(tag)) else cache.get(tag_key(tag))
        if version is None or version > limit:
            return None, False
        versions[tag] = version
    return versions, len(versions) > len(shared)


class AnonymousPageCacheMiddleware:
    """Last in MIDDLEWARE, so a hit still gets the session, CSRF, CSP and security middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = KeyRules()
        self.view_tags = VIEW_TAGS | getattr(settings, "PAGE_CACHE_VIEW_TAGS", {})
        self.holes = Holes()

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with recording() as tags:
            response = self.get_response(request)
        plan = getattr(request, "_page_cache", None)
        served = response.get(HEADER) in ("hit", "stale")
        if not served:
            self._count_render(request, response)
        if plan is None or served:
            return response
        try:
            if self._storable(request, response):
                entry = self._entry(request, response, tags, plan)
                if entry is not None:
                    private = entry.pop("private")
                    key = plan["private"] if private else plan["key"]
                    timeout = settings.PAGE_CACHE_TIMEOUT + _seconds("PAGE_CACHE_STALE_SECONDS", 15)
                    cache.set(key, entry, timeout)
                    if not private:
                        remember(key, dependency_keys(entry))
                response[HEADER] = "miss"
        finally:
            if plan["lock"]:
                cache.delete(plan["lock"])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = self.rules.key(request, request.resolver_match)
        if key is None:
            return None
        started = time.time_ns()
        pending = pending_tags()
        private = f"{key}:pending:{pending.name}" if pending is not None else None
        ahead = getattr(request, "_page_cache_read", None)  # what the front door read for this key
        if ahead is not None and ahead[0] == key and private is None:
            entry, read = ahead[1], ahead[2]
        else:  # what this worker last saw the page depend on is read with it: one round trip for a hit
            entry, read = lookup(key, private)
        lock = None
        if entry is not None:
            state, live = freshness(entry, pending, started, read)
            if state == FRESH:
                return serve(request, entry, "hit", live, self.holes)
            if state == SOFT:
                lock = f"pagecache:lock:{key}"
                if not cache.add(lock, 1, _seconds("PAGE_CACHE_LOCK_SECONDS", 10)):
                    return serve(request, entry, "stale", live, self.holes)  # another worker re-renders it
        request._page_cache = {"key": key, "private": private, "started": started, "lock": lock}
        return None

    # -- which requests and responses ------------------------------------------------------

    def _storable(self, request, response):
        if response.status_code != 200 or response.streaming:
            return False
        if not response.get("Content-Type", "").startswith("text/html"):
            return False
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
            return False
        history_cookie = CustomerHistoryManager.cookie_name
        if any(name != history_cookie for name in response.cookies):
            return False
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        messages = getattr(request, "_messages", None)
        if messages is not None and getattr(messages, "_queued_messages", None):
            return False
        return True

    # -- what a page depends on -------------------------------------------------------------

    def _page_tags(self, request, response, collected):
        match = request.resolver_match
        tags = set(collected) | {SITE}
        for tag in self.view_tags.get(match.view_name, DEFAULT_VIEW_TAGS):
            try:
                tags.add(tag.format_map(match.kwargs))
            except (KeyError, IndexError, ValueError):
                tags.update(DEFAULT_VIEW_TAGS)
        article = _shown_article(response)
        if article is not None:
            tags.add(f"comments:{article.pk}")
        return tags

    # -- the entry: the page with placeholders ------------------------------------------------

    def _entry(self, request, response, collected, plan):
        pending = pending_tags()
        own = pending.tags if pending is not None else {}
        rendered = {pk: message for pk, message in livestock.holes(response.content).items()
                    if livestock.stock_tag(pk) not in own}  # this connection's own stock: not live
        tags = self._page_tags(request, response, collected) - {livestock.stock_tag(pk) for pk in rendered}
        versions, private = tag_versions(tags, plan["started"], pending)
        if versions is None:
            return None
        if private and plan["private"] is None:
            return None  # changed by this connection after the lookup: nowhere private to put it
        live = self._live(rendered, plan["started"], versions)
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:
            content = content.replace(str(nonce).encode(), NONCE_HOLE.encode())
        content = CSRF_INPUT.sub(CSRF_HOLE, content)
        parts = self.holes.cut(content)
        match = request.resolver_match
        product_id = None
        if match.view_name == "catalogue:detail":
            product_id = int(match.kwargs["pk"])
        return {
            "parts": parts,
            "content_type": response["Content-Type"],
            "video_frames": getattr(request, "_csp_video_frames", False),
            "product_id": product_id if history_cookie_set(response) else None,
            "viewed": _viewed(request, response),
            "tags": versions,
            "live": live,
            "stored": time.time_ns(),
            "bucket": content_cache.schedule_bucket(),
            # A time the page stops being true although nothing is saved (an offer or voucher starting
            # or ending, checkout/cart.py): from then on it is rendered again.
            "until": getattr(request, PAGE_UNTIL, None),
            "private": private,
        }

    def _live(self, rendered, started, versions):
        """The products whose exact stock the page shows as a live hole (shop/livestock.py). Their
        stock tag goes into the entry as LIVE_STOCK, a version no tag ever has: every hit fills
        the hole with the message published for the tag's current version, or finds none and
        treats the page as stale. So the store rule does not apply to the stock tag: at several
        orders a second it was always bumped less than PAGE_CACHE_CLOCK_SKEW ago and the page,
        once stale for any other reason, could never be stored again. The message rendered here
        is published too, when the store rule allows it for the stock tag alone."""
        for pk, message in rendered.items():
            tag = livestock.stock_tag(pk)
            versions[tag] = LIVE_STOCK
            safe, _ = tag_versions([tag], started, None)
            if safe is not None:
                livestock.store(pk, safe[tag], message)
        return list(rendered)

    # -- views counted --------------------------------------------------------------------

    def _count_render(self, request, response):
        """A rendered article counts here (content_pages sends no signal); a rendered product
        page counts in shop.analytics' product_viewed receiver."""
        viewed = _viewed(request, response)
        if viewed is not None and viewed[0] == "article":
            analytics.count_view(*viewed)


def serve(request, entry, state, live, holes):
    """The stored page with this request's values put in its holes."""
    response = HttpResponse(holes.fill(entry["parts"], request, live), content_type=entry["content_type"])
    if entry["video_frames"]:
        request._csp_video_frames = True
    if entry["product_id"] is not None:
        CustomerHistoryManager.update(SimpleNamespace(id=entry["product_id"]), request, response)
    if entry.get("viewed"):
        analytics.count_view(*entry["viewed"])
    patch_vary_headers(response, ["Cookie"])
    response[HEADER] = state
    return response


class PageCacheFrontDoor:
    """Serves a fresh hit through only the middleware such a request needs (see the module's
    docstring); everything else goes on down MIDDLEWARE. After WhiteNoise: static files never wait on it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = KeyRules()
        self.holes = Holes()
        self.match = PathMatcher()
        self.chain = self._chain()

    def _chain(self):
        """The middleware after this one in MIDDLEWARE, less FRONT_DOOR_SKIPS, around serve(), as
        Django's handler loads them."""
        paths = list(settings.MIDDLEWARE)
        after = paths[paths.index(FRONT_DOOR) + 1:] if FRONT_DOOR in paths else []
        handler = convert_exception_to_response(self._serve)
        for path in reversed([path for path in after if path not in FRONT_DOOR_SKIPS]):
            try:
                handler = convert_exception_to_response(import_string(path)(handler))
            except MiddlewareNotUsed:
                continue
        return handler

    def __call__(self, request):
        found = self._fresh(request)
        if found is None:
            return self.get_response(request)
        request._page_cache_hit = found
        return self.chain(request)

    def _serve(self, request):
        entry, live = request._page_cache_hit
        return serve(request, entry, "hit", live, self.holes)

    def _fresh(self, request):
        """(entry, live messages) when this request is a fresh hit the front door may serve."""
        if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_FRONT_DOOR:
            return None
        if any(name in request.COOKIES for name in self.rules.private_cookies):
            return None
        if pending_tags() is not None:  # this connection's own changes: the whole stack decides
            return None
        try:
            match = self.match(request.path_info)
            key = self.rules.key(request, match)
        except (Http404, SuspiciousOperation):  # not a page, or a host not allowed: as the stack says
            return None
        if key is None or match.view_name in PER_BASKET_VIEWS:
            return None
        entry, read = lookup(key)
        request._page_cache_read = (key, entry, read)
        if entry is None:
            return None
        state, live = freshness(entry, None, time.time_ns(), read)
        if state != FRESH:
            return None
        request.resolver_match = match
        return entry, live


def _shown_article(response):
    context = getattr(response, "context_data", None) or {}
    article = context.get("article")
    return article if getattr(article, "pk", None) is not None else None


def _viewed(request, response):
    """("product", id) or ("article", id): what a 200 response of this request shows, to count."""
    match = request.resolver_match
    if match is None or response.status_code != 200:
        return None
    if match.view_name == "catalogue:detail":
        return ("product", int(match.kwargs["pk"]))
    if match.view_name == "content_pages:article-detail":
        article = _shown_article(response)
        context = getattr(response, "context_data", None) or {}
        if article is not None and not context.get("is_preview"):
            return ("article", article.pk)
    return None


def history_cookie_set(response):
    return CustomerHistoryManager.cookie_name in response.cookies

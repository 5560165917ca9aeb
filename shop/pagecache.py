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
set cookies, are marked private/no-store, or queued a message. Basket and checkout views are not
in the list and never will be.

Freshness: the key holds the release (templates and static files: a deploy starts afresh) and a
version bumped (after commit) whenever a row of an app in
settings.PAGE_CACHE_APPS is saved or deleted: products, stock (allocation included: the
partner fork sends post_save), reviews, shipping charges, articles, comments, offers. Entries also
turn over with the content cache's five-minute schedule bucket, so scheduled articles appear on
time.

Redis down: the cache is an accelerator, never needed for a page or a sale. While the cache
backend says it is unavailable (shop.cache's breaker) the page cache is bypassed and every page
renders. The version bumps make no Redis call inside a transaction (the order placement saves a
StockRecord); after the commit a bump Redis cannot take is dropped without raising, and the
fail-soft backend deletes the version key once Redis is back, so no page stored before the outage
is served after it.
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
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from oscar.core.loading import get_class

from content_pages import cache as content_cache
from shop.cache import cache_is_available

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")

VERSION_KEY = "pagecache:version"
NONCE_HOLE = "__pagecache_nonce__"
CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
CSRF_HOLE = b'<input type="hidden" name="csrfmiddlewaretoken" value="__pagecache_csrf__">'
PAGE_PARAM = re.compile(r"^[1-9][0-9]{0,3}$")
HEADER = "X-Page-Cache"


@functools.cache
def release():
    """A fingerprint of the code that renders the pages: the project's templates, the static
    manifest (hashed file names) and the Django and Oscar versions. A deploy that changes any of
    them starts with an empty page cache instead of serving old HTML that links to static files
    the new release no longer has; every server and worker of one release computes the same."""
    digest = hashlib.sha256(f"{django.get_version()} {oscar.get_version()}".encode())
    base = Path(settings.BASE_DIR)
    apps = [path for path in base.iterdir() if (path / "__init__.py").is_file()]  # shop/, catalogue/, ...
    files = sorted(path for app in apps for path in app.rglob("templates/**/*.html"))
    manifest = Path(settings.STATIC_ROOT or base) / "staticfiles.json"
    for path in [*files, manifest]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def versions():
    """The page and content versions, read in one round trip."""
    found = cache.get_many([VERSION_KEY, content_cache.VERSION_KEY])
    page = found.get(VERSION_KEY) or page_version()
    content = found.get(content_cache.VERSION_KEY) or content_cache.content_version()
    return f"{page}:{content}"


def _bump():
    cache.set(VERSION_KEY, time.time_ns(), None)


PENDING = "_pagecache_pending"  # on a database connection: a marker for its uncommitted changes


def bump_page_version(using=None, **kwargs):
    """Signal receiver: every cached page is stale once the transaction commits.

    Until then only this connection sees the new rows, so only its own pages must change: they get
    a key of their own (see _pending()), which costs no Redis call. The shared version is bumped
    after the commit, so a page another request rendered from the old rows meanwhile does not
    outlive it. This runs inside the order placement (stock allocation saves a StockRecord), which
    must never fail or wait because of the cache: nothing here talks to Redis before the commit,
    and after it shop.cache fails soft and on_commit is robust."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        setattr(connection, PENDING, time.time_ns())
    transaction.on_commit(_bump, using=using, robust=True)


def _pending():
    """The marker of this thread's uncommitted page changes, if its transaction is still open
    (a test's whole body, or the rest of the request that saved them)."""
    connection = transaction.get_connection()
    return getattr(connection, PENDING, None) if connection.in_atomic_block else None


def _fresh_fields():
    """{hidden input name: function(old value) -> new value} from settings.PAGE_CACHE_FRESH_FIELDS."""
    return {name: import_string(path) for name, path in getattr(settings, "PAGE_CACHE_FRESH_FIELDS", {}).items()}


def _field_pattern(name):
    return re.compile(rb'(<input type="hidden" name="' + re.escape(name.encode()) + rb'" value=")([^"]*)(">)')


class AnonymousPageCacheMiddleware:
    """Last in MIDDLEWARE, so a hit still gets the session, CSRF, CSP and security middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = set(settings.PAGE_CACHE_VIEWS)
        self.fresh_fields = {name: (_field_pattern(name), refresh) for name, refresh in _fresh_fields().items()}
        self.private_cookies = {
            settings.SESSION_COOKIE_NAME,
            settings.OSCAR_BASKET_COOKIE_OPEN,
            getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        }

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None:
            if response.get(HEADER) != "hit" and self._storable(request, response):
                cache.set(key, self._entry(request, response), settings.PAGE_CACHE_TIMEOUT)
                response[HEADER] = "miss"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = self._key(request)
        if key is None:
            return None
        entry = cache.get(key)
        if entry is None:
            request._page_cache_key = key
            return None
        return self._response(request, entry)

    # -- which requests and responses ------------------------------------------------------

    def _key(self, request):
        if not settings.PAGE_CACHE_TIMEOUT or request.method not in ("GET", "HEAD"):
            return None
        if not cache_is_available():  # Redis is down: render, do not wait on it
            return None
        match = request.resolver_match
        if match is None or match.view_name not in self.views:
            return None
        if any(name in request.COOKIES for name in self.private_cookies):
            return None
        params = request.GET
        if params and (list(params) != ["page"] or not PAGE_PARAM.match(params["page"])):
            return None
        # Absolute URLs in the page (canonical, Open Graph) carry the scheme and host.
        parts = [request.scheme, request.get_host(), request.path, params.get("page", "")]
        if match.view_name == "catalogue:detail":
            # Oscar's product page lists the shopper's recently viewed products from this cookie.
            parts.append(request.COOKIES.get(CustomerHistoryManager.cookie_name, ""))
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        bucket = int(time.time() // content_cache.SCHEDULE_GRANULARITY)
        pending = _pending()
        return f"pagecache:{release()}:{versions()}{f':{pending}' if pending else ''}:{bucket}:{digest}"

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

    # -- the entry: the page with placeholders ------------------------------------------------

    def _entry(self, request, response):
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:
            content = content.replace(str(nonce).encode(), NONCE_HOLE.encode())
        content = CSRF_INPUT.sub(CSRF_HOLE, content)
        match = request.resolver_match
        product_id = None
        if match.view_name == "catalogue:detail":
            product_id = int(match.kwargs["pk"])
        return {
            "content": content,
            "content_type": response["Content-Type"],
            "video_frames": getattr(request, "_csp_video_frames", False),
            "product_id": product_id if history_cookie_set(response) else None,
        }

    def _response(self, request, entry):
        content = entry["content"]
        if NONCE_HOLE.encode() in content:
            content = content.replace(NONCE_HOLE.encode(), str(request.csp_nonce).encode())
        if CSRF_HOLE in content:
            token = get_token(request)
            content = content.replace(CSRF_HOLE, CSRF_HOLE.replace(b"__pagecache_csrf__", token.encode()))
        for pattern, refresh in self.fresh_fields.values():
            content = pattern.sub(lambda m, refresh=refresh: m[1] + refresh(m[2].decode()).encode() + m[3], content)
        response = HttpResponse(content, content_type=entry["content_type"])
        if entry["video_frames"]:
            request._csp_video_frames = True
        if entry["product_id"] is not None:
            CustomerHistoryManager.update(SimpleNamespace(id=entry["product_id"]), request, response)
        patch_vary_headers(response, ["Cookie"])
        response[HEADER] = "hit"
        return response


def history_cookie_set(response):
    return CustomerHistoryManager.cookie_name in response.cookies

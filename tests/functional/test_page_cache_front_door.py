"""The page cache's front door (shop/pagecache.py, PageCacheFrontDoor): a fresh hit for an anonymous
shopper skips the middleware it does not need, and must be the page and headers the whole stack
would have sent; anything else goes down the whole stack, reading Redis once."""

import gzip
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shop import pagecache
from shop.pagecache import HEADER

PAGES = ["/", "/learn/psoas-trigger-points/", "/learn/", "/catalogue/", "/shipping/"]
# Per-request values: the CSP nonce, the CSRF token and cookie, the comment form's signed time,
# cookie expiry dates.
VARYING = [
    (re.compile(rb"nonce-[A-Za-z0-9+/=_-]+"), b"nonce-N"),
    (re.compile(rb'nonce="[A-Za-z0-9+/=_-]+"'), b'nonce="N"'),
    (re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"'), b'name="csrfmiddlewaretoken" value="T"'),
    (re.compile(rb"csrftoken=[A-Za-z0-9]+"), b"csrftoken=T"),
    (re.compile(rb'name="ts" value="[^"]+"'), b'name="ts" value="S"'),
    (re.compile(rb"expires=[^;]+"), b"expires=E"),
]


def normal(value):
    value = value if isinstance(value, bytes) else str(value).encode()
    for pattern, replacement in VARYING:
        value = pattern.sub(replacement, value)
    return value


def seen(response):
    """What a shopper gets, less the values drawn anew for every request. A compressed page is
    compared unpacked, and without its length: Django's GZip middleware pads it at random (BREACH)."""
    content, compressed = response.content, response.get("Content-Encoding") == "gzip"
    if compressed:
        content = gzip.decompress(content)
    headers = sorted((name.lower(), normal(value)) for name, value in response.items()
                     if not (compressed and name.lower() == "content-length"))
    cookies = sorted(normal(morsel.OutputString()) for morsel in response.cookies.values())
    return response.status_code, headers, cookies, normal(content)


@pytest.fixture
def whole_stack(monkeypatch):
    """Counts the requests the page cache's own middleware (the end of the stack) looked up."""
    calls = []
    real = pagecache.AnonymousPageCacheMiddleware.process_view

    def counting(self, request, *args):
        calls.append(request.path)
        return real(self, request, *args)

    monkeypatch.setattr(pagecache.AnonymousPageCacheMiddleware, "process_view", counting)
    return calls


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("extra", [{}, {"HTTP_ACCEPT_ENCODING": "gzip, br"}], ids=["plain", "gzip"])
def test_a_fresh_hit_is_the_same_page_and_headers_by_either_path(committed, settings, whole_stack, secure, extra):
    settings.SECURE_HSTS_SECONDS = 3600
    pages = [*PAGES, committed.get_absolute_url()]
    for path in pages:
        Client().get(path, secure=secure)
    whole_stack.clear()
    for path in pages:
        for cookies in ({}, {"csrftoken": "A" * 32}):
            front = Client(**extra)
            front.cookies.load(cookies)
            served = front.get(path, secure=secure)
            assert served[HEADER] == "hit" and whole_stack == []
            settings.PAGE_CACHE_FRONT_DOOR = False
            stack = Client(**extra)
            stack.cookies.load(cookies)
            expected = stack.get(path, secure=secure)
            settings.PAGE_CACHE_FRONT_DOOR = True
            assert expected[HEADER] == "hit" and whole_stack == [path]
            whole_stack.clear()
            assert seen(served) == seen(expected), path
    if secure:
        assert "Strict-Transport-Security" in served
    if extra:
        assert served["Content-Encoding"] == "gzip"


def test_an_untrusted_host_is_refused_as_the_stack_refuses_it(committed, whole_stack):
    Client().get("/")
    refused = Client().get("/", HTTP_HOST="evil.example")
    assert refused.status_code == 400 and HEADER not in refused


def test_what_the_front_door_does_not_serve_goes_down_the_stack_reading_redis_once(committed, whole_stack, monkeypatch):
    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **kw: reads.append(list(keys)) or real(keys, *a, **kw))
    assert Client().get("/")[HEADER] == "miss"
    page_reads = [keys for keys in reads if keys[0].startswith("pagecache:") and ":tag:" not in keys[0]]
    assert whole_stack == ["/"] and len(page_reads) == 1  # the front door's read is the stack's
    # A session, the cart, a POST: the whole stack, as before.
    shopper = Client()
    token = shopper.get(committed.get_absolute_url()).cookies["csrftoken"].value
    shopper.post(reverse("basket:add", kwargs={"pk": committed.pk}), {"quantity": 1, "csrfmiddlewaretoken": token})
    whole_stack.clear()
    shopper.get("/basket/")
    assert whole_stack == ["/basket/"]
    signed_in = Client()
    signed_in.cookies.load({"sessionid": "x" * 32})
    whole_stack.clear()
    assert signed_in.get("/").status_code == 200 and whole_stack == ["/"]
    # A stale entry: the stack decides (re-render here), with the entry the front door read.
    from shop.pagedeps import bump_tags

    bump_tags(["list:catalogue"])
    whole_stack.clear()
    reads.clear()
    assert Client().get("/")[HEADER] in ("miss", "stale")
    page_reads = [keys for keys in reads if keys[0].startswith("pagecache:") and ":tag:" not in keys[0]]
    assert whole_stack == ["/"] and len(page_reads) == 1


def test_static_files_are_answered_before_the_front_door_looks_anything_up(settings):
    # A path that is not a page costs the front door a failed URL resolution: static files, the
    # benchmark's baseline and most of a page's requests, must never pay it.
    order = list(settings.MIDDLEWARE)
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(pagecache.FRONT_DOOR)

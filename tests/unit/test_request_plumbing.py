"""What every request passes through, made cheaper without changing an answer: URL resolution kept
per worker (shop/wsgi.py), CSRF secrets from one read of the random source (shop/csrf_tokens.py),
the client address worked out once per header value (shop.security.client_ip)."""

from collections import Counter

import pytest
from django.middleware import csrf
from django.test import RequestFactory, override_settings
from django.urls import Resolver404

from shop import csrf_tokens, security, urlmatch, wsgi


def test_django_draws_csrf_secrets_with_ours_and_they_are_well_formed():
    assert csrf._get_new_csrf_string is csrf_tokens.new_csrf_string
    drawn = [csrf._get_new_csrf_string() for _ in range(500)]
    assert all(len(secret) == csrf.CSRF_SECRET_LENGTH for secret in drawn)
    assert set("".join(drawn)) == set(csrf.CSRF_ALLOWED_CHARS)  # 16,000 characters: every one shows up
    assert len(set(drawn)) == len(drawn)


def test_every_character_comes_from_the_same_number_of_byte_values():
    kept = Counter(csrf_tokens.ALPHABET[byte % len(csrf_tokens.ALPHABET)] for byte in range(csrf_tokens.LIMIT))
    assert set(kept.values()) == {csrf_tokens.LIMIT // len(csrf_tokens.ALPHABET)}
    assert set(kept) == set(csrf_tokens.ALPHABET)
    # What new_csrf_string() does to each byte: the same mapping, and nothing at or past LIMIT.
    alphabet = csrf_tokens.ALPHABET
    translated = bytes(range(256)).translate(csrf_tokens.CHARACTER, csrf_tokens.DROPPED).decode()
    assert translated == "".join(alphabet[byte % len(alphabet)] for byte in range(csrf_tokens.LIMIT))


def test_a_token_masked_with_our_secret_unmasks_to_it():
    request = RequestFactory().get("/")
    token = csrf.get_token(request)
    assert csrf._unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


def test_our_mask_is_djangos(monkeypatch):
    assert csrf._mask_cipher_secret is csrf_tokens.mask_cipher_secret
    assert csrf_tokens.DJANGOS_MASK.__module__ == "django.middleware.csrf"
    for _ in range(200):
        secret, mask = csrf_tokens.new_csrf_string(), csrf_tokens.new_csrf_string()
        monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda mask=mask: mask)
        assert csrf_tokens.mask_cipher_secret(secret) == csrf_tokens.DJANGOS_MASK(secret)


@pytest.fixture
def handler(monkeypatch):
    calls = []
    real = urlmatch.get_resolver

    def counting(urlconf=None):
        calls.append(1)
        return real(urlconf)

    monkeypatch.setattr(urlmatch, "get_resolver", counting)
    return wsgi.StoreWSGIHandler(), calls


def test_a_path_is_resolved_once_and_each_request_gets_its_own_match(db, handler):
    app, calls = handler
    first, second = RequestFactory().get("/catalogue/ql-claw_1/"), RequestFactory().get("/catalogue/ql-claw_1/")
    match = app.resolve_request(first)
    match.kwargs["pk"] = "changed by a view"
    again = app.resolve_request(second)
    assert len(calls) == 1
    assert again.kwargs == {"product_slug": "ql-claw", "pk": "1"} and again.view_name == "catalogue:detail"
    assert second.resolver_match is again and again is not match


def test_a_path_that_does_not_resolve_is_not_kept(db, handler):
    app, calls = handler
    for _ in range(2):
        with pytest.raises(Resolver404):
            app.resolve_request(RequestFactory().get("/no-such-page/x/y/"))
    assert len(calls) == 2
    assert app._resolve.cache_info().currsize == 0


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: a request through a real handler must not close the database
    connection the test's transaction is on (request_started/finished -> close_old_connections)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_handler_serves_a_page(seeded, keep_the_test_connection):
    app = wsgi.StoreWSGIHandler()
    environ = RequestFactory().get("/learn/").environ
    statuses = []
    body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"] and b"<html" in body


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_client_address_is_the_same_answer_from_the_cache():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert security.client_ip(request) == security.client_ip(request) == "198.51.100.7"
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert security.client_ip(request) == "10.0.0.1"  # the setting is part of what is remembered
    junk = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not an address", REMOTE_ADDR="also junk")
    assert security.client_ip(junk) is None

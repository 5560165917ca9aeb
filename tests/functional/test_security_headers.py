"""Security headers on every page, with the production profile's security settings."""

import importlib
import re
import sys
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from shop.security import DASHBOARD_INLINE_HANDLERS, VIDEO_FRAME_HOSTS, StoreCSPMiddleware, csp_hash
from tests.checkout_helpers import walk_to_payment

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "SECRET_KEY": "k3Yq-9vTz_Lw2bRj7NcHx4pGm8sAeU1oDfWi6tKy0QlZ5VnBr-Ju_MhOaXgPeSdC",
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": "sqlite:///unused.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "STRIPE_SECRET_KEY": "sk_test_123",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_123",
    "STRIPE_WEBHOOK_SECRET": "whsec_123",
}
SECURITY_PREFIXES = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY")


@pytest.fixture
def production_security(monkeypatch):
    """The production module's security settings, over the test settings (database and cache
    stay the test ones)."""
    for key, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(key, value)
    sys.modules.pop("shop.settings.production", None)
    production = importlib.import_module("shop.settings.production")
    sys.modules.pop("shop.settings.production", None)
    values = {name: getattr(production, name) for name in dir(production) if name.startswith(SECURITY_PREFIXES)}
    values.update(MIDDLEWARE=production.MIDDLEWARE, X_FRAME_OPTIONS=production.X_FRAME_OPTIONS)
    with override_settings(**values):
        yield


def policy(response):
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response):
    hsts = response["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    strict_enough = {"strict-origin-when-cross-origin", "strict-origin", "no-referrer", "same-origin"}
    assert response["Referrer-Policy"] in strict_enough
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    script_src = csp["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    return csp


STOREFRONT = [
    "/", "/catalogue/", "/learn/", "/learn/psoas-trigger-points/", "/tutorials/", "/basket/", "/search/?q=claw",
]


@pytest.mark.parametrize("url", STOREFRONT)
def test_storefront_pages_send_every_security_header(client, seeded, production_security, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200
    csp = assert_secure_headers(response)
    # Every inline script carries this response's nonce, and only our origin is trusted.
    nonce = re.search(r"'nonce-([^']+)'", " ".join(csp["script-src"])).group(1)
    assert [s for s in csp["script-src"] if not s.startswith("'nonce-")] == ["'self'"]
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)([^>]*)>", html)
    assert inline_scripts, "the base template's inline scripts are expected on every page"
    for attributes in inline_scripts:
        assert f'nonce="{nonce}"' in attributes
    assert "js.stripe.com" not in response["Content-Security-Policy"]


def test_product_page_headers_and_video_frames(client, claw, production_security):
    response = client.get(claw.get_absolute_url(), secure=True)
    assert response.status_code == 200
    csp = assert_secure_headers(response)
    assert sorted(csp["frame-src"]) == sorted(VIDEO_FRAME_HOSTS)


def test_pages_without_videos_frame_nothing(client, seeded, production_security):
    response = client.get("/", secure=True)
    assert "frame-src" not in policy(response)  # so default-src 'none' forbids every frame


def test_each_response_gets_a_new_nonce(client, seeded, production_security):
    first = client.get("/", secure=True)["Content-Security-Policy"]
    second = client.get("/", secure=True)["Content-Security-Policy"]
    assert first != second


def test_404_and_health_are_covered_too(client, seeded, production_security):
    missing = client.get("/no-such-page/", secure=True)
    assert missing.status_code == 404
    assert_secure_headers(missing)
    health = client.get(reverse("health"), secure=True)
    assert health.status_code == 200
    assert_secure_headers(health)


def test_session_and_csrf_cookies_are_secure_httponly_samesite(client, customer, production_security):
    page = client.get(reverse("customer:login"), secure=True)
    assert page.status_code == 200
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    login = client.post(
        reverse("customer:login"),
        {"login_submit": "1", "login-username": customer.email, "login-password": "customer-pass-123"},
        secure=True,
    )
    assert login.status_code == 302
    session = login.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_but_health_is_not(client, seeded, production_security):
    page = client.get("/")
    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert client.get(reverse("health")).status_code == 200


def test_dashboard_allows_only_oscars_own_inline_handlers(client, staff_user, production_security):
    client.force_login(staff_user)
    response = client.get("/dashboard/", secure=True)
    assert response.status_code == 200
    csp = assert_secure_headers(response)
    assert "'unsafe-hashes'" in csp["script-src"]
    for handler in DASHBOARD_INLINE_HANDLERS:
        assert csp_hash(handler) in csp["script-src"]
    assert "js.stripe.com" not in response["Content-Security-Policy"]


def test_storefront_has_no_unsafe_hashes(client, seeded, production_security):
    assert "'unsafe-hashes'" not in client.get("/", secure=True)["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("view_name", "stripe"),
    [
        ("checkout:payment-details", True),
        ("checkout:payment-prepare", True),
        ("checkout:preview", False),
        ("home", False),
    ],
)
def test_stripe_is_allowed_on_the_payment_page_only(settings, view_name, stripe):
    request = RequestFactory().get("/checkout/")
    middleware = StoreCSPMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    request.resolver_match = SimpleNamespace(view_name=view_name)
    header = middleware.process_response(request, HttpResponse())["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in header.split(";")}
    assert ("https://js.stripe.com" in directives["script-src"]) is stripe
    assert ("https://js.stripe.com" in directives.get("frame-src", [])) is stripe
    assert "'unsafe-inline'" not in directives["script-src"]


def test_the_real_payment_page_allows_stripe_and_the_basket_does_not(django_app, claw, fake_stripe):
    page = walk_to_payment(django_app, claw, quantity=1)
    assert "js.stripe.com/v3" in page.text  # this is the page that loads Stripe.js
    csp = policy(page)
    assert "https://js.stripe.com" in csp["script-src"]
    assert "https://js.stripe.com" in csp["frame-src"]
    assert "https://api.stripe.com" in csp["connect-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    basket = django_app.get(reverse("basket:summary"))
    assert "stripe.com" not in basket.headers["Content-Security-Policy"]

"""Redis is an accelerator, never a dependency of a sale (docs/deploy.md, "When Redis is down").

The production cache (shop.cache.StoreRedisCache) points at a Redis that is not there (sessions
live in the database, as in production), or at a redis-server of the test's own that is killed or hung halfway through a
checkout. Pages render, the cart fills, the demo checkout reaches the thank-you page and the order
is placed; sign-in pauses; /health/ answers 503 until Redis is back.
"""

import threading
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from article_comments import throttling
from checkout.models import CheckoutPayment
from newsletter.models import Subscriber
from shop import cache as cache_module
from shop.cache import cache_is_available, forget_outages
from shop.pagecache import HEADER
from tests.checkout_helpers import add_to_basket, event_payload, post_event, start_payment_for, walk_to_payment
from tests.redis_support import free_port, store_cache_settings, wait_for_breaker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_breakers")]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
STOREFRONT = ["/", "/catalogue/", "/learn/psoas-trigger-points/", "/learn/"]


@pytest.fixture
def no_redis(settings):
    """The store's cache at a loopback port where nothing listens."""
    store_cache_settings(settings, f"redis://127.0.0.1:{free_port()}/0")
    return settings


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    return settings


def storefront(claw):
    return [*STOREFRONT, claw.get_absolute_url()]


def health(client):
    response = client.get(reverse("health"))
    return response.status_code, response.json()


def pay_on_demo(page, capture, user=None):
    with capture(execute=True):  # the page-cache bumps and emails after the commit run, against no Redis
        return page.forms["demo_payment_form"].submit(user=user).follow(user=user)


def assert_placed(thank_you, quantity):
    order = Order.objects.get()
    assert thank_you.status_code == 200 and thank_you.request.path == reverse("checkout:thank-you")
    assert order.number in thank_you.html.select_one("h1").text
    assert CheckoutPayment.objects.get().order == order
    assert StockRecord.objects.get(product__upc="QLC-CLAW-01").num_allocated == quantity
    return order


# -- no Redis at all ------------------------------------------------------------------------


def test_the_storefront_renders_without_redis(claw, no_redis):
    for path in storefront(claw):
        for _ in range(2):
            response = Client(raise_request_exception=False).get(path)
            assert response.status_code == 200, path
            assert response.get(HEADER) != "hit"  # rendered: nothing was stored
    assert b"QL Claw" in Client().get(claw.get_absolute_url()).content


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "customer"])
def test_the_demo_checkout_places_the_order_without_redis(
    django_app, claw, customer, demo_mode, no_redis, signed_in, django_capture_on_commit_callbacks
):
    user = customer if signed_in else None
    page = walk_to_payment(django_app, claw, quantity=2, user=user)  # the session lives in the database
    assert "Demo payment, no card charged ($99.98)" in page.text

    thank_you = pay_on_demo(page, django_capture_on_commit_callbacks, user)

    order = assert_placed(thank_you, quantity=2)
    assert order.total_incl_tax == Decimal("99.98")
    basket = django_app.get(reverse("basket:summary"), user=user)
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "0"
    assert health(Client()) == (503, {"status": "error", "database": True, "cache": False})


def test_the_card_checkout_and_the_return_from_stripe_place_the_order_without_redis(
    django_app, claw, fake_stripe, no_redis, django_capture_on_commit_callbacks
):
    page = walk_to_payment(django_app, claw, quantity=1)
    assert page.html.select_one("#payment-form")  # Stripe's Payment Element is mounted
    payment = CheckoutPayment.objects.get()
    token = page.forms["payment-form"]["csrfmiddlewaretoken"].value
    prepared = django_app.post(reverse("checkout:payment-prepare"), {"csrfmiddlewaretoken": token})
    assert prepared.json == {"ok": True}
    fake_stripe.succeed(payment.intent_id)  # Stripe.js charged the card
    with django_capture_on_commit_callbacks(execute=True):
        returned = django_app.get(reverse("checkout:payment-return"), {"payment_intent": payment.intent_id})
    assert_placed(returned.follow(), quantity=1)


def test_the_webhook_places_the_order_without_redis(client, claw, fake_stripe, no_redis):
    payment = start_payment_for(claw, 1)
    intent = fake_stripe.succeed(payment.intent_id)
    response = post_event(client, event_payload("payment_intent.succeeded", intent, event_id="evt_no_redis"))
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED and payment.order is not None
    assert StockRecord.objects.get(product=claw).num_allocated == 1  # the allocation bumped the page cache


def test_sign_in_pauses_and_everything_else_goes_on_without_redis(django_app, claw, customer, no_redis):
    client = Client(raise_request_exception=False)
    attempt = {"login_submit": "1", "login-username": customer.email, "login-password": "customer-pass-123"}
    response = client.post(reverse("customer:login"), attempt)
    assert response.status_code == 429  # fails closed: no counter, no guessing
    assert response["Retry-After"] == "60"
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session
    dashboard = client.post(reverse("dashboard:login"), {"username": customer.email, "password": "x"})
    assert dashboard.status_code == 429

    add_to_basket(django_app, claw, 2)  # fails open: a sale never waits on the cache
    basket = django_app.get(reverse("basket:summary"))
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "2"

    signup = client.post(reverse("newsletter:subscribe"), {"email": "ann@example.com", "source": "footer"})
    assert signup.status_code == 302  # fails open (RATELIMIT_FAIL_OPEN)
    assert Subscriber.objects.filter(email="ann@example.com").exists()


def test_the_comment_limits_fail_open_without_redis(rf, no_redis):
    request = rf.post("/learn/psoas-trigger-points/comments/", REMOTE_ADDR="203.0.113.9")
    assert throttling.ip_limited(request) is False
    assert throttling.email_limited(request, "dana@example.com") is False


# -- Redis goes away halfway through ----------------------------------------------------------


def test_redis_killed_mid_checkout(
    django_app, claw, demo_mode, redis_server, settings, django_capture_on_commit_callbacks
):
    store_cache_settings(settings, redis_server.url)
    Client().get("/")
    assert Client().get("/")[HEADER] == "hit"  # the page cache is working
    assert health(Client())[0] == 200
    page = walk_to_payment(django_app, claw, quantity=1)

    redis_server.kill()

    for path in storefront(claw):
        assert Client(raise_request_exception=False).get(path).status_code == 200, path
    assert health(Client()) == (503, {"status": "error", "database": True, "cache": False})
    # What a load balancer should probe: this server still sells.
    response = Client().get(reverse("health"), {"only": "database"})
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": True, "cache": False})
    thank_you = pay_on_demo(page, django_capture_on_commit_callbacks)  # the session, from the database
    assert_placed(thank_you, quantity=1)

    redis_server.start()  # back, empty (no persistence)
    wait_for_breaker()
    assert health(Client())[0] == 200
    Client().get("/")
    assert Client().get("/")[HEADER] == "hit"  # and the page cache with it


def test_a_hung_redis_holds_no_request_long(
    django_app, claw, demo_mode, redis_server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A hung Redis costs one socket timeout per breaker pause, not one per cache call: counted,
    not timed. The pause is made longer than the test, so exactly one request's call may wait on
    Redis (the batch of page views may wait too, from its timer's own thread: no request waits
    on that one)."""
    store_cache_settings(settings, redis_server.url)
    settings.CACHES["default"]["OPTIONS"]["DOWN_SECONDS"] = 3600
    page = walk_to_payment(django_app, claw, quantity=1)
    waited, skipped = [], []
    failed, skip = cache_module.Outage.failed, cache_module.Outage.skip
    def failed_here(self, *args):
        if threading.current_thread() is threading.main_thread():  # the test client's requests
            waited.append(args)
        return failed(self, *args)

    monkeypatch.setattr(cache_module.Outage, "failed", failed_here)
    monkeypatch.setattr(cache_module.Outage, "skip", lambda self, *a: skipped.append(a) or skip(self, *a))

    redis_server.pause()  # the port accepts, nothing answers
    try:
        thank_you = pay_on_demo(page, django_capture_on_commit_callbacks)
        for path in storefront(claw):
            assert Client(raise_request_exception=False).get(path).status_code == 200, path
        assert_placed(thank_you, quantity=1)
        assert len(waited) == 1  # the first call timed out; every later one went without Redis
        assert len(skipped) > 10
        assert health(Client())[0] == 503  # the health check's own ping still asks Redis
    finally:
        redis_server.resume()
    forget_outages()
    assert health(Client())[0] == 200


def test_signing_out_while_redis_is_away_stays_signed_out(claw, customer, redis_server, settings):
    """A session ended while Redis was hung stays ended once Redis is back: the old cookie cannot
    bring the signed-in session back (sessions are in the database; nothing of them is in Redis)."""
    store_cache_settings(settings, redis_server.url)
    shopper = Client()
    shopper.post(
        reverse("customer:login"),
        {"login_submit": "1", "login-username": customer.email, "login-password": "customer-pass-123"},
    )
    old_cookie = shopper.cookies[settings.SESSION_COOKIE_NAME].value
    assert shopper.get(reverse("customer:profile-view")).status_code == 200  # signed in

    redis_server.pause()
    try:
        shopper.get(reverse("customer:logout"))
    finally:
        redis_server.resume()
    wait_for_breaker()

    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = thief.get(reverse("customer:profile-view"))
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]
    assert cache_is_available()

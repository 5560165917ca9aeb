"""Sign-in and add-to-basket are rate limited (counted in the shared cache)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_attempts_are_limited_per_account(client, customer, settings):
    settings.STORE_LOGIN_RATE = "3/m"
    url = reverse("customer:login")
    attempt = {"login_submit": "1", "login-username": customer.email, "login-password": "wrong"}
    statuses = [client.post(url, attempt, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # four addresses, one account
    assert "Too many attempts" in client.post(url, attempt).content.decode()


def test_login_attempts_are_limited_per_address(client, customer, settings):
    settings.STORE_LOGIN_RATE = "2/m"
    url = reverse("customer:login")
    statuses = [
        client.post(url, {"login_submit": "1", "login-username": f"u{n}@example.com", "login-password": "x"})
        .status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_basket_add_is_limited(client, claw, settings):
    settings.STORE_BASKET_ADD_RATE = "2/m"
    url = reverse("basket:add", kwargs={"pk": claw.pk})
    statuses = [client.post(url, {"quantity": 1}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_reading_pages_is_not_limited(client, claw, settings):
    settings.STORE_BASKET_ADD_RATE = "1/m"
    assert all(client.get(claw.get_absolute_url()).status_code == 200 for _ in range(3))


def test_behind_the_proxy_each_shopper_has_their_own_limit(client, claw, settings):
    """Behind the TLS proxy every request comes from the proxy: without ClientAddressMiddleware
    the whole store would share one add-to-cart allowance."""
    settings.STORE_BASKET_ADD_RATE = "2/m"
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("basket:add", kwargs={"pk": claw.pk})

    def add(forwarded_for):
        return client.post(url, {"quantity": 1}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert [add("203.0.113.7").status_code for _ in range(3)] == [302, 302, 429]
    assert add("198.51.100.9").status_code == 302  # another shopper, same proxy
    # A client cannot escape its limit by forging the header: the proxy appends the real address.
    assert add("192.0.2.1, 203.0.113.7").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, "203.0.113.7", "10.0.0.1"),  # no proxy trusted: the header is the client's word
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies: keep the peer
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_from_the_trusted_hops(rf, settings, proxies, forwarded, seen):
    from shop.security import ClientAddressMiddleware

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    ClientAddressMiddleware(lambda r: r.META["REMOTE_ADDR"])(request)
    assert request.META["REMOTE_ADDR"] == seen

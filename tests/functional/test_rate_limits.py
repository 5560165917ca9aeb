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

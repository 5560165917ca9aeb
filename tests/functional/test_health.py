"""/health/: what the load balancer asks before sending a server traffic."""

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_cache_answer(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True}
    assert "no-store" in response["Cache-Control"]


def test_unhealthy_when_the_cache_is_down(client):
    with mock.patch("shop.views.cache.set", side_effect=ConnectionError("redis is down")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": True, "cache": False}


def test_unhealthy_when_the_database_is_down(client):
    with mock.patch("shop.views.connection.cursor", side_effect=OperationalError("no database")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] is False


def test_only_get(client):
    assert client.post(reverse("health")).status_code == 405

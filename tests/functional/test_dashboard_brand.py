"""The dashboard shows the store's name and logo, not Oscar's."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["dashboard:index", "dashboard:catalogue-product-list"])
def test_the_dashboard_bar_shows_the_store(django_app, staff_user, url_name):
    page = django_app.get(reverse(url_name), user=staff_user)
    [brand] = page.html.select("nav.navbar .navbar-brand")
    assert brand.select_one("img")["src"].endswith("shop/img/logo.svg")
    assert brand.get_text(" ", strip=True).startswith("QL Claw")
    assert brand["href"] == reverse("dashboard:index")
    assert "Oscar" not in brand.get_text()

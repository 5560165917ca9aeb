"""Staff run the store from Oscar's dashboard; customers never reach it."""

from decimal import Decimal

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_change_price_and_stock(django_app, claw, staff_user):
    page = django_app.get(reverse("dashboard:catalogue-product", kwargs={"pk": claw.pk}), user=staff_user)
    form = page.forms["create_update_product_form"]
    form["stockrecords-0-price"] = "44.50"
    form["stockrecords-0-num_in_stock"] = "25"
    response = form.submit(name="action", value="save").follow()
    assert response.status_code == 200
    record = claw.stockrecords.get()
    assert (record.price, record.num_in_stock) == (Decimal("44.50"), 25)
    assert "$44.50" in django_app.get("/").html.select_one(".hero").text


def test_staff_see_orders_and_low_stock_alerts(django_app, claw, staff_user):
    record = claw.stockrecords.get()
    record.num_in_stock = 3
    record.save()
    assert django_app.get(reverse("dashboard:order-list"), user=staff_user).status_code == 200
    alerts = django_app.get(reverse("dashboard:stock-alert-list"), user=staff_user)
    assert "QL Claw" in alerts.text


def test_customer_cannot_reach_the_dashboard(django_app, claw, customer):
    response = django_app.get(reverse("dashboard:index"), user=customer, expect_errors=True)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert reverse("dashboard:index") not in response.location.split("?")[0]
    response = django_app.get(
        reverse("dashboard:catalogue-product", kwargs={"pk": claw.pk}), user=customer, expect_errors=True
    )
    assert response.status_code in (302, 403)


def test_anonymous_is_sent_to_login(django_app, seeded):
    response = django_app.get(reverse("dashboard:index"))
    assert response.status_code == 302
    assert "login" in response.location

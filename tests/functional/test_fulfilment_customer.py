"""The customer's order page (account and guest link) shows where the order stands and what
happened when, with the parcel's tracking link."""

import pytest
from django.urls import reverse

from fulfilment import services

pytestmark = pytest.mark.django_db


def account_order_page(app, order, user):
    return app.get(reverse("customer:order", kwargs={"order_number": order.number}), user=user)


def timeline_of(page):
    section = page.html.select_one(".order-timeline")
    return {
        "status": section.select_one(".order-timeline__status").text,
        "steps": [
            (li.select_one(".order-progress__label").text, "is-done" in li["class"], li.get("aria-current"))
            for li in section.select(".order-progress__step")
        ],
        "history": [li.select_one(".order-history__what").text for li in section.select(".order-history__entry")],
        "tracking": [a["href"] for a in section.select("a[href^='https://']")],
    }


def test_the_account_page_follows_the_order_to_delivery(django_app, place_order, customer, staff_user):
    order = place_order(user=customer, email=customer.email)
    timeline = timeline_of(account_order_page(django_app, order, customer))
    assert timeline["status"] == "Paid"
    assert timeline["steps"][0] == ("Paid", True, "step")
    assert [done for _label, done, _current in timeline["steps"]] == [True, False, False, False]
    assert timeline["history"] == ["Order placed"]

    services.mark_processing(order, user=staff_user)
    services.ship_order(order, carrier="fedex", tracking_number="1234 5678 9012", user=staff_user)
    page = account_order_page(django_app, order, customer)
    timeline = timeline_of(page)
    assert timeline["status"] == "Shipped"
    assert [current for _label, _done, current in timeline["steps"]] == [None, None, "step", None]
    assert timeline["history"] == ["Order placed", "Being packed", "Shipped"]
    tracking = "https://www.fedex.com/fedextrack/?trknbr=123456789012"
    assert timeline["tracking"] == [tracking, tracking]  # the button and the history entry
    assert "FedEx tracking number" in page.text and "123456789012" in page.text

    services.mark_delivered(order, user=staff_user)
    timeline = timeline_of(account_order_page(django_app, order, customer))
    assert timeline["status"] == "Delivered"
    assert all(done for _label, done, _current in timeline["steps"])
    assert timeline["history"][-1] == "Delivered"


def test_a_cancelled_order_says_so_and_shows_the_refund(django_app, place_order, customer, staff_user):
    order = place_order(user=customer, email=customer.email)
    services.cancel_order(order, user=staff_user)
    page = account_order_page(django_app, order, customer)
    timeline = timeline_of(page)
    assert timeline["status"] == "Cancelled"
    assert timeline["steps"] == []  # off the usual path: no progress bar
    assert timeline["history"] == ["Order placed", "Cancelled", "Refunded $55.94"]
    assert "will not be shipped" in page.text


def test_another_customer_cannot_see_the_order(django_app, place_order, customer, django_user_model):
    order = place_order(user=customer, email=customer.email)
    other = django_user_model.objects.create_user(username="eve", email="eve@example.com", password="eve-pass-123")
    response = django_app.get(
        reverse("customer:order", kwargs={"order_number": order.number}), user=other, expect_errors=True
    )
    assert response.status_code == 404

"""Staff ship an order with its tracking number in the dashboard; the customer follows the link
in the email to the order's page and finds the tracking link there. In a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from fulfilment import statuses
from tests.fixtures.fulfilment import Stock, stock_of

from .support import axe_violations, no_horizontal_overflow
from .test_people import staff_login

pytestmark = pytest.mark.browser

TRACKING_URL = "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"


def path_in_last_email(to, containing):
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    url = next(u for u in re.findall(r"https?://[^\s\"<>]+", message.body) if containing in u)
    return re.sub(r"^https?://[^/]+", "", url)


def test_staff_ship_with_tracking_and_the_customer_sees_it(store, new_page, place_order, claw, django_user_model):
    order = place_order(email="grace@example.com")
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)

    staff = new_page()
    staff_login(staff, django_user_model)
    staff.goto("/dashboard/orders/to-ship/")
    staff.get_by_role("link", name=order.number).first.click()
    panel = staff.locator("#fulfilment")
    expect(panel).to_contain_text("Paid")
    panel.get_by_label("Carrier", exact=True).select_option(label="UPS")
    panel.get_by_label("Tracking number").fill("1Z 999 AA1 0123 4567 84")
    panel.get_by_role("button", name="Mark shipped and email the customer").click()
    expect(staff.locator("#messages")).to_contain_text("is shipped with UPS, tracking number 1Z999AA10123456784")
    expect(staff.locator("#fulfilment .badge")).to_have_text("Shipped")
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    assert staff.console_errors == [] and staff.dialogs == []

    customer = new_page(viewport={"width": 360, "height": 800}, bypass_csp=True)
    customer.goto(path_in_last_email("grace@example.com", "order-status"))
    customer.locator("main #id_email").fill("grace@example.com")  # Oscar asks a guest for the order's email
    customer.locator("main").get_by_role("button", name="See my order").click()
    timeline = customer.locator(".order-timeline")
    expect(timeline.locator(".order-timeline__status")).to_have_text("Shipped")
    expect(timeline).to_contain_text("1Z999AA10123456784")
    expect(timeline.get_by_role("link", name=re.compile("Follow your parcel"))).to_have_attribute("href", TRACKING_URL)
    expect(timeline.locator("[aria-current=step]")).to_contain_text("Shipped")
    assert no_horizontal_overflow(customer)
    assert axe_violations(customer) == []
    assert customer.console_errors == []

    staff.get_by_role("button", name=re.compile("Mark as delivered")).click()
    expect(staff.locator("#messages")).to_contain_text("is now Delivered")
    customer.reload()
    expect(timeline.locator(".order-timeline__status")).to_have_text("Delivered")
    order.refresh_from_db()
    assert order.status == statuses.DELIVERED
    assert any("has been delivered" in m.subject for m in mail.outbox if "grace@example.com" in m.to)

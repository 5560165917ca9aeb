"""From the cart to the order status page at a computer's and a phone's width (demo mode): each
page has no serious or critical axe violation, every tap target passes WCAG 2.5.8, nothing
scrolls the page sideways at 360 px, and the checkout steps have no site navigation around them."""

import re

import pytest
from playwright.sync_api import expect

from .support import axe_violations, no_horizontal_overflow
from .taptargets import small_tap_targets
from .test_checkout import demo_mode  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_cart_checkout_thank_you_and_order_status(new_page, demo_mode, width):  # noqa: F811
    # axe is injected as an inline script; the store's CSP (rightly) refuses those.
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    problems = {}

    def check(name, url_part, focused):
        expect(page).to_have_url(re.compile(url_part))
        page.wait_for_load_state()
        found = {
            "axe": axe_violations(page),
            "tap targets": small_tap_targets(page),
            "sideways scroll": []
            if no_horizontal_overflow(page)
            else [page.evaluate("document.documentElement.scrollWidth")],
            "site navigation": page.locator(".site-nav, .site-search, .site-footer").count() if focused else 0,
        }
        found = {k: v for k, v in found.items() if v}
        if found:
            problems[name] = found
        assert page.locator("h1").count() == 1, name

    page.goto("/")
    page.locator(".hero form button").click()
    page.goto("/basket/")
    check("cart", "/basket/$", focused=False)
    page.get_by_role("button", name=re.compile("One more QL Claw")).click()
    expect(page.locator(".cart-line__quantity input")).to_have_value("2")
    page.get_by_role("link", name="Proceed to checkout").click()

    check("email", "/checkout/$", focused=True)
    page.fill("#id_username", "guest@example.com")
    page.get_by_text("As a guest").click()  # the whole row is the radio button's target
    page.get_by_role("button", name="Continue").click()

    check("address", "/checkout/shipping-address/", focused=True)
    form = page.locator("#new_shipping_address")
    form.get_by_label("ZIP code").fill("6270")
    form.get_by_role("button", name="Continue to shipping").click()
    check("address with errors", "/checkout/shipping-address/", focused=True)
    expect(form.get_by_label("ZIP code")).to_have_value("6270")
    for label, value in {"First name": "Ada", "Last name": "Lovelace", "Address line 1": "12 Analytical Way",
                         "City": "Springfield", "ZIP code": "62701-1234"}.items():  # fmt: skip
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("State").select_option(label="Illinois")
    form.get_by_role("button", name="Continue to shipping").click()

    check("shipping method", "/checkout/shipping-method/", focused=True)
    expect(page.locator(".order-summary")).to_contain_text("Springfield, IL 62701-1234")
    page.locator("form").filter(has=page.locator("input[name=method_code][value=standard]")).get_by_role(
        "button"
    ).click()

    check("payment", "/checkout/payment-details/", focused=True)
    expect(page.locator(".order-summary__total")).to_contain_text("$99.98")  # free shipping over $75, no IL tax
    page.get_by_text("Email me release routines").click()
    expect(page.locator("#id_newsletter")).to_be_checked()
    page.get_by_role("button", name=re.compile("Demo payment, no card charged")).click()

    check("thank you", "/checkout/thank-you/", focused=False)
    expect(page.locator("h1")).to_contain_text(re.compile(r"Order \d{5,}"))
    expect(page.locator(".order-totals-box")).to_contain_text("Paid with Demo payment")
    page.get_by_role("link", name="Follow this order").click()

    check("order email check", "/order-status-form/", focused=False)
    page.locator("main").get_by_label("Email").fill("guest@example.com")
    page.locator("main").get_by_role("button", name="See my order").click()
    check("order status", "/order-status/", focused=False)
    expect(page.locator(".order-timeline__title")).to_contain_text("Status: Paid")
    expect(page.locator("main")).not_to_contain_text("Allocation")
    assert problems == {}
    assert page.console_errors == [] and page.dialogs == []

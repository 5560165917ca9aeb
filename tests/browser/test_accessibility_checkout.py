"""axe-core finds no serious or critical accessibility problem on the checkout pages, from the
guest's email step to the thank-you page (demo mode), on a desktop and a 360 px phone."""

import re

import pytest
from playwright.sync_api import expect

from .support import (
    axe_violations,
    choose_standard_shipping,
    continue_as_guest,
    fill_shipping_address,
    no_horizontal_overflow,
)
from .test_checkout import demo_mode  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 360])
def test_checkout_pages_have_no_serious_accessibility_violations(new_page, demo_mode, width):  # noqa: F811
    # axe is injected as an inline script; the store's CSP (rightly) refuses those.
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    found = {}

    def check(name, url_part):
        expect(page).to_have_url(re.compile(url_part))
        page.wait_for_load_state()
        assert no_horizontal_overflow(page), name
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    page.goto("/")
    page.locator(".hero form button").click()
    page.goto("/checkout/")
    check("guest email", "/checkout/$")
    continue_as_guest(page)
    check("shipping address", "/checkout/shipping-address/")

    form = page.locator("#new_shipping_address")
    form.locator("button[type=submit]").click()  # nothing filled in: the form with its errors
    check("shipping address with errors", "/checkout/shipping-address/")
    fill_shipping_address(page)
    check("shipping method", "/checkout/shipping-method/")

    choose_standard_shipping(page)
    check("payment", "/checkout/payment-details/")
    page.get_by_role("button", name="Demo: decline the card").click()
    check("payment after a declined card", "/checkout/payment-details/")
    page.get_by_role("button", name=re.compile("Demo payment, no card charged")).click()
    check("thank you", "/checkout/thank-you/")
    expect(page.locator("h1")).to_contain_text(re.compile(r"\d{5,}"))
    assert found == {}

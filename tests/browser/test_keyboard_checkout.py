"""A shopper who uses only the keyboard goes from the home page to the payment step.

After the first page.goto, nothing but Tab, Shift+Tab, Enter, Space and typing: no clicks, no
other navigation. Every control that takes focus on the way must show where the focus is."""

import re

import pytest
from playwright.sync_api import expect

from .test_checkout import demo_mode  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

# What the focused element is, and whether a sighted keyboard user can see that it has focus.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== "none";
    return {
        tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "", id: el.id,
        text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\\s+/g, " "),
        visible: outline || ring,
    };
}"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.no_focus_ring = []

    def tab_to(self, matches, what, limit=80):
        """Press Tab until the focused element matches; fail if it cannot be reached. After a
        navigation the new URL shows before the page's stylesheet has loaded: wait for it, or a
        busy machine reports the browser's unstyled focus as missing."""
        self.page.wait_for_load_state("load")
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUSED)
            if focused is None:
                continue
            if not focused["visible"]:
                self.no_focus_ring.append(f"{self.page.url}: {focused['tag']} {focused['id'] or focused['name']} "
                                          f"{focused['text'][:40]!r}")
            if matches(focused):
                return focused
        pytest.fail(f"{what} cannot be reached with Tab on {self.page.url}")

    def fill(self, name, value):
        self.tab_to(lambda f: f["name"] == name, f"the {name} field")
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(value)


def test_keyboard_only_shopper_reaches_the_payment_step(page, demo_mode):  # noqa: F811
    keys = Keyboard(page)
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    keys.tab_to(lambda f: f["text"] == "Add to cart", "the hero's Add to cart button")
    page.keyboard.press("Enter")
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")

    keys.tab_to(lambda f: f["tag"] == "a" and f["text"].startswith("Cart"), "the Cart link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/basket/$"))

    keys.tab_to(lambda f: re.search("proceed to checkout", f["text"], re.I), "Proceed to checkout")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Checkout")

    keys.fill("username", "keys@example.com")
    guest = keys.tab_to(lambda f: f["name"] == "options", "the guest/returning customer choice")
    assert page.locator("input[name=options][value=anonymous]").is_checked(), guest  # the default: a guest
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == "Continue", "Continue")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/checkout/shipping-address/"))

    for name, value in {
        "first_name": "Ada", "last_name": "Lovelace", "line1": "12 Analytical Way",
        "line4": "Springfield", "state": "Illinois", "postcode": "62701",  # the state: typed into its list
    }.items():
        keys.fill(name, value)
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"].lower().startswith("continue"), "the address button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/checkout/shipping-method/"))

    # The standard method's button: the first "Select option" button on the page.
    standard = page.locator("form").filter(has=page.locator("input[name=method_code][value=standard]")).locator(
        "button[type=submit]"
    )
    label = " ".join(standard.inner_text().split())  # spaced as FOCUSED reports it
    keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == label, "the standard shipping button")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("/checkout/payment-details/"))
    expect(page.locator("h1")).to_contain_text("Payment")
    expect(page.locator(".order-summary")).to_contain_text("Standard shipping")

    # The pay button is within reach too (not pressed: the journey stops at the payment step).
    keys.tab_to(lambda f: f["id"] == "demo-pay-button", "the pay button")
    expect(page.locator("#demo-pay-button")).to_be_focused()
    assert keys.no_focus_ring == []
    assert page.console_errors == [] and page.dialogs == []

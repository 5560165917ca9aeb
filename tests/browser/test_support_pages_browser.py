"""The support pages in a browser: no serious accessibility problem (also with the contact form's
errors showing), no sideways scrolling on a phone, tap targets of at least 24 x 24 CSS px."""

import pytest

from .support import axe_violations, no_horizontal_overflow

pytestmark = pytest.mark.browser

PAGES = ["/shipping/", "/returns/", "/faq/", "/about/", "/contact/", "/newsletter/"]
# Controls a shopper taps on these pages (links inside a sentence are exempt in WCAG 2.5.8).
TARGETS = (
    ".support__nav a, .site-footer li a, .support .btn, .support-form input:not([type=hidden]):not([tabindex='-1']), "
    ".support-form select, .support-form textarea, .support-form button, .newsletter-landing input[type=email], "
    ".newsletter-landing button"
)


def small_targets(page):
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => {
                const r = el.getBoundingClientRect();
                return {text: (el.textContent || el.name || "").trim().slice(0, 30), w: r.width, h: r.height};
            })
            .filter((t) => t.w < 24 || t.h < 24)""",
        TARGETS,
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_support_pages_are_accessible_and_fit(new_page, width):
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)  # axe is an inline script
    found = {}
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator(TARGETS).count() >= 8, path  # the footer's links at least: the check looks at something
        problems = {
            "axe": axe_violations(page),
            "overflow": not no_horizontal_overflow(page),
            "small targets": small_targets(page),
        }
        problems = {key: value for key, value in problems.items() if value}
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_contact_form_errors_are_accessible(new_page, width):
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.goto("/contact/")
    page.fill("#id_name", "Jo Rivera")
    page.fill("#id_message", "Where is my parcel?")
    page.locator("#contact-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-danger").count() >= 1
    assert page.locator("#id_message").input_value() == "Where is my parcel?"  # kept
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    assert no_horizontal_overflow(page)
    assert small_targets(page) == []

"""axe-core finds no serious or critical accessibility problem on the shopper's pages."""

import pytest

from .support import axe_violations, claw_url

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "product": "/catalogue/ql-claw_1/",
    "article": "/learn/psoas-trigger-points/",
    "learn": "/learn/",
    "tutorials": "/tutorials/",
    "basket": "/basket/",
}


@pytest.mark.parametrize("width", [1280, 360])
def test_no_serious_accessibility_violations(new_page, width):
    # axe is injected as an inline script; the store's CSP (rightly) refuses those.
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.goto("/")
    page.locator(".hero form button").click()  # a basket with a line, so the basket page has its form
    found = {}
    for name, path in PAGES.items():
        if name == "product":
            path = claw_url()  # ids go on counting across browser tests: not always ql-claw_1
        response = page.goto(path)
        assert response.status == 200, (name, path, response.status)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}

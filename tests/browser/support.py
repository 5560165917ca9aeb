"""Helpers the browser tests share."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def claw_url():
    """The QL Claw's page: its id is not always 1 (ids go on counting across browser tests)."""
    from oscar.core.loading import get_model

    return get_model("catalogue", "Product").objects.get(upc="QLC-CLAW-01").get_absolute_url()


ADDRESS = {
    "first_name": "Ada", "last_name": "Lovelace", "line1": "12 Analytical Way",
    "line4": "Springfield", "state": "IL", "postcode": "62701",
}


def continue_as_guest(page, email="guest@example.com"):
    """The checkout's "Who are you?" step, as a guest."""
    page.fill("#id_username", email)
    page.check("input[name=options][value=anonymous]")
    page.locator("form").filter(has=page.locator("#id_username")).locator("button[type=submit]").first.click()


def fill_shipping_address(page):
    form = page.locator("#new_shipping_address")
    for field, value in ADDRESS.items():
        if field == "state":
            form.locator(f"[name={field}]").select_option(value)  # a list of the states
        else:
            form.locator(f"[name={field}]").fill(value)
    form.locator("button[type=submit]").click()


def choose_standard_shipping(page):
    page.locator("form").filter(has=page.locator("input[name=method_code][value=standard]")).locator(
        "button[type=submit]"
    ).click()

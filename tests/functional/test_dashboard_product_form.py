"""The dashboard's product edit page: every price and stock field has a visible label, and the
image preview is allowed by the page's Content-Security-Policy (the storefront keeps its own)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STOCK_FIELDS = ["partner", "partner_sku", "num_in_stock", "low_stock_threshold", "price_currency", "price"]


def policy(response):
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def edit_page(django_app, claw, staff_user):
    return django_app.get(reverse("dashboard:catalogue-product", kwargs={"pk": claw.pk}), user=staff_user)


def test_every_price_and_stock_field_has_a_visible_label(edit_page, claw):
    assert claw.get_product_class().track_stock  # so the stock fields are on the page
    html = edit_page.html
    forms = int(html.select_one("#id_stockrecords-TOTAL_FORMS")["value"])
    assert forms >= 2  # the claw's own record and the empty extra one
    for n in range(forms):
        for name in STOCK_FIELDS:
            field_id = f"id_stockrecords-{n}-{name}"
            assert html.select_one(f"#{field_id}") is not None, field_id
            label = html.select_one(f"label[for={field_id}]")
            assert label is not None, f"no label for {field_id}"
            assert label.get_text(strip=True), f"empty label for {field_id}"
            hidden = {"sr-only", "visually-hidden", "d-none"} & set(label.get("class", []))
            assert not hidden and not label.has_attr("hidden"), f"label for {field_id} is hidden"
    assert html.select_one("label[for=id_stockrecords-0-price]").get_text(strip=True).startswith("Price")


def test_labelled_fields_still_save(edit_page, claw):
    form = edit_page.forms["create_update_product_form"]
    form["stockrecords-0-price"] = "39.00"
    form["stockrecords-0-low_stock_threshold"] = "4"
    assert form.submit(name="action", value="save").status_code == 302
    record = claw.stockrecords.get()
    assert (str(record.price), record.low_stock_threshold) == ("39.00", 4)


def test_image_preview_needs_no_inline_script(edit_page):
    """Oscar's dashboard.js previews the chosen file as a data: URL in the widget's <img>; the
    inline onload/onerror handlers Oscar put on that <img> are gone (the CSP would block them),
    and our static script that replaces them is on the page."""
    html = edit_page.html
    images = html.select(".image-input img")
    assert images
    for img in images:
        assert not any(attr.startswith("on") for attr in img.attrs), img
    assert html.select_one("script[src*='shop/js/dashboard-image-preview']") is not None
    csp = policy(edit_page)
    assert "data:" in csp["img-src"]
    assert "'self'" in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]


def test_dashboard_widening_stays_on_the_dashboard(django_app, edit_page, claw):
    assert "blob:" in policy(edit_page)["img-src"]
    for url in ("/", claw.get_absolute_url()):
        csp = policy(django_app.get(url))
        assert "blob:" not in csp["img-src"]
        assert "'unsafe-hashes'" not in csp["script-src"]
        assert "'unsafe-inline'" not in csp["script-src"]

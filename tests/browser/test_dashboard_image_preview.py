"""Staff choose a product image in the dashboard and see its preview before saving, under the
store's Content-Security-Policy."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from .test_people import staff_login

pytestmark = pytest.mark.browser


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def open_images_tab(page, django_user_model):
    from oscar.core.loading import get_model

    claw = get_model("catalogue", "Product").objects.get(upc="QLC-CLAW-01")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    staff_login(page, django_user_model)
    page.goto(f"/dashboard/catalogue/products/{claw.pk}/")
    page.locator("a[href='#product_images']").first.click()
    return violations


def test_chosen_image_is_previewed_without_csp_violations(page, django_user_model):
    violations = open_images_tab(page, django_user_model)
    upload = page.locator("input[type=file][name$='-original']").last
    widget_id = upload.get_attribute("id")
    button = page.locator(f"#upload_button_{widget_id}-image")
    expect(button).to_be_visible()
    # the hidden "not an image" message must not make Oscar flag the tab as having errors
    expect(page.locator("a[href='#product_images'] .fa-info-circle")).to_have_count(0)

    upload.set_input_files({"name": "claw.png", "mimeType": "image/png", "buffer": png_bytes()})

    preview = page.locator(f"#{widget_id}-image img")
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    expect(preview).to_have_js_property("naturalWidth", 40)  # the image really loaded
    expect(button).to_be_hidden()  # what Oscar's inline onload did, now done by our script
    assert violations == []
    assert page.console_errors == []


def test_a_file_that_is_not_an_image_is_reported_on_the_page(page, django_user_model):
    violations = open_images_tab(page, django_user_model)
    upload = page.locator("input[type=file][name$='-original']").last
    widget_id = upload.get_attribute("id")

    upload.set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture"})

    expect(page.locator(f"#{widget_id}-image .image-input-warning")).to_be_visible()
    expect(page.locator(f"#upload_button_{widget_id}-image")).to_be_visible()
    assert violations == []
    assert page.dialogs == []

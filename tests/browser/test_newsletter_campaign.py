"""A newsletter issue from the dashboard to a subscriber's one-click unsubscribe, in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def staff_login(page, django_user_model):
    django_user_model.objects.create_superuser(username="boss", email="boss@qlclaw.example", password="boss-pass-12345")
    page.goto("/accounts/login/")
    page.fill("#id_login-username", "boss@qlclaw.example")
    page.fill("#id_login-password", "boss-pass-12345")
    page.click("button[name=login_submit]")


def wait_for_editor(page, field_id):
    # (polled from here: wait_for_function evaluates a string, which the dashboard's CSP forbids)
    for _ in range(100):
        editor = f"tinymce.get('{field_id}')"
        if page.evaluate(f"() => !!(window.tinymce && {editor} && {editor}.initialized)"):
            return
        page.wait_for_timeout(100)
    pytest.fail("TinyMCE did not start on the campaign form")


def test_staff_write_preview_test_and_send_then_the_subscriber_unsubscribes(new_page, django_user_model):
    from django.utils import timezone

    from newsletter.models import Campaign, Subscriber

    Subscriber.objects.create(
        email="sam@example.com", status="subscribed", source="footer", consent_version="2026-11",
        consent_text="Yes, email me the newsletter.", signed_up_at=timezone.now(), confirmed_at=timezone.now(),
    )
    page = new_page()
    staff_login(page, django_user_model)

    # Write: subject, preview text, a body in the article editor, a product card.
    page.goto("/dashboard/newsletter/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.fill("#id_subject", "Three routines for a stiff low back")
    page.fill("#id_preview_text", "Five minutes each, on the floor")
    wait_for_editor(page, "id_body")
    page.evaluate(
        "tinymce.get('id_body').setContent('<h2>This month</h2><p>Lie down, breathe out, "
        "<a href=\"/learn/\">read why it works</a>.</p><script>alert(1)</script>')"
    )
    page.evaluate("tinymce.triggerSave()")
    page.select_option("#id_product_links-0-product", label="QL Claw")
    page.get_by_role("button", name="Save and preview").click()

    # Preview: the email itself, in the page's frames, and its text.
    expect(page.locator(".alert-success").first).to_contain_text("saved")
    desktop = page.frame_locator("#preview-frame")
    expect(desktop.get_by_role("heading", name="This month")).to_be_visible()
    expect(desktop.locator("body")).to_contain_text("QL Claw")
    expect(desktop.locator("body")).to_contain_text("100 Demo Street")
    expect(page.locator("#preview-text")).to_contain_text("Lie down, breathe out")
    assert page.dialogs == []  # the script never ran

    # Test send to an address of staff's choosing.
    page.get_by_role("link", name="Back to the campaign").click()
    page.fill("#id_test_email", "editor@example.com")
    page.get_by_role("button", name="Send a test").click()
    expect(page.locator(".alert-success").first).to_contain_text("editor@example.com")
    assert [m.subject for m in mail.outbox if m.to == ["editor@example.com"]] == [
        "[Test] Three routines for a stiff low back"
    ]

    # Send now, confirmed.
    page.locator("#send-now summary").click()
    page.get_by_role("button", name="Yes, send it now").click()
    expect(page.locator("#campaign-status")).to_have_text("Sent")
    expect(page.locator('[data-figure="sent"]')).to_have_text("1")
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.SENT

    # The subscriber gets it once, and unsubscribes from the link in it with one click.
    [issue] = [m for m in mail.outbox if m.to == ["sam@example.com"]]
    assert issue.subject == "Three routines for a stiff low back"
    assert issue.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"https?://[^\s]+/newsletter/unsubscribe/[^\s]+/", issue.body).group(0)
    reader = new_page()  # the subscriber's own browser: no session, no cookie
    reader.goto(re.sub(r"^https?://[^/]+", "", link))
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.locator("main")).to_contain_text(re.compile("unsubscribed", re.I))
    assert Subscriber.objects.get(email="sam@example.com").status == "unsubscribed"

    page.reload()
    expect(page.locator('[data-figure="unsubscribes"]')).to_have_text("1")
    # The email's pictures are absolute, on SITE_URL (https://testserver in tests), which the browser
    # may not reach here: those are the only failed loads.
    assert all(url.startswith("https://testserver/media/") for url in page.network.external)
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
    assert reader.console_errors == []

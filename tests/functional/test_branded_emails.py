"""Every customer email is the store's own: a text and an HTML part from the one frame
(shop/emails/base.*), the store's name and address in the footer, absolute SITE_URL links, and no
Oscar default wording or template tag left in."""

import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from checkout import refunds
from fulfilment import services
from shop.mail import render_email, send_branded
from tests.fixtures.mail import html_part, urls_in

pytestmark = pytest.mark.django_db

OSCAR_WORDING = ["Thank you for registering", "We are pleased to confirm", "You're receiving this e-mail", "The team"]


@pytest.fixture(autouse=True)
def _keep_emails_to_look_at(request):
    """EMAIL_PREVIEW_DIR=/some/dir writes every email a test sends there (.html and .txt) to be
    opened in a browser; nothing is written without it."""
    yield
    folder = os.environ.get("EMAIL_PREVIEW_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for i, message in enumerate(mail.outbox):
        name = f"{request.node.name}-{i}"
        with open(os.path.join(folder, f"{name}.txt"), "w") as out:
            out.write(f"Subject: {message.subject}\nTo: {', '.join(message.to)}\n\n{message.body}")
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                with open(os.path.join(folder, f"{name}.html"), "w") as out:
                    out.write(content)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def assert_branded(message):
    """The checks every customer email passes; returns (text, html)."""
    text, html = message.body, html_part(message)
    assert message.subject and "\n" not in message.subject
    for part in (message.subject, text, html):
        assert "{%" not in part and "{{" not in part and "%}" not in part and "}}" not in part
        for words in OSCAR_WORDING:
            assert words not in part
    # The frame: the store's name, its postal address and the team's sign-off, in both parts.
    assert settings.OSCAR_SHOP_NAME in html and settings.NEWSLETTER_POSTAL_ADDRESS in html
    assert 'class="email-card"' in html and html.lstrip().startswith("<!DOCTYPE html>")
    assert settings.NEWSLETTER_POSTAL_ADDRESS in text and "The QL Claw team" in text
    assert "<" not in text.replace("<you>", "")  # no markup in the text part
    assert "\n\n\n" not in text
    # Links: absolute, to SITE_URL unless they lead to the carrier; none relative.
    site = urlsplit(settings.SITE_URL).netloc
    for url in urls_in(message):
        host = urlsplit(url).netloc
        assert host == site or host.endswith(("ups.com", "usps.com", "fedex.com", "dhl.com")), url
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    return text, html


def last_to(address):
    return [m for m in mail.outbox if address in m.to][-1]


def test_order_confirmation_lists_the_order_in_plain_words(place_order, on_commit):
    with on_commit():
        order = place_order(quantity=2, email="ada@example.com")
    message = last_to("ada@example.com")
    text, html = assert_branded(message)
    assert message.subject == f"Your QL Claw order {order.number} is confirmed"
    assert "  2 x QL Claw: $99.98\n" in text
    assert "Standard shipping (3-5 business days): Free\n" in text
    assert f"Order total: ${order.total_incl_tax}\n" in text
    assert "Shipping to:\n  Ada Lovelace\n  12 Analytical Way\n  Springfield, IL 62701\n" in text
    assert "Paid with: Visa ending 4242\n" in text  # the card the (fake) Stripe charged
    status_url = settings.SITE_URL + reverse(
        "customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()}
    )
    assert status_url in text and status_url in html.replace("&amp;", "&")
    assert "QL Claw" in html and "$99.98" in html and "Check your order" in html
    assert "Quantity 2" in html


def test_payment_in_words(place_order, on_commit):
    from shop.templatetags.store_emails import payment_in_words

    order = place_order()
    payment = order.checkout_payment
    assert payment_in_words(order) == "Visa ending 4242"
    order.sources.update(label="")
    assert payment_in_words(order) == "Card"  # a Stripe payment whose card we were not told
    payment.intent_id = "demo_123"
    assert payment_in_words(order) == "Demo payment"


def test_registration_welcomes_in_our_words(django_app, frozen_rate_window):
    form = django_app.get(reverse("customer:register")).forms["register_form"]
    form["email"] = "new@example.com"
    form["password1"] = form["password2"] = "a-long-pass-phrase-7"
    form.submit().follow()
    message = last_to("new@example.com")
    text, html = assert_branded(message)
    assert message.subject == "Welcome to QL Claw"
    assert "new@example.com" in text and "Go to your account" in html
    assert settings.SITE_URL + reverse("customer:summary") in text


def test_password_reset_link_is_absolute_and_works(django_app, customer, frozen_rate_window):
    page = django_app.get(reverse("password-reset"))
    form = next(f for f in page.forms.values() if "email" in f.fields)
    form["email"] = customer.email
    form.submit()
    message = last_to(customer.email)
    text, html = assert_branded(message)
    assert message.subject == "Reset your QL Claw password"
    [link] = {u for u in urls_in(message) if "/password-reset/confirm/" in u}
    assert link.startswith(settings.SITE_URL + "/") and link in text
    assert django_app.get(urlsplit(link).path).maybe_follow().status_code == 200


def test_password_and_email_changed(django_app, customer, frozen_rate_window):
    page = django_app.get(reverse("customer:change-password"), user=customer)
    form = next(f for f in page.forms.values() if "new_password1" in f.fields)
    form["old_password"] = "customer-pass-123"
    form["new_password1"] = form["new_password2"] = "another-long-pass-9"
    form.submit().follow()
    changed = last_to(customer.email)
    text, _html = assert_branded(changed)
    assert changed.subject == "Your QL Claw password was changed"
    assert settings.SITE_URL + "/password-reset/confirm/" in text

    page = django_app.get(reverse("customer:profile-update"), user=customer)
    form = next(f for f in page.forms.values() if "email" in f.fields)
    form["email"] = "renamed@example.com"
    form.submit().follow()
    moved = last_to("customer@example.com")
    text, html = assert_branded(moved)
    assert moved.subject == "The email address of your QL Claw account was changed"
    assert "renamed@example.com" in text and "renamed@example.com" in html


def test_fulfilment_emails_share_the_frame(place_order, staff_user, fake_stripe, on_commit):
    order = place_order(email="grace@example.com")
    with on_commit():
        services.ship_order(order, carrier="ups", tracking_number="1Z999AA10123456784", user=staff_user)
    shipped = last_to("grace@example.com")
    text, html = assert_branded(shipped)
    assert (
        "Follow your parcel" in html and "https://www.ups.com/track?loc=en_US&amp;tracknum=1Z999AA10123456784" in html
    )
    assert "1 x QL Claw" in text

    with on_commit():
        services.mark_delivered(order, user=staff_user)
    delivered = last_to("grace@example.com")
    assert delivered.subject.endswith("has been delivered")
    assert_branded(delivered)

    with on_commit():
        refunds.refund_order(order, Decimal("10.00"), user=staff_user, token="t1")
    refunded = last_to("grace@example.com")
    assert refunded.subject.startswith("We refunded $10.00")
    text, _html = assert_branded(refunded)
    assert "This is a partial refund" in text

    other = place_order(email="hedy@example.com")
    with on_commit():
        services.cancel_order(other, user=staff_user, reason="Out of the delivery area")
    cancelled = last_to("hedy@example.com")
    text, _html = assert_branded(cancelled)
    assert "Why: Out of the delivery area" in text and "We have refunded $55.94" in text


def test_send_branded_renders_both_parts_from_one_call(tmp_path, settings):
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "hi_subject.txt").write_text("Hi {{ name }}\n")
    (tmp_path / "hello" / "hi_body.txt").write_text(
        '{% extends "shop/emails/base.txt" %}{% block content %}Hello {{ name }} & <you>{% endblock %}'
    )
    (tmp_path / "hello" / "hi_body.html").write_text(
        '{% extends "shop/emails/base.html" %}{% block content %}<p>Hello {{ name }}</p>{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    subject, text, html = render_email("hello/hi", {"name": "Ada"})
    assert subject == "Hi Ada"
    assert text.startswith("Hello Ada & <you>")  # the text part is not HTML-escaped
    assert "<p>Hello Ada</p>" in html
    send_branded("hello/hi", {"name": "Ada"}, "ada@example.com")
    message = last_to("ada@example.com")
    assert_branded(message)

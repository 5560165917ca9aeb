"""The support pages (shipping, returns, FAQ, about, contact): the figures come from the shipping
methods checkout offers, staff edit the words in the dashboard, and the contact form emails staff
with the same anti-spam and rate limits as article comments, keeping the text on every refusal."""

import time
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from oscar.core.loading import get_model

from support import tokens
from support.models import PolicyPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
CONTACT = reverse("support:contact")
MESSAGE = "Hello! My QL Claw arrived yesterday but one grip pad is missing. Could you send one?"


@pytest.fixture
def store(db):
    call_command("setup_store", verbosity=0)


@pytest.fixture
def store_manager(django_user_model, store):
    user = django_user_model.objects.create_user(
        username="manager", email="manager@qlclaw.example", password="manager-pass-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=django_settings.STORE_STAFF_GROUP))
    return user


@pytest.fixture(autouse=True)
def _contact(settings):
    settings.STORE_STAFF_EMAILS = ["help@qlclaw.example"]
    settings.SUPPORT_RATE_PER_IP = "5/h"


def text_of(page):
    return " ".join(page.html.select_one("#content_inner").get_text(" ").split())


def contact_form(page):
    return page.forms["contact-form"]


def fill(app, **fields):
    """The contact form as served, filled in, with a "served at" time a person could have needed."""
    form = contact_form(app.get(CONTACT))
    values = {"name": "Jo Rivera", "email": "jo@example.com", "subject": "order", "order_number": "100023",
              "message": MESSAGE}
    values.update(fields)
    for name, value in values.items():
        if name == "subject" and value not in [option[0] for option in form["subject"].options]:
            form["subject"].force_value(value)  # what a robot posts, not one of the select's options
        else:
            form[name] = value
    form["ts"] = tokens.form_token(issued_at=time.time() - 30)
    return form


def send(app, deliver, **fields):
    form = fill(app, **fields)
    with deliver(execute=True):
        return form.submit(expect_errors=True)


# Pages and live figures


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shipping", ["Standard shipping", "$5.95", "3-5 business days", "Express shipping", "$19.95",
                      "Free standard shipping on orders of $75.00 or more"]),
        ("returns", ["30 days from delivery", "Free returns", "Start a return"]),
        ("faq", ["How do I use it?", "Standard shipping: $5.95, 3-5 business days (free on orders of $75.00 or more)",
                 "you have 30 days from delivery"]),
        ("about", ["About us", "We pack every order ourselves"]),
        ("contact", ["Contact us", "Send us a message"]),
    ],
)
def test_each_page_shows_its_words_and_the_live_figures(django_app, store, name, expected):
    page = django_app.get(reverse(f"support:{name}"))
    assert page.status_code == 200
    text = text_of(page)
    for phrase in expected:
        assert phrase in text
    assert page.html.find("link", rel="stylesheet", href=lambda h: h and "styles.css" in h) is None  # light layout


def set_threshold(amount):
    """As the dashboard saves it (a save, so the page cache hears of it)."""
    method = OrderAndItemCharges.objects.get(code="standard")
    method.free_shipping_threshold = amount
    method.save()


def test_shipping_page_follows_the_threshold_staff_set(django_app, store):
    assert "on orders of $75.00 or more" in text_of(django_app.get(reverse("support:shipping")))  # now cached
    set_threshold(Decimal("120.00"))
    text = text_of(django_app.get(reverse("support:shipping")))
    assert "Free standard shipping on orders of $120.00 or more" in text
    assert "$75.00" not in text
    set_threshold(None)
    text = text_of(django_app.get(reverse("support:shipping")))
    assert "Free standard shipping" not in text and "Free on orders of" not in text


def test_returns_page_follows_the_return_window(django_app, store, settings):
    settings.STORE_RETURN_DAYS = 60
    assert "60 days from delivery" in text_of(django_app.get(reverse("support:returns")))
    assert "60 days from delivery" in text_of(django_app.get(reverse("support:faq")))


def test_pages_render_their_starting_text_before_setup_store(django_app, db):
    assert PolicyPage.objects.count() == 0
    assert "How do I use it?" in text_of(django_app.get(reverse("support:faq")))


def test_setup_store_creates_the_pages_once_and_keeps_staff_edits(store):
    assert set(PolicyPage.objects.values_list("slug", flat=True)) == {"shipping", "returns", "faq", "about", "contact"}
    PolicyPage.objects.filter(slug="about").update(title="Our story")
    call_command("setup_store", verbosity=0)
    assert PolicyPage.objects.count() == 5
    assert PolicyPage.objects.get(slug="about").title == "Our story"


def test_footer_links_every_support_page(django_app, store):
    footer = django_app.get(reverse("home")).html.select_one("footer.site-footer")
    hrefs = {a["href"] for a in footer.select("a")}
    for name in ("shipping", "returns", "contact", "faq", "about"):
        assert reverse(f"support:{name}") in hrefs


def test_support_pages_are_in_the_sitemap(django_app, store):
    xml = django_app.get("/sitemap.xml").text
    for name in ("shipping", "returns", "contact", "faq", "about"):
        assert reverse(f"support:{name}") + "</loc>" in xml


def test_newsletter_has_a_landing_page_with_the_signup_form(django_app, db):
    page = django_app.get("/newsletter/")
    assert page.status_code == 200
    form = page.forms["nl-page"]
    assert form.action == reverse("newsletter:subscribe")
    assert page.html.h1.get_text(strip=True) == "The QL Claw newsletter"
    assert "confirm" in text_of(page)


# Dashboard


def test_staff_edit_a_page_and_the_page_shows_it(django_app, store_manager):
    assert "Returns and refunds" in django_app.get(reverse("support:returns")).text  # and in the page cache now
    listing = django_app.get(reverse("support-dashboard:store-page-list"), user=store_manager)
    assert listing.status_code == 200
    edit = reverse("support-dashboard:store-page-edit", kwargs={"slug": "returns"})
    assert listing.html.find("a", href=edit)
    form = django_app.get(edit, user=store_manager).forms["policy_page_form"]
    form["title"] = "Returns, simply"
    form["body"] = '<h2>Easy</h2><p>Send it back.</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
    response = form.submit(user=store_manager)
    assert response.status_code == 302
    page = django_app.get(reverse("support:returns"))
    assert page.html.h1.get_text(strip=True) == "Returns, simply"
    assert "Send it back." in text_of(page)
    body = str(page.html.select_one(".support__body"))
    assert "<script" not in body and "javascript:" not in body
    assert "30 days from delivery" in text_of(page)  # the figures stay the page's own


def test_the_dashboard_menu_links_the_store_pages(django_app, store_manager):
    page = django_app.get(reverse("dashboard:index"), user=store_manager)
    assert page.html.find("a", href=reverse("support-dashboard:store-page-list"))


def test_a_bad_edit_keeps_what_was_typed(django_app, store_manager):
    edit = reverse("support-dashboard:store-page-edit", kwargs={"slug": "faq"})
    form = django_app.get(edit, user=store_manager).forms["policy_page_form"]
    form["title"] = "   "
    form["body"] = "<p>My new answer about sizes.</p>"
    response = form.submit(user=store_manager, expect_errors=True)
    assert response.status_code == 400
    assert "My new answer about sizes." in response.forms["policy_page_form"]["body"].value
    assert PolicyPage.objects.get(slug="faq").title == "Questions and answers"


def test_customers_and_staff_without_permission_cannot_edit(django_app, django_app_factory, store, django_user_model,
                                                            staff_without_permissions):
    customer = django_user_model.objects.create_user(username="c", email="c@example.com", password="pw-123456789")
    edit = reverse("support-dashboard:store-page-edit", kwargs={"slug": "about"})
    response = django_app.get(edit)
    assert response.status_code == 302 and "login" in response.location
    assert django_app.get(edit, user=customer, expect_errors=True).status_code == 403
    assert django_app.get(edit, user=staff_without_permissions, expect_errors=True).status_code == 403
    no_csrf = django_app_factory(csrf_checks=False)  # so the 403 below is the permission check's
    for user in (customer, staff_without_permissions):
        response = no_csrf.post(edit, {"title": "Hacked", "summary": "", "body": ""}, user=user, expect_errors=True)
        assert response.status_code == 403
    assert PolicyPage.objects.get(slug="about").title == "About us"


def test_unknown_page_slug_is_404(django_app, store_manager):
    assert django_app.get("/dashboard/store-pages/nope/", user=store_manager, expect_errors=True).status_code == 404


# Contact form


def test_a_message_reaches_staff_with_reply_to_the_customer(django_app, store, django_capture_on_commit_callbacks):
    response = send(django_app, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.location.endswith(reverse("support:contact-thanks"))
    assert "Thank you" in response.follow().text
    [message] = mail.outbox
    assert message.to == ["help@qlclaw.example"]
    assert message.reply_to == ["Jo Rivera <jo@example.com>"]
    assert "An order I placed" in message.subject and "100023" in message.subject
    assert MESSAGE in message.body and "jo@example.com" in message.body


def test_empty_form_shows_every_error(django_app, store, django_capture_on_commit_callbacks):
    response = send(django_app, django_capture_on_commit_callbacks, name="", email="", subject="", message="",
                    order_number="")
    assert response.status_code == 400
    text = text_of(response)
    for error in ("Please enter your name.", "Please enter your email address", "Please choose what your message",
                  "Please write your message."):
        assert error in text
    assert mail.outbox == []


def test_a_one_megabyte_message_gets_a_clear_error_and_keeps_the_text(django_app, store,
                                                                     django_capture_on_commit_callbacks):
    huge = "I have a question. " * 55_000  # about 1 MB
    response = send(django_app, django_capture_on_commit_callbacks, message=huge)
    assert response.status_code == 400
    assert "Please keep your message under 5000 characters" in text_of(response)
    assert contact_form(response)["name"].value == "Jo Rivera"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "order\r\nBcc: victim@example.com"},
        {"name": "Jo\r\nBcc: victim@example.com"},
        {"name": "Jo\nX-Injected: yes"},
        {"email": "jo@example.com\r\nBcc: victim@example.com"},
        {"email": "jo@example.com\nCc: victim@example.com"},
        {"order_number": "100023\r\nBcc: victim@example.com"},
    ],
)
def test_header_injection_is_refused(django_app, store, django_capture_on_commit_callbacks, fields):
    response = send(django_app, django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 400
    assert "Your message was not sent" in text_of(response)
    assert contact_form(response)["message"].value.strip() == MESSAGE
    assert mail.outbox == []


def test_honeypot_sends_nothing_and_says_why(django_app, store, django_capture_on_commit_callbacks):
    response = send(django_app, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 400
    assert "only spam robots fill in" in text_of(response)
    assert contact_form(response)["message"].value.strip() == MESSAGE
    assert mail.outbox == []


def test_a_form_sent_at_once_or_forged_is_refused_with_the_text_kept(django_app, store,
                                                                      django_capture_on_commit_callbacks):
    form = fill(django_app)
    form["ts"] = tokens.form_token()  # served this instant: a robot
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit(expect_errors=True)
    assert response.status_code == 400 and "That was quick!" in text_of(response)
    form = fill(django_app)
    form["ts"] = "forged"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit(expect_errors=True)
    assert response.status_code == 400 and "open for too long" in text_of(response)
    assert contact_form(response)["message"].value.strip() == MESSAGE
    assert mail.outbox == []


def test_rate_limit_answers_429_after_five_per_ip(django_app, store, django_capture_on_commit_callbacks,
                                                  frozen_rate_window):
    for n in range(5):
        assert send(django_app, django_capture_on_commit_callbacks, email=f"jo{n}@example.com").status_code == 302
    response = send(django_app, django_capture_on_commit_callbacks, email="jo9@example.com")
    assert response.status_code == 429
    assert "paused the form" in text_of(response)
    assert contact_form(response)["message"].value.strip() == MESSAGE
    assert len(mail.outbox) == 5


def test_rate_limit_per_email(django_app, store, django_capture_on_commit_callbacks, frozen_rate_window, settings):
    settings.SUPPORT_RATE_PER_IP = "100/h"
    settings.SUPPORT_RATE_PER_EMAIL = "2/h"
    statuses = [
        send(django_app, django_capture_on_commit_callbacks, email=email).status_code
        for email in ("same@example.com", "Same@Example.com", "same@example.com")
    ]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_subject_is_preselected_from_the_returns_page(django_app, store):
    page = django_app.get(reverse("support:returns")).click(href=CONTACT + r"\?subject=return")
    assert contact_form(page)["subject"].value == "return"

"""Visitors sign up from the footer (with and without JavaScript), confirm from the email and
unsubscribe from any newsletter email, including the mailbox provider's one-click button."""

import re
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import links
from newsletter.consent import get_consent
from newsletter.models import Subscriber
from newsletter.views import RATE_LIMITED, SIGNUP_ACCEPTED
from tests.factories import SubscriberFactory
from tests.fixtures.mail import link_in, path_of

# The store's email backend: the emails leave once the request's transaction commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]
CONFIRM = "/newsletter/confirm/"

Status = Subscriber.Status
SUBSCRIBE = reverse("newsletter:subscribe")
JSON = {"Accept": "application/json"}


@pytest.fixture
def addresses_in_every_state():
    SubscriberFactory(email="pending@example.com", status=Status.PENDING)
    SubscriberFactory(email="subscribed@example.com", status=Status.SUBSCRIBED, confirmation_key="")
    SubscriberFactory(email="unsubscribed@example.com", status=Status.UNSUBSCRIBED, confirmation_key="")
    return ["new@example.com", "pending@example.com", "subscribed@example.com", "unsubscribed@example.com"]


def footer_form(page):
    return page.forms["nl-footer"]


def test_every_page_has_the_footer_form(django_app):
    page = django_app.get("/")
    form = page.html.select_one("#footer-newsletter ~ form.newsletter-signup")
    assert form["action"] == SUBSCRIBE and form["method"] == "post"
    label = form.select_one("label")
    field = form.select_one("input[name=email]")
    assert label["for"] == field["id"] and label.text.strip() == "Your email address"
    assert field["type"] == "email" and field["autocomplete"] == "email"
    described_by = field["aria-describedby"].split()
    assert form.select_one(f"#{described_by[0]}")["aria-live"] == "polite"
    assert form.select_one(f"#{described_by[1]}").text == get_consent().text
    assert form.select_one("input[name=source]")["value"] == "footer"
    assert form.select_one("button[type=submit]").text.strip() == "Subscribe"
    assert not form.select("input[name=csrfmiddlewaretoken]")
    assert page.html.select_one('script[src="/static/newsletter/js/signup.js"]')
    assert "csrftoken" not in django_app.cookies
    assert django_app.get("/no-such-page/", status=404).forms["nl-footer"]


def test_signup_without_javascript(django_app, mailoutbox, django_capture_on_commit_callbacks):
    form = footer_form(django_app.get("/"))
    form["email"] = "Ann@Example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit(extra_environ={"REMOTE_ADDR": "203.0.113.50"})
    assert response.status_code == 302 and response.location.endswith(reverse("newsletter:thanks"))
    thanks = response.follow()
    assert thanks.html.h1.text.strip() == "Check your inbox"
    assert str(SIGNUP_ACCEPTED) in thanks.text
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.source) == ("Ann@example.com", Status.PENDING, "footer")
    assert subscriber.signup_ip == "203.0.113.50"
    assert subscriber.consent_text == get_consent().text
    assert [m.to for m in mailoutbox] == [["Ann@example.com"]]


def test_an_article_signup_is_counted_under_the_article(django_app):
    django_app.post(SUBSCRIBE, {"email": "ann@example.com", "source": "article:psoas-release"})
    assert Subscriber.objects.get().source == "article:psoas-release"


def test_the_same_answer_for_every_state_without_javascript(django_app, addresses_in_every_state):
    answers = set()
    for address in addresses_in_every_state:
        response = django_app.post(SUBSCRIBE, {"email": address, "source": "footer"})
        page = response.follow()
        # The CSP nonce differs on every response by design; the rest must not.
        page_text = re.sub(r' nonce="[^"]*"', "", page.text)
        answers.add((response.status_code, response.location, response.text, page.status_code, page_text))
        assert "Set-Cookie" not in response.headers
    assert len(answers) == 1


def test_the_same_answer_for_every_state_with_javascript(django_app, addresses_in_every_state):
    answers = set()
    for address in addresses_in_every_state:
        response = django_app.post(SUBSCRIBE, {"email": address, "source": "footer"}, headers=JSON)
        assert response.content_type == "application/json"
        answers.add((response.status_code, response.text))
    assert answers == {(200, response.text)}
    assert response.json == {"message": str(SIGNUP_ACCEPTED)}


def test_the_same_answer_when_the_hourly_email_limit_applies(django_app, addresses_in_every_state):
    Subscriber.objects.update(confirmation_sent_at=timezone.now())
    first = django_app.post(SUBSCRIBE, {"email": "new@example.com"}, headers=JSON)
    again = [django_app.post(SUBSCRIBE, {"email": a}, headers=JSON) for a in addresses_in_every_state]
    assert {(r.status_code, r.text) for r in again} == {(first.status_code, first.text)}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ann@example.com\r\nBcc: victim@example.com", "single line"),
        ("ann@example.com, bob@example.com", "just one email address"),
        ("Ann <ann@example.com>", "just one email address"),
        ("x" * 250 + "@example.com", "too long"),
        ("ann@example", "doesn't look like an email address"),
        ("", "Enter your email address"),
    ],
)
def test_bad_addresses_are_refused_and_kept_in_the_field(django_app, typed, message):
    page = django_app.post(SUBSCRIBE, {"email": typed, "source": "footer"}, status=400)
    form = page.html.select_one("form#nl-page")
    field = form.select_one("input[name=email]")
    assert field["value"] == typed
    assert field["aria-invalid"] == "true"
    assert message in form.select_one(".newsletter-signup__message").text
    assert page.forms["nl-footer"]["email"].value == ""  # the footer form below stays clean
    answer = django_app.post(SUBSCRIBE, {"email": typed}, headers=JSON, status=400)
    assert message in answer.json["message"]
    assert not Subscriber.objects.exists()


def test_the_error_page_lets_you_fix_the_address_and_go_on(django_app):
    page = django_app.post(SUBSCRIBE, {"email": "ann@example", "source": "article:psoas"}, status=400)
    form = page.forms["nl-page"]
    assert form["source"].value == "article:psoas"
    form["email"] = "ann@example.com"
    assert form.submit().status_code == 302
    assert Subscriber.objects.get().source == "article:psoas"


def test_signups_are_rate_limited_per_ip(django_app, settings, frozen_rate_window):
    settings.NEWSLETTER_SIGNUP_RATE = "3/h"
    for n in range(3):
        django_app.post(SUBSCRIBE, {"email": f"reader{n}@example.com"}, status=302)
    page = django_app.post(SUBSCRIBE, {"email": "ann.lee@example.com", "source": "footer"}, status=429)
    assert page.html.select_one("form#nl-page input[name=email]")["value"] == "ann.lee@example.com"
    assert str(RATE_LIMITED) in page.html.select_one("form#nl-page .newsletter-signup__message").text
    answer = django_app.post(SUBSCRIBE, {"email": "ann.lee@example.com"}, headers=JSON, status=429)
    assert answer.json == {"message": str(RATE_LIMITED)}
    assert not Subscriber.objects.filter(email="ann.lee@example.com").exists()
    # Another network is not affected.
    django_app.post(SUBSCRIBE, {"email": "ann.lee@example.com"}, extra_environ={"REMOTE_ADDR": "192.0.2.8"}, status=302)
    assert Subscriber.objects.filter(email="ann.lee@example.com").exists()


def test_links_in_emails_ignore_the_host_header(django_app, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://shop.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        django_app.post(SUBSCRIBE, {"email": "ann@example.com"}, extra_environ={"HTTP_HOST": "localhost"})
    assert link_in(mailoutbox[0], CONFIRM).startswith("https://shop.example.com/newsletter/confirm/")


@pytest.fixture
def confirm_path(django_app, mailoutbox, django_capture_on_commit_callbacks):
    """ann@example.com has signed up; the path of the link in her confirmation email."""
    with django_capture_on_commit_callbacks(execute=True):
        django_app.post(SUBSCRIBE, {"email": "ann@example.com"})
    return path_of(link_in(mailoutbox[-1], CONFIRM))


def test_the_confirmation_link_asks_then_subscribes(
    django_app, confirm_path, mailoutbox, django_capture_on_commit_callbacks
):
    page = django_app.get(confirm_path)
    assert page.html.h1.text.strip() == "Confirm your subscription"
    assert "ann@example.com" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in page.headers["Cache-Control"]
    assert Subscriber.objects.get().status == Status.PENDING  # a mail scanner's GET subscribes nobody
    form = next(f for f in page.forms.values() if f.action == confirm_path)
    with django_capture_on_commit_callbacks(execute=True):
        done = form.submit(extra_environ={"REMOTE_ADDR": "198.51.100.4"})
    assert done.status_code == 302
    assert "You're subscribed" in done.follow().text
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.confirmation_ip) == (Status.SUBSCRIBED, "198.51.100.4")
    assert len(mailoutbox) == 2  # and the welcome email

    # The same link again: a clear page, and nothing changes.
    again = django_app.get(confirm_path, status=410)
    assert "already been used" in again.text
    django_app.post(confirm_path, status=410)
    assert Subscriber.objects.get().confirmed_at == subscriber.confirmed_at


def test_confirming_needs_no_cookie_or_csrf_token(confirm_path):
    response = Client(enforce_csrf_checks=True).post(confirm_path)
    assert response.status_code == 302
    assert Subscriber.objects.get().status == Status.SUBSCRIBED


def test_a_tampered_confirmation_link_is_a_clear_400(django_app, confirm_path):
    token = confirm_path.rstrip("/").rsplit("/", 1)[1]
    for bad in (token[:-3] + "abc", token.split(":")[0], "garbage"):
        path = reverse("newsletter:confirm", args=[bad])
        assert "The link is incomplete or has been changed" in django_app.get(path, status=400).text
        django_app.post(path, status=400)
    assert Subscriber.objects.get().status == Status.PENDING


def test_an_expired_confirmation_link_is_a_clear_410(django_app, confirm_path, settings):
    settings.NEWSLETTER_CONFIRMATION_MAX_AGE = 3 * 86400
    in_four_days = timezone.now().timestamp() + 4 * 86400
    with mock.patch("django.core.signing.time.time", return_value=in_four_days):
        page = django_app.get(confirm_path, status=410)
        assert "This link has expired" in page.text
        django_app.post(confirm_path, status=410)
    assert Subscriber.objects.get().status == Status.PENDING


def test_unsubscribe_page_asks_then_unsubscribes(django_app):
    subscriber = SubscriberFactory(email="ann@example.com", status=Status.SUBSCRIBED)
    path = reverse("newsletter:unsubscribe", args=[links.make_unsubscribe_token(subscriber)])
    page = django_app.get(path)
    assert "ann@example.com" in page.text
    assert Subscriber.objects.get().status == Status.SUBSCRIBED
    done = next(f for f in page.forms.values() if f.action == path).submit()
    assert done.status_code == 200 and "You're unsubscribed" in done.text
    assert Subscriber.objects.get().status == Status.UNSUBSCRIBED
    assert "You're unsubscribed" in django_app.get(path).text  # the link keeps working, harmlessly


def test_one_click_unsubscribe_without_cookies_or_csrf_token():
    subscriber = SubscriberFactory(status=Status.SUBSCRIBED)
    url = links.unsubscribe_url(subscriber)
    client = Client(enforce_csrf_checks=True)
    response = client.post(path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_a_tampered_unsubscribe_link_is_a_clear_400():
    subscriber = SubscriberFactory(status=Status.SUBSCRIBED)
    token = links.make_unsubscribe_token(subscriber)
    other = SubscriberFactory(status=Status.SUBSCRIBED)
    forged = links.make_unsubscribe_token(other).split(":")[0] + ":" + token.split(":")[1]
    client = Client(enforce_csrf_checks=True)
    for bad in (token[:-2] + "zz", forged, "nothing"):
        path = reverse("newsletter:unsubscribe", args=[bad])
        assert client.get(path).status_code == 400
        response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400
        assert b"The link is incomplete or has been changed" in response.content
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Status.SUBSCRIBED}


def test_an_old_confirmation_link_cannot_undo_an_unsubscribe(django_app, confirm_path):
    subscriber = Subscriber.objects.get()
    Client().post(reverse("newsletter:unsubscribe", args=[links.make_unsubscribe_token(subscriber)]))
    django_app.post(confirm_path, status=410)
    assert Subscriber.objects.get().status == Status.UNSUBSCRIBED


def test_the_script_is_a_static_file_without_a_library():
    path = finders.find("newsletter/js/signup.js")
    assert path
    with open(path, encoding="utf-8") as script:
        body = script.read()
    assert "fetch(" in body and "aria-invalid" in body and "jQuery" not in body and "$(" not in body

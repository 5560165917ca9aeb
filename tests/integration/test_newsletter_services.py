"""The newsletter's flows through services.py: states, the consent record, emails and their timing."""

import email
import email.policy
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter import consent, links, services
from newsletter.models import Subscriber
from tests.factories import SubscriberFactory
from tests.fixtures.mail import html_part, link_in, path_of, urls_in

# The store's email backend: the emails leave once the transaction commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_email")]

Status = Subscriber.Status


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service call and the emails it leaves for after the commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def token_from(message):
    return path_of(link_in(message, "/newsletter/confirm/")).rstrip("/").rsplit("/", 1)[1]


def unsubscribe_token_from(message):
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    return path_of(url).rstrip("/").rsplit("/", 1)[1]


def test_new_pending_subscribed_unsubscribed(send, mailoutbox):
    send(services.request_subscription, "  Ann@Example.COM ", source="footer", ip="203.0.113.7")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.source) == ("Ann@example.com", Status.PENDING, "footer")
    assert [m.to for m in mailoutbox] == [["Ann@example.com"]]

    send(services.confirm_subscription, token_from(mailoutbox[0]), ip="198.51.100.9")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.SUBSCRIBED
    assert len(mailoutbox) == 2  # the welcome email

    services.unsubscribe(unsubscribe_token_from(mailoutbox[1]))
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert subscriber.confirmation_key == ""


def test_the_consent_record_is_stored(send, mailoutbox):
    before = timezone.now()
    send(services.request_subscription, "ann@example.com", source="article:psoas-release", ip="203.0.113.7",
         consent_version=consent.CURRENT_VERSION)
    send(services.confirm_subscription, token_from(mailoutbox[0]), ip="2001:db8::1")
    subscriber = Subscriber.objects.get()
    assert subscriber.source == "article:psoas-release"
    assert subscriber.consent_version == consent.CURRENT_VERSION
    assert subscriber.consent_text == consent.TEXTS[consent.CURRENT_VERSION]
    assert subscriber.signup_ip == "203.0.113.7"
    assert subscriber.confirmation_ip == "2001:db8::1"
    assert before <= subscriber.signed_up_at <= subscriber.confirmed_at <= timezone.now()
    assert subscriber.unsubscribed_at is None


def test_an_old_consent_version_keeps_its_own_text(send):
    with mock.patch.dict(consent.TEXTS, {"2020-01": "The old wording."}):
        send(services.request_subscription, "ann@example.com", source="footer", ip=None, consent_version="2020-01")
    subscriber = Subscriber.objects.get()
    assert (subscriber.consent_version, subscriber.consent_text) == ("2020-01", "The old wording.")


def test_a_forged_consent_version_records_the_current_text(send):
    send(services.request_subscription, "ann@example.com", source="footer", ip=None, consent_version="made-up")
    assert Subscriber.objects.get().consent_version == consent.CURRENT_VERSION


def test_resubscribing_goes_through_confirmation_again(send, mailoutbox):
    subscriber = SubscriberFactory(email="ann@example.com", status=Status.UNSUBSCRIBED, confirmation_key="",
                                   unsubscribed_at=timezone.now() - timedelta(days=2))
    send(services.request_subscription, "ANN@example.com", source="checkout", ip="203.0.113.8")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING
    assert subscriber.source == "checkout"
    assert subscriber.confirmation_key
    assert len(mailoutbox) == 1
    send(services.confirm_subscription, token_from(mailoutbox[0]), ip="203.0.113.8")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.SUBSCRIBED
    assert subscriber.unsubscribed_at is None


def test_a_subscribed_address_is_left_alone(send, mailoutbox):
    subscriber = SubscriberFactory(email="ann@example.com", status=Status.SUBSCRIBED, confirmation_key="")
    before = Subscriber.objects.values().get()
    send(services.request_subscription, "ann@example.com", source="checkout", ip="192.0.2.1")
    assert Subscriber.objects.values().get() == before
    assert mailoutbox == []
    assert subscriber.status == Status.SUBSCRIBED


@pytest.mark.parametrize("status", [Status.PENDING, Status.UNSUBSCRIBED])
def test_at_most_one_email_per_address_per_hour(send, mailoutbox, status):
    SubscriberFactory(email="ann@example.com", status=status)
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    assert len(mailoutbox) == 1
    after_first = Subscriber.objects.values().get()
    assert after_first["status"] == Status.PENDING
    for _ in range(5):
        send(services.request_subscription, "Ann@Example.com", source="checkout", ip="192.0.2.2")
    assert len(mailoutbox) == 1
    assert Subscriber.objects.values().get() == after_first

    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=61))
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.3")
    assert len(mailoutbox) == 2
    # A reminder repeats the same key, so the first email's link still works.
    assert token_from(mailoutbox[0]).split(":")[0] == token_from(mailoutbox[1]).split(":")[0]


def test_a_new_address_is_also_limited_to_one_email_per_hour(send, mailoutbox):
    for _ in range(3):
        send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    assert len(mailoutbox) == 1
    assert Subscriber.objects.count() == 1


def test_the_database_refuses_the_same_address_in_another_case():
    SubscriberFactory(email="Ann@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberFactory(email="ann@EXAMPLE.com")


def test_a_concurrent_insert_of_the_same_address_is_absorbed(send, mailoutbox):
    """Two sign-ups for one new address at once: the loser of the race reuses the winner's row."""
    real_first = Subscriber.objects.select_for_update().with_email
    calls = []

    def first_misses(email):
        calls.append(email)
        if len(calls) == 1:
            SubscriberFactory(email="ann@example.com", confirmation_sent_at=timezone.now())
            return Subscriber.objects.none()
        return real_first(email)

    with mock.patch.object(type(Subscriber.objects.select_for_update()), "with_email", side_effect=first_misses):
        send(services.request_subscription, "ann@example.com", source="footer", ip=None)
    assert Subscriber.objects.count() == 1
    assert mailoutbox == []  # the other request already emailed this address


def test_checkout_passes_raw_input_and_bad_values_fail_loudly(send):
    send(services.request_subscription, " Buyer@Shop.Example ", source="checkout", ip="192.0.2.4")
    assert Subscriber.objects.get().email == "Buyer@shop.example"
    with pytest.raises(ValidationError):
        services.request_subscription("buyer@shop.example\r\nBcc: x@y.z", source="checkout", ip=None)
    with pytest.raises(ValueError, match="source"):
        services.request_subscription("buyer2@shop.example", source="banner", ip=None)


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.request_subscription("ann@example.com", source="footer", ip=None)
            raise RuntimeError("the order failed")
    assert mailoutbox == []
    assert not Subscriber.objects.exists()


def test_a_used_confirmation_link_changes_nothing(send, mailoutbox):
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    token = token_from(mailoutbox[0])
    send(services.confirm_subscription, token, ip="192.0.2.1")
    confirmed = Subscriber.objects.values().get()
    with pytest.raises(links.UsedToken):
        services.confirm_subscription(token, ip="192.0.2.99")
    assert Subscriber.objects.values().get() == confirmed
    assert len(mailoutbox) == 2


def test_an_old_confirmation_link_cannot_resubscribe_after_unsubscribing(send, mailoutbox):
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    token = token_from(mailoutbox[0])
    subscriber = Subscriber.objects.get()
    services.mark_unsubscribed(subscriber)
    with pytest.raises(links.UsedToken):
        services.check_confirmation(token)
    with pytest.raises(links.UsedToken):
        services.confirm_subscription(token, ip="192.0.2.1")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED


def test_an_expired_confirmation_link_changes_nothing(send, mailoutbox, settings):
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    token = token_from(mailoutbox[0])
    deadline = signing.b62_decode(token.split(":")[1]) + settings.NEWSLETTER_CONFIRMATION_MAX_AGE
    with mock.patch("django.core.signing.time.time", return_value=deadline + 1):
        with pytest.raises(links.ExpiredToken):
            services.confirm_subscription(token, ip="192.0.2.1")
    assert Subscriber.objects.get().status == Status.PENDING
    with mock.patch("django.core.signing.time.time", return_value=deadline - 1):
        send(services.confirm_subscription, token, ip="192.0.2.1")
    assert Subscriber.objects.get().status == Status.SUBSCRIBED


def test_a_tampered_confirmation_link_changes_nothing(send, mailoutbox):
    send(services.request_subscription, "ann@example.com", source="footer", ip="192.0.2.1")
    token = token_from(mailoutbox[0])
    with pytest.raises(links.InvalidToken):
        services.confirm_subscription(token[:-2] + "xx", ip="192.0.2.1")
    assert Subscriber.objects.get().status == Status.PENDING


def test_unsubscribing_twice_keeps_the_first_time(send):
    subscriber = SubscriberFactory(status=Status.SUBSCRIBED)
    token = links.make_unsubscribe_token(subscriber)
    services.unsubscribe(token)
    first = Subscriber.objects.get().unsubscribed_at
    services.unsubscribe(token)
    assert Subscriber.objects.get().unsubscribed_at == first


def test_an_unsubscribe_link_of_a_deleted_subscriber_is_harmless():
    subscriber = SubscriberFactory(status=Status.SUBSCRIBED)
    token = links.make_unsubscribe_token(subscriber)
    subscriber.delete()
    assert services.unsubscribe(token) is None
    assert services.subscriber_for_unsubscribe(token) is None


def test_the_confirmation_email_has_text_and_html_and_nothing_to_sell(send, mailoutbox, settings):
    settings.SITE_URL = "https://shop.example.com"
    send(services.request_subscription, "ann@example.com", source="footer", ip=None)
    [message] = mailoutbox
    link = link_in(message, "/newsletter/confirm/")
    assert link.startswith("https://shop.example.com/newsletter/confirm/")
    assert link in message.body and link in html_part(message)
    # The only link is the confirmation: no products, articles, offers or store pages.
    assert urls_in(message) == {link}
    for word in ("$", "catalogue", "price", "offer", "discount", "sale", "<img"):
        assert word not in message.body and word not in html_part(message)
    assert "List-Unsubscribe" not in message.extra_headers
    assert message.subject == "Confirm your QL Claw newsletter subscription"
    assert "3 days" in message.body


def test_list_emails_carry_one_click_unsubscribe_headers(send, mailoutbox, settings):
    settings.SITE_URL = "https://shop.example.com"
    send(services.request_subscription, "ann@example.com", source="footer", ip=None)
    send(services.confirm_subscription, token_from(mailoutbox[0]), ip=None)
    welcome = mailoutbox[1]
    header = welcome.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://shop.example.com/newsletter/unsubscribe/") and header.endswith("/>")
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = header[1:-1]
    assert unsubscribe_url in welcome.body
    assert unsubscribe_url in html_part(welcome)
    sent = email.message_from_bytes(welcome.message().as_bytes(), policy=email.policy.default)
    # Long headers are folded on the wire; a reader unfolds them to the same value.
    assert sent["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in sent.iter_parts()] == ["text/plain", "text/html"]
    assert services.unsubscribe(unsubscribe_token_from(welcome)).status == Status.UNSUBSCRIBED

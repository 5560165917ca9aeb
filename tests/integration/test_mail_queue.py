"""Email leaves the request (shop/mail.py, shop/tasks.py): every message is queued after the commit
and delivered by the huey worker, so a slow or broken mail server never slows or breaks checkout,
the comment form or the newsletter form.

The test settings use Django's locmem backend and huey's immediate mode; these tests switch to the
queued backend (the queued_email fixture, tests/fixtures/mail.py) and, where the point is what the
request does, to a real (in-memory) queue that `run_worker` then works as `manage.py run_huey` would.
"""

import datetime
import os
import smtplib
import subprocess
import sys
from email.mime.text import MIMEText
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from oscar.core.loading import get_model

from article_comments.models import Comment
from newsletter import emails as newsletter_emails
from newsletter.models import Subscriber
from shop.mail import message_from_data, message_to_data
from shop.tasks import deliver_email
from tests.checkout_helpers import walk_to_payment
from tests.factories import ArticleFactory, SubscriberFactory
from tests.fixtures.comments import comment_form
from tests.fixtures.mail import QUEUED
from tests.unit.test_settings import PRODUCTION_ENV, ROOT

Order = get_model("order", "Order")


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    calls = 0

    def send_messages(self, email_messages):
        FailingBackend.calls += 1
        raise smtplib.SMTPException("421 mail server unavailable")


class CountingBackend(LocmemBackend):
    """Delivers to mail.outbox and counts how often it was asked to."""

    calls = 0

    def send_messages(self, messages):
        CountingBackend.calls += 1
        return super().send_messages(messages)


@pytest.fixture
def worker_queue(queued_email):
    """A real queue (huey's memory storage) that nothing works until the test calls run_worker()."""
    FailingBackend.calls = CountingBackend.calls = 0
    HUEY.immediate = False
    yield queued_email
    HUEY.immediate = True  # back to immediate mode, with a fresh, empty storage


def run_worker(now=None):
    """Do what the consumer does: run every queued task, and every retry due at `now`, including
    the tasks a task queues. The worker's connection commits as it goes, so what a task hands to
    on_commit runs as it ends; the test's transaction stands in for that connection, which the
    worker's close_old_connections() between tasks would discard (on PostgreSQL) with those hooks."""
    now = now or utcnow()
    ran = 0
    for task in HUEY.read_schedule(now):
        HUEY.enqueue(task)
    with mock.patch("huey.contrib.djhuey.close_old_connections"):
        while (task := HUEY.dequeue()) is not None:
            with TestCase.captureOnCommitCallbacks(execute=True):
                HUEY.execute(task, timestamp=now)
            ran += 1
    return ran


def utcnow(**later):
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(**later)


def a_rich_message():
    message = EmailMultiAlternatives(
        "Your order",
        "Plain text body",
        "QL Claw <hello@qlclaw.example>",
        ["ada@example.com"],
        bcc=["archive@qlclaw.example"],
        cc=["grace@example.com"],
        reply_to=["orders@qlclaw.example"],
        headers={"List-Unsubscribe": "<https://shop.example.com/u/abc>", "X-Store": "qlclaw"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("receipt.txt", "Total: $49.99", "text/plain")
    message.attach("label.bin", b"\x00\x01binary", "application/octet-stream")
    message.attach(MIMEText("a ready-made part"))
    return message


def test_every_part_survives_the_queue():
    original = a_rich_message()
    # The worker gets the task as huey stores it (pickled), not the Python object.
    task = HUEY.deserialize_task(HUEY.serialize_task(deliver_email.s(message_to_data(original))))
    rebuilt = message_from_data(task.args[0])

    assert isinstance(rebuilt, EmailMultiAlternatives)
    for name in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers", "alternatives"):
        assert getattr(rebuilt, name) == getattr(original, name), name
    assert rebuilt.recipients() == original.recipients()
    assert rebuilt.attachments[:2] == original.attachments[:2]
    sent, expected = rebuilt.message(), original.message()
    for header in ("Subject", "From", "To", "Cc", "Reply-To", "List-Unsubscribe", "X-Store"):
        assert sent[header] == expected[header], header
    parts = [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in sent.walk()]
    assert parts == [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in expected.walk()]
    assert ("text/plain", None, b"a ready-made part") in parts


@pytest.mark.django_db(transaction=True)
def test_delivered_after_the_commit_and_never_for_a_rollback(queued_email):
    with transaction.atomic():
        send_mail("Committed", "body", None, ["ada@example.com"])
        assert mail.outbox == []  # nothing leaves while the transaction may still roll back
    assert [m.subject for m in mail.outbox] == ["Committed"]

    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Rolled back", "body", None, ["ada@example.com"])
        raise RuntimeError("the view failed")
    with transaction.atomic():
        with transaction.atomic():
            send_mail("Inner savepoint rolled back", "body", None, ["ada@example.com"])
            transaction.set_rollback(True)
    assert [m.subject for m in mail.outbox] == ["Committed"]


@pytest.mark.django_db
def test_a_newsletter_email_keeps_its_html_part_and_one_click_unsubscribe_headers(
    queued_email, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(status=Subscriber.Status.SUBSCRIBED, confirmation_key="")
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_emails.send_welcome(subscriber)
    [message] = mail.outbox
    assert message.to == [subscriber.email]
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.message()["List-Unsubscribe"] == message.extra_headers["List-Unsubscribe"]
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "<" in html


@pytest.mark.django_db
def test_the_checkout_request_delivers_nothing_itself_the_worker_does(
    worker_queue, django_app, claw, django_capture_on_commit_callbacks
):
    worker_queue.DEBUG, worker_queue.STRIPE_SECRET_KEY = True, ""  # demo payments
    worker_queue.EMAIL_DELIVERY_BACKEND = f"{__name__}.CountingBackend"
    page = walk_to_payment(django_app, claw)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.forms["demo_payment_form"].submit()

    order = Order.objects.get()
    assert response.status_code == 302 and response.location.endswith(reverse("checkout:thank-you"))
    assert (CountingBackend.calls, mail.outbox) == (0, [])
    # The order's emails wait to be rendered by the worker (checkout.tasks.send_order_placed_emails).
    assert len(HUEY) == 1

    # The worker renders them and queues the confirmation (Oscar's dispatcher) and the staff notice,
    # then delivers both: three tasks.
    assert run_worker() == 3
    assert CountingBackend.calls == 2
    assert sorted(m.to for m in mail.outbox) == [[order.email], ["orders@qlclaw.example"]]
    assert order.number in mail.outbox[0].subject + mail.outbox[0].body


@pytest.mark.django_db
def test_a_broken_mail_server_does_not_break_a_guest_checkout(
    worker_queue, django_app, claw, django_capture_on_commit_callbacks, caplog
):
    worker_queue.DEBUG, worker_queue.STRIPE_SECRET_KEY = True, ""
    worker_queue.EMAIL_DELIVERY_BACKEND = f"{__name__}.FailingBackend"
    page = walk_to_payment(django_app, claw, email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = page.forms["demo_payment_form"].submit()

    assert response.status_code == 302 and response.location.endswith(reverse("checkout:thank-you"))
    assert response.follow().status_code == 200
    assert Order.objects.get().guest_email == "ada@example.com"
    assert FailingBackend.calls == 0

    assert run_worker() == 3  # the order's emails rendered and queued, then each tried once
    assert FailingBackend.calls == 2
    assert mail.outbox == []
    retrying = [r for r in caplog.records if r.name == "shop.tasks" and r.levelname == "WARNING"]
    assert len(retrying) == 2 and "retrying in 60 s, 5 retries left" in retrying[0].getMessage()
    assert [t.retries for t in HUEY.scheduled()] == [4, 4]  # tried again a minute later

    # The mail server is back: the retries, once due, deliver both emails.
    worker_queue.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_worker(now=utcnow(seconds=61)) == 2
    assert sorted(m.to for m in mail.outbox) == [["ada@example.com"], ["orders@qlclaw.example"]]
    assert HUEY.scheduled() == []


@pytest.mark.django_db
def test_a_broken_mail_server_does_not_break_the_newsletter_form(
    worker_queue, django_app, django_capture_on_commit_callbacks
):
    worker_queue.EMAIL_DELIVERY_BACKEND = f"{__name__}.FailingBackend"
    form = django_app.get("/").forms["nl-footer"]
    form["email"] = "ann@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit(extra_environ={"REMOTE_ADDR": "203.0.113.50"})

    assert response.status_code == 302 and response.location.endswith(reverse("newsletter:thanks"))
    assert Subscriber.objects.get().email == "ann@example.com"
    assert (FailingBackend.calls, len(HUEY)) == (0, 1)
    assert run_worker() == 1
    assert FailingBackend.calls == 1 and [t.retries for t in HUEY.scheduled()] == [4]


@pytest.mark.django_db
def test_a_broken_mail_server_does_not_break_the_comment_form(
    worker_queue, django_app, django_capture_on_commit_callbacks
):
    worker_queue.COMMENTS_MIN_SUBMIT_SECONDS = 0
    worker_queue.EMAIL_DELIVERY_BACKEND = f"{__name__}.FailingBackend"
    article = ArticleFactory(title="Psoas release", slug="psoas-release")
    form = comment_form(django_app.get(article.get_absolute_url()))
    form["name"], form["email"], form["body"] = "Dana", "dana@example.com", "Does this help sciatica?"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()

    assert response.status_code == 302
    assert Comment.objects.get().status == "unconfirmed"
    assert (FailingBackend.calls, len(HUEY)) == (0, 1)
    assert run_worker() == 1
    assert FailingBackend.calls == 1 and [t.retries for t in HUEY.scheduled()] == [4]


def test_the_last_failure_is_logged_as_an_error_and_not_retried(queued_email, caplog):
    queued_email.EMAIL_DELIVERY_BACKEND = f"{__name__}.FailingBackend"
    task = deliver_email.s(message_to_data(a_rich_message()))
    task.retries = 0
    HUEY.execute(task)
    [record] = [r for r in caplog.records if r.name == "shop.tasks"]
    assert record.levelname == "ERROR" and "for the last time" in record.getMessage()
    assert "SMTPException" in record.getMessage() and "ada@example.com" in record.getMessage()
    assert HUEY.scheduled() == []


@pytest.mark.django_db
def test_when_the_queue_is_down_the_email_is_still_delivered(
    queued_email, caplog, django_capture_on_commit_callbacks
):
    with (
        mock.patch("shop.tasks.deliver_email", side_effect=ConnectionError("redis is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_mail("Still sent", "body", None, ["ada@example.com"]) == 1
    assert [m.subject for m in mail.outbox] == ["Still sent"]
    assert "delivering it in-process" in caplog.text


@pytest.mark.django_db
def test_when_the_queue_is_down_an_orders_emails_are_rendered_and_sent_by_the_request(
    worker_queue, django_app, claw, django_capture_on_commit_callbacks, caplog
):
    worker_queue.DEBUG, worker_queue.STRIPE_SECRET_KEY = True, ""
    page = walk_to_payment(django_app, claw, email="ada@example.com")
    down = ConnectionError("redis is down")
    with (
        mock.patch("checkout.tasks.send_order_placed_emails", side_effect=down),
        mock.patch("shop.tasks.deliver_email", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = page.forms["demo_payment_form"].submit()

    order = Order.objects.get()
    assert response.status_code == 302 and response.location.endswith(reverse("checkout:thank-you"))
    assert sorted(m.to for m in mail.outbox) == [[order.email], ["orders@qlclaw.example"]]
    assert "sending them in-process" in caplog.text
    assert len(HUEY) == 0


@pytest.mark.parametrize(
    ("profile", "extra_env", "storage", "delivery"),
    [
        ("dev", {}, "SqliteHuey var/huey.sqlite3", "console.EmailBackend"),
        (
            "production",
            {**PRODUCTION_ENV, "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587"},
            "RedisHuey redis://127.0.0.1:6379/1",
            "smtp.EmailBackend",
        ),
    ],
)
def test_every_profile_sends_through_the_queue(profile, extra_env, storage, delivery):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "HUEY_"))}
    env.update(extra_env, DJANGO_SETTINGS_MODULE=f"shop.settings.{profile}")
    code = (
        "import django; from django.conf import settings; django.setup(); h = settings.HUEY;"
        "print(settings.EMAIL_BACKEND, settings.EMAIL_DELIVERY_BACKEND, h['huey_class'].split('.')[-1],"
        " h.get('url') or h['filename'].replace(str(settings.BASE_DIR) + '/', ''), h['immediate'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [QUEUED, f"django.core.mail.backends.{delivery}", *storage.split(), "False"]

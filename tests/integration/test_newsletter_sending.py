"""Sending a campaign: once to each confirmed subscriber, every message complete, surviving
crashes, pauses, unsubscribes and a provider that fails."""

import re
from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client
from django.utils import timezone

from newsletter import sending, services
from newsletter.models import Campaign, CampaignDelivery, Subscriber, Suppression
from tests.fixtures.mail import html_part, path_of
from tests.fixtures.newsletter import make_subscribers

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process dies: nothing after it runs, as with SIGKILL (no except Exception catches it)."""


def recipients():
    return Counter(message.to[0] for message in mail.outbox)


def start_by_hand(campaign):
    """Send now, and make the delivery rows as the task's first step does (the task itself is not run)."""
    sending.start(campaign.pk)
    sending.create_deliveries(campaign.pk)


def start_and_run(campaign, **kwargs):
    sending.start(campaign.pk)
    return sending.run(campaign.pk, **kwargs)


def test_every_confirmed_subscriber_gets_it_once(campaign, instant_sending):
    make_subscribers(7)
    make_subscribers(2, status="pending", prefix="pending")
    make_subscribers(2, status="unsubscribed", prefix="gone")
    Suppression.objects.create(email="READER3@example.com", reason=Suppression.Reason.BOUNCE)

    assert start_and_run(campaign) is None

    expected = {f"reader{n}@example.com" for n in range(7)} - {"reader3@example.com"}
    assert recipients() == Counter(expected)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.finished_at is not None
    figures = sending.figures(campaign)
    assert (figures["recipients"], figures["sent"], figures["failed"], figures["pending"]) == (6, 6, 0, 0)
    # Run again (a duplicate task): nothing more goes out.
    sending.run(campaign.pk)
    assert len(mail.outbox) == 6


def test_the_audience_can_be_one_source(campaign, instant_sending):
    make_subscribers(3, source="footer", prefix="foot")
    make_subscribers(2, source="checkout", prefix="buyer")
    make_subscribers(1, source="article:psoas-trigger-points", prefix="psoas")
    make_subscribers(1, source="article:other", prefix="other")

    campaign.audience = "checkout"
    campaign.save()
    start_and_run(campaign)
    assert set(recipients()) == {"buyer0@example.com", "buyer1@example.com"}

    mail.outbox.clear()
    second = Campaign.objects.create(subject="Articles", body="<p>x</p>", audience="article")
    start_and_run(second)
    assert set(recipients()) == {"psoas0@example.com", "other0@example.com"}

    mail.outbox.clear()
    third = Campaign.objects.create(subject="One", body="<p>x</p>", audience="article:psoas-trigger-points")
    start_and_run(third)
    assert set(recipients()) == {"psoas0@example.com"}


def test_every_message_is_complete(campaign, instant_sending, claw):
    subscribers = make_subscribers(3)
    campaign.product_links.create(product=claw)
    start_and_run(campaign)

    assert len(mail.outbox) == 3
    unsubscribe_links = set()
    for message in mail.outbox:
        subscriber = next(s for s in subscribers if s.email == message.to[0])
        html = html_part(message)
        assert message.subject == "Release your QL tonight"
        # RFC 8058 one-click: the header URL takes a POST, and the body shows the same link.
        header = message.extra_headers["List-Unsubscribe"]
        [link] = re.findall(r"^<(https://testserver/newsletter/unsubscribe/[^>]+/)>$", header)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and link.replace("&", "&amp;") in html
        unsubscribe_links.add(link)
        assert subscriber.email in message.body
        # CAN-SPAM: the postal address, in both parts.
        assert "100 Demo Street, Portland, OR 97201, USA" in message.body
        assert "100 Demo Street, Portland, OR 97201, USA" in html
        # Links to the store carry the campaign's UTM tags; others are left alone.
        hrefs = re.findall(r'href="([^"]+)"', html)
        store_links = [u for u in hrefs if u.startswith("https://testserver/") and "unsubscribe" not in u]
        assert store_links
        for url in store_links:
            query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
            assert query["utm_source"] == ["newsletter"] and query["utm_medium"] == ["email"]
            assert query["utm_campaign"] == ["release-your-ql-tonight"]
        assert 'href="https://pubmed.example.org/1"' in html
        # The product card: title, price, picture.
        assert "QL Claw" in html and "$" in html and "/media/" in html
        # No open-tracking pixel: every image is a card picture with a real width.
        assert not re.search(r'<img[^>]+(width="1"|height="1")', html)
        assert "Three routines, five minutes each" in html  # the preview text
    assert len(unsubscribe_links) == 3  # one per recipient


def test_each_unsubscribe_link_unsubscribes_only_its_recipient_and_counts_for_the_campaign(campaign, instant_sending):
    make_subscribers(3)
    start_and_run(campaign)
    message = next(m for m in mail.outbox if m.to == ["reader1@example.com"])
    url = message.extra_headers["List-Unsubscribe"].strip("<>")

    # What a mailbox provider sends for one-click: a bare POST, no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path_of(url), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {"reader0@example.com": "subscribed", "reader1@example.com": "unsubscribed",
                        "reader2@example.com": "subscribed"}
    assert sending.figures(campaign)["unsubscribes"] == 1
    # Twice changes nothing.
    Client().post(path_of(url))
    assert sending.figures(campaign)["unsubscribes"] == 1


def test_a_forged_unsubscribe_link_changes_nothing(campaign, instant_sending):
    make_subscribers(2)
    start_and_run(campaign)
    url = next(m for m in mail.outbox if m.to == ["reader0@example.com"]).extra_headers["List-Unsubscribe"].strip("<>")
    token = path_of(url).rstrip("/").rsplit("/", 1)[1]
    payload, signature = token.split(":")
    other = Subscriber.objects.get(email="reader1@example.com")
    import base64
    import json

    forged_payload = base64.urlsafe_b64encode(json.dumps({"s": other.pk, "d": 1}).encode()).decode().rstrip("=")
    response = Client().post(f"/newsletter/unsubscribe/{forged_payload}:{signature}/")

    assert response.status_code == 400
    assert not Subscriber.objects.filter(status="unsubscribed").exists()
    assert sending.figures(campaign)["unsubscribes"] == 0


def test_a_campaign_that_cannot_go_out_says_why(campaign):
    make_subscribers(1, status="pending")
    campaign.subject = "  "
    campaign.body = ""
    campaign.save()

    with pytest.raises(sending.CampaignNotReady) as problem:
        sending.start(campaign.pk)

    text = " ".join(problem.value.problems)
    assert "Write a subject" in text
    assert "The message is empty" in text
    assert "Nobody would get it" in text
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not CampaignDelivery.objects.exists()


def test_without_a_postal_address_nothing_is_sent(campaign, settings):
    make_subscribers(1)
    settings.NEWSLETTER_POSTAL_ADDRESS = ""
    with pytest.raises(sending.CampaignNotReady, match="postal address"):
        sending.start(campaign.pk)


def test_scripts_in_the_body_are_removed(campaign, instant_sending):
    make_subscribers(1)
    campaign.body = '<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:alert(2)">x</a></p>'
    campaign.save()
    campaign.refresh_from_db()
    assert "script" not in campaign.body and "onclick" not in campaign.body and "javascript:" not in campaign.body

    start_and_run(campaign)
    html = html_part(mail.outbox[0])
    assert "alert(" not in html and "onclick" not in html


def test_delivery_rows_exist_before_sending_and_are_made_once(campaign, instant_sending):
    make_subscribers(5)
    sending.start(campaign.pk)  # the task is queued after the commit (none in this test)

    assert sending.create_deliveries(campaign.pk) == 5
    assert CampaignDelivery.objects.filter(campaign=campaign, status="pending").count() == 5
    assert mail.outbox == []
    # A crash half-way through making them: making them again adds only what is missing.
    CampaignDelivery.objects.filter(campaign=campaign, email="reader4@example.com").delete()
    Campaign.objects.filter(pk=campaign.pk).update(recipients_ready=False)
    assert sending.create_deliveries(campaign.pk) == 5
    assert CampaignDelivery.objects.filter(campaign=campaign).count() == 5

    sending.run(campaign.pk)
    assert recipients() == Counter(f"reader{n}@example.com" for n in range(5))


def test_a_crash_between_two_messages_resumes_with_the_unsent_only(campaign, instant_sending, settings, monkeypatch):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 4
    make_subscribers(10)
    crashing = campaign
    real_build = sending.build_message
    built = []

    def build_then_die(campaign_, row, content):
        built.append(row.pk)
        if len(built) == 7:  # after six messages were handed over and marked: in batch 2, 3rd message
            raise WorkerKilled
        return real_build(campaign_, row, content)

    monkeypatch.setattr(sending, "build_message", build_then_die)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)  # the worker runs it below
    sending.start(crashing.pk)
    with pytest.raises(WorkerKilled):
        sending.run(crashing.pk)
    assert len(mail.outbox) == 6
    held = CampaignDelivery.objects.filter(campaign=crashing).exclude(claim="")
    assert held.count() == 2  # the dead worker's claim: the message it was building, and the next

    # The worker restarts; until the lease runs out the claim is left alone...
    monkeypatch.setattr(sending, "build_message", real_build)
    sending.run(crashing.pk)
    assert len(mail.outbox) == 8
    # ...then its rows go back to the queue: never attempted, so never sent.
    CampaignDelivery.objects.filter(campaign=crashing).exclude(claim="").update(
        claimed_at=timezone.now() - timedelta(seconds=settings.NEWSLETTER_SEND_LEASE + 1)
    )
    sending.run(crashing.pk)

    assert recipients() == Counter(f"reader{n}@example.com" for n in range(10))  # no duplicate, no gap
    crashing.refresh_from_db()
    assert crashing.status == Campaign.Status.SENT
    assert sending.figures(crashing)["in_doubt"] == 0


def test_a_crash_while_handing_a_message_over_is_not_sent_twice(campaign, instant_sending, settings, monkeypatch):
    make_subscribers(5)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    handed = []

    class DiesOnTheThirdMessage(LocmemBackend):
        def send_messages(self, messages):
            handed.extend(messages)
            if len(handed) == 3:
                super().send_messages(messages)  # the provider accepted it; the worker dies before marking it
                raise WorkerKilled
            return super().send_messages(messages)

    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.DiesOnTheThirdMessage"
    globals()["DiesOnTheThirdMessage"] = DiesOnTheThirdMessage
    sending.start(campaign.pk)
    with pytest.raises(WorkerKilled):
        sending.run(campaign.pk)
    assert len(mail.outbox) == 3

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CampaignDelivery.objects.exclude(claim="").update(
        claimed_at=timezone.now() - timedelta(seconds=settings.NEWSLETTER_SEND_LEASE + 1)
    )
    sending.run(campaign.pk)

    assert recipients() == Counter(f"reader{n}@example.com" for n in range(5))  # each exactly once
    figures = sending.figures(campaign)
    assert (figures["sent"], figures["in_doubt"]) == (4, 1)
    in_doubt = CampaignDelivery.objects.get(status=CampaignDelivery.Status.UNKNOWN)
    assert in_doubt.email == "reader2@example.com"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT

    # Staff may choose a possible duplicate over a possible gap.
    assert sending.resend_in_doubt(campaign.pk) == 1
    sending.run(campaign.pk)
    assert recipients()["reader2@example.com"] == 2
    assert sending.figures(campaign)["in_doubt"] == 0


def test_pause_stops_sending_and_resume_finishes(campaign, instant_sending, settings, monkeypatch):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 3
    make_subscribers(9)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    start_by_hand(campaign)
    assert sending.send_batch(campaign.pk).sent == 3

    assert sending.pause(campaign.pk)
    assert sending.run(campaign.pk) is None
    assert sending.send_batch(campaign.pk).stopped
    assert len(mail.outbox) == 3
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED

    assert sending.resume(campaign.pk)
    sending.run(campaign.pk)
    assert recipients() == Counter(f"reader{n}@example.com" for n in range(9))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


def test_pausing_in_the_middle_of_a_batch_gives_back_the_rest(campaign, instant_sending, settings, monkeypatch):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 50
    make_subscribers(45)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    start_by_hand(campaign)
    real_build = sending.build_message

    def pause_after_five(campaign_, row, content):
        if len(mail.outbox) == 5:
            sending.pause(campaign.pk)  # staff press Pause while the batch is going
        return real_build(campaign_, row, content)

    monkeypatch.setattr(sending, "build_message", pause_after_five)
    result = sending.send_batch(campaign.pk)

    assert result.stopped
    assert len(mail.outbox) == sending.STATUS_CHECK_EVERY  # it noticed at the next check
    assert not CampaignDelivery.objects.exclude(claim="").exists()  # nothing left held
    assert CampaignDelivery.objects.filter(status="pending").count() == 45 - sending.STATUS_CHECK_EVERY


def test_cancel_sends_nothing_more(campaign, instant_sending, settings, monkeypatch):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    make_subscribers(6)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    start_by_hand(campaign)
    sending.send_batch(campaign.pk)

    assert sending.cancel(campaign.pk)
    sending.run(campaign.pk)

    assert len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELED
    assert sending.figures(campaign)["pending"] == 4
    assert not sending.resume(campaign.pk)  # canceled is final


def test_unsubscribes_and_bounces_during_the_send_are_skipped(campaign, instant_sending, settings, monkeypatch):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    make_subscribers(6)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    start_by_hand(campaign)
    sending.send_batch(campaign.pk)  # reader0, reader1

    services.mark_unsubscribed(Subscriber.objects.get(email="reader3@example.com"))
    services.suppress("Reader5@Example.com", Suppression.Reason.BOUNCE)
    sending.run(campaign.pk)

    assert set(recipients()) == {"reader0@example.com", "reader1@example.com", "reader2@example.com",
                                 "reader4@example.com"}
    figures = sending.figures(campaign)
    assert (figures["sent"], figures["skipped"], figures["recipients"]) == (4, 2, 6)


class FlakyBackend(LocmemBackend):
    """Refuses the first `failures` messages with a connection error, then works."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise ConnectionError("provider unreachable")
        return super().send_messages(messages)


def test_a_provider_outage_is_retried_and_a_refused_address_is_failed(campaign, instant_sending, settings, monkeypatch):
    import smtplib

    make_subscribers(4)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 3
    sending.start(campaign.pk)

    delay = sending.run(campaign.pk)
    assert delay == settings.NEWSLETTER_SEND_RETRY_DELAY  # three failures in a row: the provider is down
    assert mail.outbox == []
    assert CampaignDelivery.objects.filter(status="pending", attempts=1).count() == 3

    class Refuses(LocmemBackend):
        def send_messages(self, messages):
            if messages[0].to == ["reader2@example.com"]:
                raise smtplib.SMTPRecipientsRefused({"reader2@example.com": (550, b"no such user")})
            return super().send_messages(messages)

    globals()["Refuses"] = Refuses
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.Refuses"
    sending.run(campaign.pk)

    assert set(recipients()) == {"reader0@example.com", "reader1@example.com", "reader3@example.com"}
    figures = sending.figures(campaign)
    assert (figures["sent"], figures["failed"]) == (3, 1)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


def test_the_rate_spaces_batches_out(campaign, settings, monkeypatch):
    settings.NEWSLETTER_SEND_RATE = 60  # a minute
    settings.NEWSLETTER_SEND_BATCH_SIZE = 10  # per ten seconds
    make_subscribers(25)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    sending.start(campaign.pk)

    delay = sending.run(campaign.pk)

    assert len(mail.outbox) == 10  # one batch, then the task asks to come back
    assert 0 < delay <= 10


def test_the_task_queues_its_next_run_after_the_rate_delay(campaign, settings, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    settings.NEWSLETTER_SEND_RATE = 60
    settings.NEWSLETTER_SEND_BATCH_SIZE = 10
    make_subscribers(15)
    HUEY.storage.flush_schedule()

    with django_capture_on_commit_callbacks(execute=True):
        sending.start(campaign.pk)  # the task runs after the commit, in immediate mode

    assert len(mail.outbox) == 10
    [scheduled] = HUEY.scheduled()
    assert scheduled.args == (campaign.pk,) and scheduled.eta is not None
    HUEY.storage.flush_schedule()


def test_a_scheduled_campaign_starts_when_due(campaign, instant_sending, django_capture_on_commit_callbacks):
    make_subscribers(2)
    when = timezone.now() + timedelta(hours=2)
    sending.schedule(campaign.pk, when)

    assert sending.start_due_campaigns(now=timezone.now()) == []
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.start_due_campaigns(now=when + timedelta(seconds=1)) == [campaign.pk]
    assert len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


def test_a_scheduled_campaign_whose_audience_left_goes_back_to_draft(campaign):
    [subscriber] = make_subscribers(1)
    sending.schedule(campaign.pk, timezone.now() + timedelta(hours=1))
    services.mark_unsubscribed(subscriber)

    sending.start_due_campaigns(now=timezone.now() + timedelta(hours=2))

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert "Nobody would get it" in campaign.last_error
    assert mail.outbox == []


def test_a_schedule_in_the_past_is_refused(campaign):
    make_subscribers(1)
    with pytest.raises(sending.CampaignNotReady, match="in the future"):
        sending.schedule(campaign.pk, timezone.now() - timedelta(minutes=1))


def test_the_tick_resumes_a_campaign_whose_task_was_lost(campaign, instant_sending, settings, monkeypatch):
    from newsletter import tasks

    make_subscribers(3)
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)  # the queued task is lost
    sending.start(campaign.pk)
    assert mail.outbox == []
    assert not sending.stalled_campaigns().exists()  # not yet: it only just started

    Campaign.objects.filter(pk=campaign.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.NEWSLETTER_SEND_LEASE + 5)
    )
    tasks.newsletter_tick.call_local()

    assert len(mail.outbox) == 3

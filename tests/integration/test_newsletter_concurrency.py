"""Two workers sending the same campaign at once, on PostgreSQL (SQLite has no row locks)."""

import time
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from newsletter import reminders, sending
from newsletter.models import Campaign, CampaignDelivery, CheckoutReminder
from tests.concurrency import run_at_once
from tests.fixtures.newsletter import make_subscribers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL; SQLite ignores it"),
]


class SlowBackend(LocmemBackend):
    """A provider that takes a moment per message, so the two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.002)
        return super().send_messages(messages)




@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message(settings, monkeypatch):
    settings.NEWSLETTER_SEND_RATE = 0
    settings.NEWSLETTER_SEND_BATCH_SIZE = 7
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.SlowBackend"
    make_subscribers(200)
    campaign = Campaign.objects.create(subject="Both at once", body="<p>Hi</p>")
    monkeypatch.setattr(sending, "_queue_run", lambda campaign_id: None)
    sending.start(campaign.pk)
    sending.create_deliveries(campaign.pk)
    senders = Counter()

    def worker(name):
        while True:
            result = sending.send_batch(campaign.pk)
            senders[name] += result.sent
            if not result.claimed:
                return

    run_at_once(worker, ["a", "b"])
    sending.finish_if_done(campaign.pk)

    sent_to = Counter(message.to[0] for message in mail.outbox)
    assert len(sent_to) == 200 and set(sent_to.values()) == {1}
    assert senders["a"] > 0 and senders["b"] > 0  # both really worked
    assert senders["a"] + senders["b"] == 200
    assert CampaignDelivery.objects.filter(status="sent").count() == 200
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_two_reminder_sweeps_at_once_send_one_per_basket(claw, fake_stripe):
    from datetime import timedelta

    from django.utils import timezone

    from checkout.models import CheckoutPayment
    from tests.checkout_helpers import start_payment_for

    payment = start_payment_for(claw, 1, email="shopper@example.com")
    CheckoutPayment.objects.filter(pk=payment.pk).update(
        newsletter_opt_in=True, date_created=timezone.now() - timedelta(hours=5)
    )

    outcomes = run_at_once(lambda _n: reminders.send_due_reminders(), [1, 2])

    assert CheckoutReminder.objects.count() == 1
    assert len(mail.outbox) == 1
    assert sum(o.get("sent", 0) for o in outcomes) == 1

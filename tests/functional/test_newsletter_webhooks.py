"""Mailgun's tracking webhook through django-anymail: hard bounces and spam complaints suppress an
address for good; a forged, unsigned or unauthenticated request changes nothing."""

import pytest
from django.core import mail
from django.test import Client

from newsletter import sending
from newsletter.models import CampaignDelivery, EmailEvent, Subscriber, Suppression
from tests.fixtures.newsletter import mailgun_event, make_subscribers, post_mailgun

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_campaign(campaign, instant_sending):
    make_subscribers(3)
    sending.start(campaign.pk)
    sending.run(campaign.pk)
    assert len(mail.outbox) == 3
    return campaign


def delivery_to(email):
    return CampaignDelivery.objects.get(email=email)


def test_a_hard_bounce_suppresses_the_address_and_counts_for_the_campaign(sent_campaign, mailgun_webhooks):
    delivery = delivery_to("reader1@example.com")
    body = mailgun_event("failed", "reader1@example.com", severity="permanent", delivery_id=delivery.pk,
                         description="550 5.1.1 The email account that you tried to reach does not exist")

    response = post_mailgun(Client(), body)

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.delivery) == (
        "reader1@example.com", Suppression.Reason.BOUNCE, delivery
    )
    assert "does not exist" in suppression.detail
    assert sending.figures(sent_campaign)["bounced"] == 1
    # Never mailed again: the next campaign leaves the address out.
    mail.outbox.clear()
    from newsletter.models import Campaign

    following = Campaign.objects.create(subject="Next month", body="<p>More</p>")
    sending.start(following.pk)
    sending.run(following.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["reader0@example.com", "reader2@example.com"]


def test_a_spam_complaint_suppresses_the_address(sent_campaign, mailgun_webhooks):
    delivery = delivery_to("reader2@example.com")
    response = post_mailgun(Client(), mailgun_event("complained", "reader2@example.com", delivery_id=delivery.pk))

    assert response.status_code == 200
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT
    assert sending.figures(sent_campaign)["complaints"] == 1


def test_the_delivery_is_found_by_message_id_without_metadata(sent_campaign, mailgun_webhooks):
    delivery = delivery_to("reader0@example.com")
    message_id = delivery.message_id.strip("<>")
    post_mailgun(Client(), mailgun_event("failed", "reader0@example.com", severity="permanent", message_id=message_id))

    assert Suppression.objects.get().delivery == delivery


def test_a_temporary_failure_changes_nothing(sent_campaign, mailgun_webhooks):
    response = post_mailgun(Client(), mailgun_event("failed", "reader0@example.com", severity="temporary"))

    assert response.status_code == 200
    assert not Suppression.objects.exists()
    assert sending.figures(sent_campaign)["bounced"] == 0


def test_a_bounce_of_any_email_suppresses_marketing_to_that_address(mailgun_webhooks, db):
    """Order emails go through the same provider: their bounces count too (and suppress no order email)."""
    post_mailgun(Client(), mailgun_event("failed", "Shopper@Example.com", severity="permanent"))

    assert Suppression.objects.for_email("shopper@example.com").get().reason == Suppression.Reason.BOUNCE


def test_an_unsubscribe_reported_by_the_provider_unsubscribes(sent_campaign, mailgun_webhooks):
    delivery = delivery_to("reader0@example.com")
    post_mailgun(Client(), mailgun_event("unsubscribed", "reader0@example.com", delivery_id=delivery.pk))

    assert Subscriber.objects.get(email="reader0@example.com").status == Subscriber.Status.UNSUBSCRIBED
    assert sending.figures(sent_campaign)["unsubscribes"] == 1


def test_the_same_event_twice_is_recorded_once(sent_campaign, mailgun_webhooks):
    delivery = delivery_to("reader1@example.com")
    body = mailgun_event("complained", "reader1@example.com", delivery_id=delivery.pk, token="same-token" * 4)

    assert post_mailgun(Client(), body).status_code == 200
    assert post_mailgun(Client(), body).status_code == 200

    assert EmailEvent.objects.count() == 1
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize(
    "problem",
    ["wrong signing key", "no basic auth", "wrong basic auth", "tampered signature", "not json"],
)
def test_a_forged_or_unauthenticated_webhook_changes_nothing(sent_campaign, mailgun_webhooks, problem):
    auth = "anymail:webhook-pass"
    body = mailgun_event("failed", "reader1@example.com", severity="permanent")
    if problem == "wrong signing key":
        body = mailgun_event("failed", "reader1@example.com", severity="permanent", signing_key="guessed")
    elif problem == "no basic auth":
        auth = None
    elif problem == "wrong basic auth":
        auth = "anymail:guessed"
    elif problem == "tampered signature":
        body = body.replace('"signature": "', '"signature": "0')
    elif problem == "not json":
        body = "event=failed&recipient=reader1%40example.com"

    response = post_mailgun(Client(), body, auth=auth)

    assert response.status_code == 400
    assert not Suppression.objects.exists()
    assert not EmailEvent.objects.exists()
    assert Subscriber.objects.filter(status="subscribed").count() == 3


def test_without_its_secrets_the_webhook_is_not_there(sent_campaign, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "", "WEBHOOK_SECRET": ""}
    body = mailgun_event("failed", "reader1@example.com", severity="permanent", signing_key="")

    response = post_mailgun(Client(), body, auth=None)

    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_campaign_messages_reach_anymail_with_metadata_and_no_tracking(campaign, instant_sending, settings):
    """anymail's own test backend: what the Mailgun backend would be asked to send."""
    settings.EMAIL_DELIVERY_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_API_KEY": "key-test"}
    make_subscribers(2)
    sending.start(campaign.pk)
    sending.run(campaign.pk)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        params = message.anymail_test_params
        delivery = delivery_to(message.to[0])
        assert params["metadata"] == {"delivery": str(delivery.pk), "campaign": str(campaign.pk)}
        assert params["tags"] == [f"campaign-{campaign.pk}"]
        assert params["track_opens"] is False and params["track_clicks"] is False
        assert params["extra_headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert params["html_body"] and params["text_body"]
        assert delivery.status == CampaignDelivery.Status.SENT
        # The provider's message id is kept, for events that come without our metadata.
        assert delivery.message_id == str(message.anymail_status.message_id)

"""Bounces and complaints from the email provider (Mailgun, through django-anymail).

Anymail's tracking view authenticates each request the way its documentation asks for Mailgun:
HTTP basic auth with ANYMAIL["WEBHOOK_SECRET"] (in the URL given to Mailgun) and the HMAC
signature Mailgun computes with the webhook signing key. A request that fails either is answered
400 by anymail and reaches nothing here. Until both secrets are set the URL answers 404.

Anymail turns each event into an AnymailTrackingEvent and sends its `tracking` signal, heard
here: a hard bounce or a spam complaint suppresses the address for all marketing email, and an
unsubscribe reported by the provider unsubscribes it. Each event id is kept (EmailEvent), so a
repeated or replayed event changes nothing.
"""

import logging

from anymail.signals import EventType, RejectReason, tracking
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import CampaignDelivery, EmailEvent, Subscriber, Suppression

logger = logging.getLogger(__name__)

_mailgun_tracking = MailgunTrackingWebhookView.as_view()


def provider_configured():
    config = getattr(settings, "ANYMAIL", {})
    return bool(config.get("MAILGUN_WEBHOOK_SIGNING_KEY") and config.get("WEBHOOK_SECRET"))


@csrf_exempt
def mailgun_tracking(request):
    if not provider_configured():
        raise Http404("The email provider's webhook is not configured.")
    return _mailgun_tracking(request)


def suppression_for(event):
    """The Suppression reason this event calls for, or None."""
    if event.event_type == EventType.BOUNCED:
        return Suppression.Reason.BOUNCE
    if event.event_type == EventType.REJECTED and event.reject_reason == RejectReason.BOUNCED:
        return Suppression.Reason.BOUNCE  # the provider refused it: the address bounced before
    if event.event_type == EventType.COMPLAINED:
        return Suppression.Reason.COMPLAINT
    return None


@receiver(tracking, dispatch_uid="newsletter-provider-tracking")
def handle_tracking_event(sender, event, esp_name, **kwargs):
    reason = suppression_for(event)
    unsubscribed = event.event_type == EventType.UNSUBSCRIBED
    if not (reason or unsubscribed) or not event.recipient:
        return
    with transaction.atomic():
        delivery = delivery_for(event)
        try:
            with transaction.atomic():
                EmailEvent.objects.create(
                    event_id=event.event_id or f"{esp_name}:{event.event_type}:{event.recipient}:{event.timestamp}",
                    event_type=event.event_type,
                    email=event.recipient[:254],
                    detail=(event.description or event.mta_response or "")[:500],
                    delivery=delivery,
                )
        except IntegrityError:
            return  # seen before
        now = timezone.now()
        if reason:
            services.suppress(event.recipient, reason, detail=event.description or "", delivery=delivery)
            if delivery is not None:
                field = "bounced_at" if reason == Suppression.Reason.BOUNCE else "complained_at"
                CampaignDelivery.objects.filter(pk=delivery.pk, **{field: None}).update(**{field: now})
        if unsubscribed:
            subscribed = Subscriber.objects.select_for_update().with_email(event.recipient)
            for subscriber in subscribed.filter(status=Subscriber.Status.SUBSCRIBED):
                if delivery is not None and delivery.subscriber_id == subscriber.pk:
                    CampaignDelivery.objects.filter(pk=delivery.pk, unsubscribed_at=None).update(unsubscribed_at=now)
                services.mark_unsubscribed(subscriber)
    logger.info("%s reported %s for %s", esp_name, event.event_type, event.recipient)


def delivery_for(event):
    """The campaign message the event is about: from our metadata, else the provider's message id."""
    delivery_id = (event.metadata or {}).get("delivery")
    if delivery_id and str(delivery_id).isdigit():
        found = CampaignDelivery.objects.filter(pk=int(delivery_id), email__iexact=event.recipient).first()
        if found is not None:
            return found
    if event.message_id:
        return CampaignDelivery.objects.filter(message_id=event.message_id).first()
    return None

"""Sending a campaign: once to every recipient, in batches, surviving crashes and restarts.

1. start() / schedule() (the dashboard) check the campaign can go out and mark it sending or
   scheduled; the worker's tick starts scheduled ones when their time comes.
2. create_deliveries(): one CampaignDelivery row per recipient (unique per campaign and
   subscriber), inserted in batches from an iterator, before anything is sent. Running it again
   adds only what is missing.
3. send_batch(): claims a batch of pending rows (a conditional UPDATE, and SKIP LOCKED on
   PostgreSQL, so two workers never hold the same row), skips recipients who unsubscribed or were
   suppressed since, and sends the rest one by one through EMAIL_DELIVERY_BACKEND, around the
   per-message queue of shop.mail: each row is marked `attempted_at` just before it is handed over
   and `sent` just after, each in its own commit.
4. recover_stale_claims(): a claim older than NEWSLETTER_SEND_LEASE belongs to a worker that
   died. Its rows never attempted go back to pending (the next batch sends them); a row attempted
   but never marked was being handed over when the worker died: it is marked in doubt and not
   sent again, so nobody gets two copies (staff may send those again from the dashboard).
5. run() is one huey task's work: batches at NEWSLETTER_SEND_RATE until done, paused or out of
   time; the task then schedules the next run (newsletter/tasks.py).
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from itertools import islice

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.links import site_domain

from . import links
from .emails import list_headers
from .models import Campaign, CampaignDelivery, Subscriber, Suppression
from .rendering import render_campaign

logger = logging.getLogger(__name__)

Delivery = CampaignDelivery
PENDING, SENT, FAILED, SKIPPED, UNKNOWN = (
    Delivery.Status.PENDING, Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SKIPPED,
    Delivery.Status.UNKNOWN,
)  # fmt: skip
# The provider refused these recipients for good: trying again would only be refused again.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)
try:  # django-anymail, the production backend
    from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused

    PERMANENT_ERRORS += (AnymailRecipientsRefused, AnymailInvalidAddress)
except ImportError:  # pragma: no cover
    pass
# Stop the batch after this many failures in a row: the provider is down, not the recipients.
FAILURES_IN_A_ROW = 3
# How often, in messages, a batch looks whether staff paused or canceled the campaign.
STATUS_CHECK_EVERY = 20


class CampaignNotReady(Exception):
    """The campaign cannot be sent as it is; the messages say what to fix."""

    def __init__(self, problems):
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = problems


# 1. Staff's actions
# ------------------


def problems(campaign):
    """What stops this campaign from being sent, as sentences staff can act on."""
    found = []
    if not campaign.subject.strip():
        found.append(_("Write a subject: inboxes show it first, and a message without one looks like spam."))
    if not campaign.body.strip() and not (
        campaign.article_links.exists() or campaign.video_links.exists() or campaign.product_links.exists()
    ):
        found.append(_("The message is empty: write something or add an article, video or product card."))
    if not campaign.audience_queryset().exists():
        found.append(
            _("Nobody would get it: no confirmed, unsuppressed subscriber matches the audience “%(audience)s”.")
            % {"audience": campaign.audience_label()}
        )
    if not settings.NEWSLETTER_POSTAL_ADDRESS.strip():
        found.append(
            _("The store's postal address is not set (NEWSLETTER_POSTAL_ADDRESS): the law (CAN-SPAM) requires it "
              "in every marketing email.")
        )
    return found


def check_sendable(campaign):
    found = problems(campaign)
    if found:
        raise CampaignNotReady(found)


@transaction.atomic
def start(campaign_id):
    """Send now. Raises CampaignNotReady; returns the campaign, now sending (the task is queued after commit)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status not in Campaign.EDITABLE:
        raise CampaignNotReady([_("This campaign has already been sent or is being sent.")])
    check_sendable(campaign)
    campaign.status = Campaign.Status.SENDING
    campaign.started_at = timezone.now()
    campaign.last_error = ""
    campaign.utm_campaign = campaign.utm_slug
    campaign.save(update_fields=["status", "started_at", "last_error", "utm_campaign", "updated_at"])
    _queue_run(campaign.pk)
    return campaign


@transaction.atomic
def schedule(campaign_id, when):
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status not in Campaign.EDITABLE:
        raise CampaignNotReady([_("This campaign has already been sent or is being sent.")])
    if when <= timezone.now():
        raise CampaignNotReady([_("Choose a date and time in the future, or use “Send now”.")])
    check_sendable(campaign)
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_at = when
    campaign.last_error = ""
    campaign.save(update_fields=["status", "scheduled_at", "last_error", "updated_at"])
    return campaign


def _transition(campaign_id, allowed, new_status, **fields):
    """Move the campaign to new_status if it is in one of `allowed`; True if it moved."""
    return bool(
        Campaign.objects.filter(pk=campaign_id, status__in=allowed).update(
            status=new_status, updated_at=timezone.now(), **fields
        )
    )


def unschedule(campaign_id):
    return _transition(campaign_id, [Campaign.Status.SCHEDULED], Campaign.Status.DRAFT, scheduled_at=None)


def pause(campaign_id):
    """Workers stop within a few messages; what they held goes back to pending."""
    return _transition(campaign_id, [Campaign.Status.SENDING], Campaign.Status.PAUSED)


def resume(campaign_id):
    moved = _transition(campaign_id, [Campaign.Status.PAUSED], Campaign.Status.SENDING)
    if moved:
        _queue_run(campaign_id)
    return moved


def cancel(campaign_id):
    """Stop for good: messages not yet sent are never sent (their rows stay pending, for the record)."""
    return _transition(
        campaign_id, [Campaign.Status.SENDING, Campaign.Status.PAUSED, Campaign.Status.SCHEDULED],
        Campaign.Status.CANCELED, finished_at=timezone.now(),
    )


def resend_in_doubt(campaign_id):
    """Staff's choice after a worker crash: send again the messages that may or may not have gone out."""
    count = Delivery.objects.filter(campaign_id=campaign_id, status=UNKNOWN).update(
        status=PENDING, claim="", claimed_at=None, attempted_at=None
    )
    if count:
        _transition(campaign_id, [Campaign.Status.SENT], Campaign.Status.SENDING, finished_at=None)
        campaign = Campaign.objects.get(pk=campaign_id)
        if campaign.status == Campaign.Status.SENDING:
            _queue_run(campaign_id)
    return count


def send_test(campaign, email):
    """One copy to `email`, subject marked [Test], through the store's queued email (after commit).
    If the address is a subscriber, the unsubscribe link is their real one (so staff can try it);
    otherwise it leads to the unsubscribe page and changes nothing."""
    content = render_campaign(campaign)
    subscriber = Subscriber.objects.with_email(email).first()
    unsubscribe_url = links.unsubscribe_url_for(subscriber.pk if subscriber else 0)
    html_part, text_part = content.personalise(email, unsubscribe_url)
    message = EmailMultiAlternatives(
        subject=f"[Test] {content.subject}",
        body=text_part,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers=list_headers(unsubscribe_url),
    )
    message.attach_alternative(html_part, "text/html")
    message.send()


def _queue_run(campaign_id):
    from .tasks import send_campaign

    transaction.on_commit(lambda: send_campaign(campaign_id))


def start_due_campaigns(now=None):
    """Scheduled campaigns whose time has come. One that can no longer go out (say, its audience
    unsubscribed meanwhile) goes back to draft with the reason, for staff to see."""
    started = []
    for campaign_id in Campaign.objects.due(now or timezone.now()).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
            if campaign.status != Campaign.Status.SCHEDULED:
                continue
            found = problems(campaign)
            if found:
                campaign.status = Campaign.Status.DRAFT
                campaign.last_error = (_("Not sent at the scheduled time: ") + " ".join(found))[:500]
                campaign.save(update_fields=["status", "last_error", "updated_at"])
                logger.warning("Scheduled campaign %s not sent: %s", campaign_id, found)
                continue
            campaign.status = Campaign.Status.SENDING
            campaign.started_at = timezone.now()
            campaign.utm_campaign = campaign.utm_slug
            campaign.save(update_fields=["status", "started_at", "utm_campaign", "updated_at"])
            _queue_run(campaign.pk)
            started.append(campaign.pk)
    return started


def stalled_campaigns(now=None):
    """Sending campaigns no worker has touched for a lease: their task was lost (a restart)."""
    now = now or timezone.now()
    quiet = now - timedelta(seconds=settings.NEWSLETTER_SEND_LEASE)
    return Campaign.objects.filter(status=Campaign.Status.SENDING).filter(
        Q(heartbeat_at__isnull=True, started_at__lt=quiet) | Q(heartbeat_at__lt=quiet)
    )


# 2. The recipients
# -----------------


def batched(iterable, size):
    """itertools.batched (Python 3.12) for 3.11."""
    iterator = iter(iterable)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def create_deliveries(campaign_id):
    """One pending row per recipient, in batches from an iterator (flat memory for any list).
    Idempotent: conflicts with rows already made are ignored, so a crash half-way is resumed."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.recipients_ready:
        return 0
    size = settings.NEWSLETTER_CREATE_BATCH_SIZE
    recipients = campaign.audience_queryset().order_by("pk").values_list("pk", "email").iterator(chunk_size=size)
    made = 0
    for chunk in batched(recipients, size):
        Delivery.objects.bulk_create(
            [Delivery(campaign_id=campaign_id, subscriber_id=pk, email=email) for pk, email in chunk],
            ignore_conflicts=True,
        )
        made += len(chunk)
    Campaign.objects.filter(pk=campaign_id).update(recipients_ready=True, heartbeat_at=timezone.now())
    return made


# 3. Sending a batch
# ------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry_later: int = 0
    stopped: bool = False  # paused or canceled while sending
    provider_down: bool = False


def recover_stale_claims(campaign_id, now=None):
    """Rows a dead worker held: never attempted -> pending again; attempted, not marked -> in doubt."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        campaign_id=campaign_id, status=PENDING, claimed_at__lt=now - timedelta(seconds=settings.NEWSLETTER_SEND_LEASE)
    ).exclude(claim="")
    in_doubt = stale.filter(attempted_at__isnull=False).update(
        status=UNKNOWN, claim="", error=_("The worker stopped while handing this message over; not sent again.")
    )
    released = stale.filter(attempted_at__isnull=True).update(claim="", claimed_at=None)
    if in_doubt or released:
        logger.warning(
            "Campaign %s: a worker died; %s messages released, %s in doubt", campaign_id, released, in_doubt
        )
    return released, in_doubt


def claim_batch(campaign_id, size, now=None):
    """Claim up to `size` pending rows for this worker; returns (claim token, rows in id order)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Delivery.objects.filter(campaign_id=campaign_id, status=PENDING, claim="").order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if ids:
            # Conditional: a row another worker claimed meanwhile is not taken (SQLite has no row locks).
            Delivery.objects.filter(pk__in=ids, status=PENDING, claim="").update(claim=token, claimed_at=now)
    rows = list(
        Delivery.objects.filter(claim=token, status=PENDING)
        .order_by("pk")
        .annotate(
            subscriber_status=F("subscriber__status"),
            suppressed=Exists(Suppression.objects.filter(email=Lower(OuterRef("email")))),
        )
        .only("pk", "subscriber_id", "email", "attempts")
    )
    return token, rows


_rendered_cache = {}


def rendered(campaign):
    """The campaign rendered once per worker process (content cannot change once sending starts)."""
    key = (campaign.pk, campaign.started_at)
    if key not in _rendered_cache:
        _rendered_cache.clear()
        _rendered_cache[key] = render_campaign(campaign)
    return _rendered_cache[key]


def build_message(campaign, row, content):
    unsubscribe_url = links.unsubscribe_url_for(row.subscriber_id, row.pk)
    html_part, text_part = content.personalise(row.email, unsubscribe_url)
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=text_part,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
        headers={**list_headers(unsubscribe_url), "Message-ID": make_msgid(domain=site_domain().split(":")[0])},
    )
    message.attach_alternative(html_part, "text/html")
    # django-anymail reads these (other backends ignore them): the webhook finds the delivery from
    # its metadata; the provider neither tracks opens nor rewrites links.
    message.metadata = {"delivery": str(row.pk), "campaign": str(campaign.pk)}
    message.tags = [f"campaign-{campaign.pk}"]
    message.track_opens = settings.NEWSLETTER_TRACK_OPENS
    message.track_clicks = False
    return message


def send_batch(campaign_id, *, size=None, connection_=None):
    """Send one claimed batch. Returns a BatchResult."""
    result = BatchResult()
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        result.stopped = True
        return result
    token, rows = claim_batch(campaign_id, size or settings.NEWSLETTER_SEND_BATCH_SIZE)
    result.claimed = len(rows)
    if not rows:
        return result
    to_skip = [r.pk for r in rows if r.subscriber_status != Subscriber.Status.SUBSCRIBED or r.suppressed]
    if to_skip:
        Delivery.objects.filter(pk__in=to_skip, claim=token).update(
            status=SKIPPED, claim="", error=_("Unsubscribed or suppressed before this message went out.")
        )
        result.skipped = len(to_skip)
    rows = [r for r in rows if r.pk not in set(to_skip)]
    content = rendered(campaign)
    failures_in_a_row = 0
    conn = connection_ or get_connection(settings.EMAIL_DELIVERY_BACKEND)
    # A worker never holds its claim past half the lease, so recovery never takes a live worker's rows.
    give_up_at = time.monotonic() + settings.NEWSLETTER_SEND_LEASE / 2
    with conn:
        for position, row in enumerate(rows):
            if position and position % STATUS_CHECK_EVERY == 0 and not _still_sending(campaign_id):
                result.stopped = True
                break
            if time.monotonic() > give_up_at:
                break
            message = build_message(campaign, row, content)
            Delivery.objects.filter(pk=row.pk, claim=token).update(
                attempted_at=timezone.now(), attempts=row.attempts + 1
            )
            try:
                conn.send_messages([message])
            except PERMANENT_ERRORS as error:
                _mark(row, token, status=FAILED, error=repr(error)[:500])
                result.failed += 1
                continue
            except Exception as error:
                logger.warning("Campaign %s: message to %s failed (%r)", campaign_id, row.email, error)
                if row.attempts + 1 >= settings.NEWSLETTER_SEND_MAX_ATTEMPTS:
                    _mark(row, token, status=FAILED, error=repr(error)[:500])
                    result.failed += 1
                else:  # not accepted: it goes back in the queue for a later batch
                    _mark(row, token, status=PENDING, error=repr(error)[:500], attempted_at=None, claimed_at=None)
                    result.retry_later += 1
                failures_in_a_row += 1
                if failures_in_a_row >= FAILURES_IN_A_ROW:
                    result.provider_down = True
                    break
                continue
            failures_in_a_row = 0
            provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
            message_id = str(provider_id if provider_id is not None else message.extra_headers["Message-ID"])[:255]
            _mark(row, token, status=SENT, sent_at=timezone.now(), message_id=message_id, error="")
            result.sent += 1
    # Whatever this worker still holds was never attempted (stopped early): give it back now.
    Delivery.objects.filter(claim=token, status=PENDING, attempted_at__isnull=True).update(claim="", claimed_at=None)
    Campaign.objects.filter(pk=campaign_id).update(heartbeat_at=timezone.now())
    return result


def _mark(row, token, **fields):
    fields.setdefault("claim", "")
    Delivery.objects.filter(pk=row.pk, claim=token).update(**fields)


def _still_sending(campaign_id):
    return Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).exists()


def finish_if_done(campaign_id):
    """Sent, once no row is left waiting."""
    if Delivery.objects.filter(campaign_id=campaign_id, status=PENDING).exists():
        return False
    return _transition(campaign_id, [Campaign.Status.SENDING], Campaign.Status.SENT, finished_at=timezone.now())


# 5. One task's work
# ------------------


def run(campaign_id, *, budget=None):
    """Send batches for up to `budget` seconds. Returns None when there is nothing more to do (sent,
    paused, canceled), else the delay in seconds before the next run."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return None
    Campaign.objects.filter(pk=campaign_id).update(heartbeat_at=timezone.now())
    create_deliveries(campaign_id)
    recover_stale_claims(campaign_id)
    deadline = time.monotonic() + (budget if budget is not None else settings.NEWSLETTER_TASK_SECONDS)
    rate = settings.NEWSLETTER_SEND_RATE  # messages per minute; 0: as fast as the provider takes them
    size = settings.NEWSLETTER_SEND_BATCH_SIZE
    interval = size * 60 / rate if rate else 0
    while True:
        began = time.monotonic()
        result = send_batch(campaign_id, size=size)
        if result.stopped:
            return None
        if result.provider_down:
            return settings.NEWSLETTER_SEND_RETRY_DELAY
        if finish_if_done(campaign_id):
            return None
        if not result.claimed:
            # Rows are held by another worker (or wait for a lease to run out): look again later.
            return settings.NEWSLETTER_SEND_RETRY_DELAY
        wait = interval - (time.monotonic() - began)
        if wait > 0:
            return wait
        if time.monotonic() >= deadline:
            return 0


# Figures
# -------


def figures(campaign):
    """Recipients, sent, failed, bounced, complaints, unsubscribes: one query."""
    counts = campaign.deliveries.aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(status=SENT)),
        pending=Count("pk", filter=Q(status=PENDING)),
        failed=Count("pk", filter=Q(status=FAILED)),
        skipped=Count("pk", filter=Q(status=SKIPPED)),
        in_doubt=Count("pk", filter=Q(status=UNKNOWN)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complaints=Count("pk", filter=Q(complained_at__isnull=False)),
        unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    return counts

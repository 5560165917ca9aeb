"""The newsletter's work in the huey worker (`manage.py run_huey` imports this module)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import reminders, sending

logger = logging.getLogger(__name__)


@db_task()
def send_campaign(campaign_id):
    """Send batches of one campaign, then queue the next run when the rate or the time budget says
    so. Two of these for the same campaign at once are harmless: each claims its own rows."""
    delay = sending.run(campaign_id)
    if delay is not None:
        send_campaign.schedule((campaign_id,), delay=max(delay, 0))


@db_periodic_task(crontab(minute="*"))
def newsletter_tick():
    """Every minute: start scheduled campaigns whose time has come, and pick up sending ones whose
    worker went away (a restart or crash loses the queued task, never the rows)."""
    sending.start_due_campaigns()
    for campaign_id in sending.stalled_campaigns().values_list("pk", flat=True):
        logger.warning("Campaign %s had no worker for a while; resuming it", campaign_id)
        send_campaign(campaign_id)


@db_periodic_task(crontab(minute="*/10"))
def send_checkout_reminders():
    """The abandoned-checkout reminders that are due (newsletter/reminders.py)."""
    return reminders.send_due_reminders()

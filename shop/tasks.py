"""Background tasks, run by the huey worker (`manage.py run_huey`, which imports this module)."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, task

from shop import analytics
from shop.mail import deliver

logger = logging.getLogger(__name__)


@task(retries=settings.EMAIL_DELIVERY_RETRIES, retry_delay=settings.EMAIL_DELIVERY_RETRY_DELAY, context=True)
def deliver_email(data, task=None):
    """Send one queued email (shop.mail.message_to_data) through EMAIL_DELIVERY_BACKEND.

    A failure is logged and raised, so huey tries again after EMAIL_DELIVERY_RETRY_DELAY seconds,
    up to EMAIL_DELIVERY_RETRIES times; after the last one the email is dropped with an error log.
    """
    try:
        deliver(data)
    except Exception as exc:  # huey logs the traceback ("Unhandled exception in task")
        retries_left = task.retries if task is not None else 0
        if retries_left:
            logger.warning(
                "Email %r to %s failed (%r); retrying in %s s, %s retries left",
                data["subject"], data["to"], exc, settings.EMAIL_DELIVERY_RETRY_DELAY, retries_left,
            )
        else:
            logger.error("Email %r to %s failed (%r) for the last time; not sent", data["subject"], data["to"], exc)
        raise


@db_periodic_task(crontab(minute="*/5"))
def flush_view_counts():
    """Product and article views counted in the cache go into the analytics tables
    (shop/analytics.py); safe to run twice or at once."""
    return analytics.flush_view_counts()


@db_task()
def record_user_product_view(user_id, product_id):
    """A signed-in customer's product view, written outside the GET that saw it."""
    analytics.save_user_product_view(user_id, product_id)

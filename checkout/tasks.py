"""The payment sweep every few minutes, and an order's emails, in the huey worker (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from checkout import emails, sweep


@db_periodic_task(crontab(minute="*/5"))
def reconcile_payments():
    """Finish payments the doors left pending or refunding (checkout/sweep.py). Two workers
    running it at once place or refund each payment once: the sweep is safe concurrently."""
    return dict(sweep.sweep())


@db_task()
def send_order_placed_emails(order_id):
    """The confirmation to the shopper and the note to staff, rendered here rather than in the
    request that placed the order (checkout.emails.queue_order_placed). A failure is logged there
    and not retried: the order stands, and the dashboard shows it."""
    emails.send_order_placed(order_id)

"""The payment sweep every few minutes, in the huey worker (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from checkout import sweep


@db_periodic_task(crontab(minute="*/5"))
def reconcile_payments():
    """Finish payments the doors left pending or refunding (checkout/sweep.py). Two workers
    running it at once place or refund each payment once: the sweep is safe concurrently."""
    return dict(sweep.sweep())

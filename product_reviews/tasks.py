"""Review requests in the huey worker (`manage.py run_huey` imports this module)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import requests


@db_periodic_task(crontab(minute="17"))
def send_review_requests():
    """Every hour: ask for a review of the orders delivered REVIEW_REQUEST_AFTER_DAYS ago
    (product_reviews/requests.py). Safe when two workers run it at once: one email per order."""
    return requests.send_due_requests()

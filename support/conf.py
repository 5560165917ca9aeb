"""The contact form's settings with their defaults, read on every use so tests can override them.
The spam and flood defences are those of article comments (article_comments/conf.py)."""

from django.conf import settings

DEFAULTS = {
    "SUPPORT_MESSAGE_MAX_LENGTH": 5000,
    # A person needs a few seconds to write anything; a bot posts as soon as it has the page.
    "SUPPORT_MIN_SUBMIT_SECONDS": 3,
    # The signed "form served at" timestamp is refused after this long (seconds).
    "SUPPORT_FORM_MAX_AGE": 2 * 60 * 60,
    # django-ratelimit rates ("N/s|m|h|d"), counted in the default cache (Redis in production).
    "SUPPORT_RATE_PER_IP": "10/h",
    "SUPPORT_RATE_PER_EMAIL": "5/h",
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])

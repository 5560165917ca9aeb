"""The app's settings with their defaults, read on every use so tests can override them."""

from django.conf import settings

# Links in the emails start from settings.SITE_URL (shop.links), like every email link of the store.
DEFAULTS = {
    # Published comments per page under an article (top-level comments; replies ride along).
    "COMMENTS_PER_PAGE": 20,
    # "newest" or "oldest": the order an article's comments have when the reader has not chosen.
    "COMMENTS_DEFAULT_ORDER": "newest",
    # Publish at once when the same account, or the same confirmed email, already has an approved comment.
    "COMMENTS_TRUST_RETURNING_AUTHORS": True,
    "COMMENTS_MAX_LENGTH": 3000,
    "COMMENTS_MAX_LINKS": 2,
    # A person needs a few seconds to write anything; a bot posts as soon as it has the page.
    "COMMENTS_MIN_SUBMIT_SECONDS": 3,
    # The signed timestamp in the form is refused after this long (seconds).
    "COMMENTS_FORM_MAX_AGE": 2 * 60 * 60,
    # How long a guest's confirmation link works (seconds).
    "COMMENTS_CONFIRM_MAX_AGE": 3 * 24 * 60 * 60,
    # django-ratelimit rates ("N/s|m|h|d"), counted in the default cache (Redis in production).
    "COMMENTS_RATE_PER_IP": "10/h",
    "COMMENTS_RATE_PER_EMAIL": "5/h",
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])

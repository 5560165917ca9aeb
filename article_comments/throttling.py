"""Rate limits for posting, per IP address and per email address, kept by django-ratelimit in
the default cache (local memory in development and tests, Redis in production)."""

from django_ratelimit.core import is_ratelimited

from shop.security import client_ip

from . import conf

GROUP_IP = "article_comments.post.ip"
GROUP_EMAIL = "article_comments.post.email"

TOO_MANY = (
    "You have posted several comments in a short time, so we paused you for a while. "
    "Your text is still here: please try again later."
)


def _ip_key(group, request):
    return client_ip(request) or "unknown"


def ip_limited(request):
    """Counts every attempt from this address, valid or not: robots are rarely valid."""
    return is_ratelimited(
        request, group=GROUP_IP, key=_ip_key, rate=conf.get("COMMENTS_RATE_PER_IP"), method="POST", increment=True
    )


def email_limited(request, email):
    """Counts the comments one email address posts (a guest's, or the account's)."""
    return is_ratelimited(
        request,
        group=GROUP_EMAIL,
        key=lambda group, request: email.lower(),
        rate=conf.get("COMMENTS_RATE_PER_EMAIL"),
        method="POST",
        increment=True,
    )

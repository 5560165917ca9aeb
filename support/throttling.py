"""Rate limits on the contact form, per IP address and per email address, kept by
django-ratelimit in the default cache (Redis in production), as for article comments."""

from django_ratelimit.core import is_ratelimited

from shop.security import client_ip

from . import conf

GROUP_IP = "support.contact.ip"
GROUP_EMAIL = "support.contact.email"

TOO_MANY = (
    "You have sent several messages in a short time, so we paused the form for a while. "
    "Your message is still here: please try again later. We reply to every message we receive."
)


def _counted(request, group, key, rate):
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def ip_limited(request):
    """Counts every attempt from this address, valid or not: robots are rarely valid."""
    return _counted(request, GROUP_IP, lambda group, request: client_ip(request) or "unknown",
                    conf.get("SUPPORT_RATE_PER_IP"))


def email_limited(request, email):
    return _counted(request, GROUP_EMAIL, lambda group, request: email.lower(), conf.get("SUPPORT_RATE_PER_EMAIL"))

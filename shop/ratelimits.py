"""Rate limits on Oscar's views we do not fork: sign-in and add-to-basket.

Counted by django-ratelimit in the default cache, which is Redis in production, so a limit holds
across every gunicorn worker and app server. Comments and the newsletter count their own.

When the cache is down nothing can be counted, and each limit says what happens then:

- sign-in (the shop's and the dashboard's) fails closed: a 429 page says signing in is paused for
  a minute, and a guest can still check out. Without a counter, password guessing would have no
  limit at all; a shopper loses a minute, an account is not at risk.
- add-to-basket fails open: a sale never waits on the cache. So do the comment and newsletter
  forms (settings.RATELIMIT_FAIL_OPEN, which django-ratelimit applies when it cannot count): their
  own checks (moderation, double opt-in, one email per address an hour) still hold.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from shop.cache import cache_is_available

# view name -> (setting with the "N/period" rate, what the limit is counted on, fail closed?)
LIMITS = {
    "customer:login": ("STORE_LOGIN_RATE", ("ip", "post:login-username"), True),
    "dashboard:login": ("STORE_LOGIN_RATE", ("ip", "post:username"), True),
    "basket:add": ("STORE_BASKET_ADD_RATE", ("ip",), False),
}
RETRY_AFTER = 60  # seconds a fail-closed form asks to wait while the cache is down


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        limit = LIMITS.get(request.resolver_match.view_name)
        if limit is None:
            return None
        setting, keys, fail_closed = limit
        if not cache_is_available():
            return paused(request) if fail_closed else None
        rate = getattr(settings, setting)
        # Every key is counted on each POST, so one busy key cannot hide the others.
        limited = [
            is_ratelimited(request, group=f"{request.resolver_match.view_name}:{key}", key=key, rate=rate,
                           method="POST", increment=True)
            for key in keys
        ]
        if not cache_is_available():  # the cache failed while counting: nothing was counted
            return paused(request) if fail_closed else None
        if any(limited):
            return render(request, "shop/rate_limited.html", status=429)
        return None


def paused(request):
    response = render(request, "shop/sign_in_paused.html", {"retry_after": RETRY_AFTER}, status=429)
    response["Retry-After"] = str(RETRY_AFTER)
    return response

"""Rate limits on Oscar's views we do not fork: sign-in and add-to-basket.

Counted by django-ratelimit in the default cache, which is Redis in production, so a limit holds
across every gunicorn worker and app server. Comments and the newsletter count their own.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

# view name -> (setting with the "N/period" rate, what the limit is counted on)
LIMITS = {
    "customer:login": ("STORE_LOGIN_RATE", ("ip", "post:login-username")),
    "dashboard:login": ("STORE_LOGIN_RATE", ("ip", "post:username")),
    "basket:add": ("STORE_BASKET_ADD_RATE", ("ip",)),
}


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
        setting, keys = limit
        rate = getattr(settings, setting)
        # Every key is counted on each POST, so one busy key cannot hide the others.
        limited = [
            is_ratelimited(request, group=f"{request.resolver_match.view_name}:{key}", key=key, rate=rate,
                           method="POST", increment=True)
            for key in keys
        ]
        if any(limited):
            return render(request, "shop/rate_limited.html", status=429)
        return None

"""Security headers: the Content-Security-Policy per page, and Permissions-Policy.

The policy in settings.CONTENT_SECURITY_POLICY is the storefront's: scripts from our own origin
or inline with the per-request nonce, nothing else. Three kinds of page widen it, each only
where it is needed:

- the checkout payment page loads Stripe.js and Stripe's frames (Stripe documents these hosts);
- a page that shows a tutorial video (the one partial, content_pages/includes/video.html, calls
  the CONTENT_PAGES_VIDEO_SHOWN hook: allow_video_frames) may frame the two video players, and
  nothing else may;
- Oscar's dashboard (staff only) has three inline onclick="..." cancel links in templates we do
  not override; 'unsafe-hashes' with their exact hashes lets those handlers, and no other, run.
"""

import base64
import hashlib
import ipaddress

from csp.middleware import CSPMiddleware
from ipware import get_client_ip

from content_pages.video import PLAYER_ORIGINS as VIDEO_FRAME_HOSTS

# https://docs.stripe.com/security/guide#content-security-policy
STRIPE_POLICY = {
    "script-src": ["https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}
STRIPE_VIEWS = {"checkout:payment-details", "checkout:payment-prepare"}

# The inline event handlers in Oscar's own dashboard templates (oscar/templates/oscar/dashboard/).
DASHBOARD_INLINE_HANDLERS = (
    "window.history.go(-1);return false",
    "window.close();return false;",
)


def csp_hash(source):
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


DASHBOARD_POLICY = {
    "script-src": ["'unsafe-hashes'", *(csp_hash(handler) for handler in DASHBOARD_INLINE_HANDLERS)],
    # TinyMCE previews pasted and uploaded images from blob: URLs.
    "img-src": ["blob:"],
}


def allow_video_frames(request):
    request._csp_video_frames = True


class StoreCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        extra = []
        if getattr(request, "_csp_video_frames", False):
            extra.append({"frame-src": list(VIDEO_FRAME_HOSTS)})
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in STRIPE_VIEWS:
            extra.append(STRIPE_POLICY)
        if request.path_info.startswith("/dashboard/"):
            extra.append(DASHBOARD_POLICY)
        if extra:
            update = {key: list(value) for key, value in (parts.update or {}).items()}
            for policy in extra:
                for directive, sources in policy.items():
                    update.setdefault(directive, []).extend(sources)
            parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY (Django has no setting for this header)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def client_ip(request):
    """The shopper's IP address (a normalised string), or None when there is no valid one.

    The one answer for everything that counts or records visitors: the rate limits (sign-in, add to
    cart, comments, newsletter), the newsletter's consent record, a comment's address. Behind a TLS
    proxy or load balancer every request comes from the proxy, so with settings.TRUSTED_PROXY_COUNT
    = N the address is the one the outermost of our N proxies saw: the N-th entry from the right
    of X-Forwarded-For, the only entries a client cannot forge (whatever it sends itself ends up to
    their left). 0 ignores the header; so does a header with fewer entries than that, or with no
    address there: then it is the peer's own address (REMOTE_ADDR).
    """
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        # django-ipware counts the proxies listed after the client; the last of ours is the peer
        # (REMOTE_ADDR) and not in the header. Not strict: a chain longer than ours (what the
        # client sent itself, on the left) is expected, and only its right end is read.
        forwarded, _routable = get_client_ip(
            request, proxy_count=proxies - 1, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False
        )
        if forwarded is not None:
            return forwarded
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip()))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """REMOTE_ADDR becomes client_ip(request), so what reads REMOTE_ADDR (django-ratelimit's "ip"
    key, Django's own logging) sees the shopper, not our proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        if address is not None:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)

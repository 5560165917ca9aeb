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
import functools
import hashlib
import ipaddress
from types import SimpleNamespace

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
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


NONCE_MARK = "__csp_nonce__"


class StoreCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with each policy built once per worker: a page's policy differs
    from another's only by its nonce and by which of the widenings above it gets, so the header is
    built once for each combination, with a mark where the nonce goes, and each response gets the
    string with its own nonce put in (building it took about 0.1 ms, on every response)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._built = {}

    def process_response(self, request, response):
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp leaves them
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            policy = self._policy(parts, report_only, getattr(settings, setting, None))
            if not policy or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp: a nonce asked for after the header was written would be in no header.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, parts, report_only, configured):
        # The settings' own object is in the key: a test that overrides them gets a policy of its own.
        key = (report_only, id(configured), repr(parts.config), repr(parts.update), repr(parts.replace),
               parts.nonce is not None)
        policy = self._built.get(key)
        if policy is None:
            mark = NONCE_MARK if parts.nonce is not None else None
            policy = build_policy(parts.config, parts.update, parts.replace, mark, report_only=report_only)
            if len(self._built) < 64:  # a handful of kinds of page; never grows with the traffic
                self._built[key] = policy
        return policy.replace(NONCE_MARK, parts.nonce) if parts.nonce is not None else policy

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

    meta = request.META
    return _client_ip(settings.TRUSTED_PROXY_COUNT, meta.get("HTTP_X_FORWARDED_FOR"), meta.get("REMOTE_ADDR", ""))


@functools.lru_cache(maxsize=4096)
def _client_ip(proxies, forwarded, remote):
    """client_ip() for these header values: the same answer every time, worked out once per worker
    for the addresses it sees most (django-ipware takes tens of microseconds)."""
    if proxies and forwarded:
        # django-ipware counts the proxies listed after the client; the last of ours is the peer
        # (REMOTE_ADDR) and not in the header. Not strict: a chain longer than ours (what the
        # client sent itself, on the left) is expected, and only its right end is read.
        found, _routable = get_client_ip(
            SimpleNamespace(META={"HTTP_X_FORWARDED_FOR": forwarded}), proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False,
        )
        if found is not None:
            return found
    try:
        return str(ipaddress.ip_address(remote.strip()))
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

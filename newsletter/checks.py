"""Catch a deployment whose emails would carry links that mail clients distrust or that point elsewhere.

Every link in the store's emails starts from settings.SITE_URL (shop/links.py); newsletter emails
are the ones mailbox providers judge hardest (one-click unsubscribe), hence the checks here.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host


@checks.register(checks.Tags.security, deploy=False)
def check_site_url(app_configs, **kwargs):
    url = urlsplit(settings.SITE_URL)
    problems = []
    if not settings.DEBUG and url.scheme != "https":
        # RFC 8058: mailbox providers only honour one-click unsubscribe over https.
        problems.append(
            checks.Error(
                f"SITE_URL is {settings.SITE_URL!r}; links in emails must use https.",
                hint="Set SITE_URL=https://<the store's domain>.",
                id="newsletter.E001",
            )
        )
    if not settings.DEBUG and not validate_host(url.hostname or "", settings.ALLOWED_HOSTS):
        problems.append(
            checks.Warning(
                f"SITE_URL points at {url.hostname!r}, which is not in ALLOWED_HOSTS.",
                hint="Links in emails would lead to another site: add the host to ALLOWED_HOSTS or fix SITE_URL.",
                id="newsletter.W001",
            )
        )
    return problems


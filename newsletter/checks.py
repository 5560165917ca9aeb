"""Catch a deployment whose emails would carry links that mail clients distrust or that point elsewhere."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host


@checks.register(checks.Tags.security, deploy=False)
def check_base_url(app_configs, **kwargs):
    url = urlsplit(settings.NEWSLETTER_BASE_URL)
    problems = []
    if not settings.DEBUG and url.scheme != "https":
        # RFC 8058: mailbox providers only honour one-click unsubscribe over https.
        problems.append(
            checks.Error(
                f"NEWSLETTER_BASE_URL is {settings.NEWSLETTER_BASE_URL!r}; links in emails must use https.",
                hint="Set NEWSLETTER_BASE_URL=https://<the store's domain>.",
                id="newsletter.E001",
            )
        )
    if not settings.DEBUG and not validate_host(url.hostname or "", settings.ALLOWED_HOSTS):
        problems.append(
            checks.Warning(
                f"NEWSLETTER_BASE_URL points at {url.hostname!r}, which is not in ALLOWED_HOSTS.",
                hint="Links in newsletter emails would lead to another site.",
                id="newsletter.W001",
            )
        )
    return problems

"""The store's public address, settings.SITE_URL, and the absolute links built from it.

Links that leave the site (order, newsletter and comment emails) start from SITE_URL, never from
a request's Host header: a forged Host would otherwise put another domain into our emails. The
Site's domain (django.contrib.sites, Oscar's emails) is SITE_URL's host too; setup_store writes it.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """SITE_URL + path, e.g. absolute_url(reverse("home")); path must start with "/"."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url() takes a path that starts with '/', not {path!r}")
    return settings.SITE_URL.rstrip("/") + path


def site_domain() -> str:
    """SITE_URL's host and port (no scheme): what the Site's domain must be."""
    return urlsplit(settings.SITE_URL).netloc

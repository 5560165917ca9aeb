"""A version number for all content, bumped whenever staff change any of it.

Pages cache what rarely changes (rendered body, references, videos, related articles) under
keys that include this version, so an edit is visible on the next request and nothing needs
to know which cached pieces an edit touched. Live data (price, stock) is never cached here.
"""

import time

from django.core.cache import cache

VERSION_KEY = "content_pages:version"
TIMEOUT = 60 * 60
SCHEDULE_GRANULARITY = 300  # seconds


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.set(VERSION_KEY, version, None)
    return version


def bump_content_version(**kwargs):
    cache.set(VERSION_KEY, time.time_ns(), None)


def cached(name, build):
    """Return build() cached under name for the current content version.

    Scheduled articles go live without any edit, so keys also turn over every five minutes.
    """
    key = f"content_pages:{content_version()}:{int(time.time() // SCHEDULE_GRANULARITY)}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value

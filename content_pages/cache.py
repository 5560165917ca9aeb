"""A version number for all content, bumped whenever staff change any of it, and the tags a
cached piece was built from.

Pages cache what rarely changes (rendered body, references, videos, related articles) under
keys that include this version, so an edit is visible on the next request and nothing needs
to know which cached pieces an edit touched. Live data (price, stock) is never cached here.

Tags: a project that caches whole pages needs to know what each page was built from, so that
an edit makes stale only the pages that show it. Whatever is rendered inside ``recording()``
can say so with ``used("article:3", ...)`` (any strings: the app gives them no meaning). A
piece served by ``cached()`` replays the tags recorded while it was built, so an outer
recording hears them on a cache hit too, when no query runs. Recordings nest: an inner one's
tags also go to the one around it. Nothing is recorded when no recording is open, and the app
works the same without anyone listening.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

VERSION_KEY = "content_pages:version"
TIMEOUT = 60 * 60
SCHEDULE_GRANULARITY = 300  # seconds

_recording = ContextVar("content_pages_recording", default=None)


def used(*tags):
    """Tell the open recording, if any, that what is being rendered was built from these tags."""
    found = _recording.get()
    if found is not None:
        found.update(tags)


def recording_now():
    """Whether a recording is open (so a caller can skip working out tags nobody hears)."""
    return _recording.get() is not None


@contextmanager
def recording():
    """Collect the tags used inside the block into the set it yields."""
    tags = set()
    token = _recording.set(tags)
    try:
        yield tags
    finally:
        _recording.reset(token)
        used(*tags)  # the recording around this one, if any, hears them too


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.set(VERSION_KEY, version, None)
    return version


def bump_content_version(**kwargs):
    cache.set(VERSION_KEY, time.time_ns(), None)


def schedule_bucket():
    """The current five-minute schedule bucket. What is cached by it (these content pieces, rendered
    fragments, whole pages) turns over when it does, so scheduled articles go live on time; tests
    that must not see it turn pin this one function."""
    return int(time.time() // SCHEDULE_GRANULARITY)


def cached(name, build):
    """Return build() cached under name for the current content version.

    Scheduled articles go live without any edit, so keys also turn over every five minutes.
    The tags used while building are stored with the value and replayed on every hit.
    """
    key = f"content_pages:{content_version()}:{schedule_bucket()}:{name}"
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], frozenset):
        value, tags = found
        used(*tags)
        return value
    with recording() as tags:
        value = build()
    cache.set(key, (value, frozenset(tags)), TIMEOUT)
    return value

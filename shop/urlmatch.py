"""Paths resolved once per worker.

Resolving a path walks the URL patterns in order, through Oscar's nested includes: about 0.1 ms
for a product page, a tenth of what a cached page costs to serve. The patterns are fixed once the
process has started, so a path that resolved once resolves the same way again. A PathMatcher keeps
the last `size` successful matches, per URLconf (a path that does not resolve is never kept, so
probing for pages fills nothing), and hands each caller its own copy of the match and its kwargs.
Used by the WSGI handler (shop/wsgi.py) and the page cache's front door (shop/pagecache.py).
"""

from functools import lru_cache

from django.conf import settings
from django.urls import ResolverMatch, get_resolver

RESOLVED_PATHS = 2048


class PathMatcher:
    def __init__(self, size=RESOLVED_PATHS):
        self.known = lru_cache(maxsize=size)(lambda urlconf, path: get_resolver(urlconf).resolve(path))

    def __call__(self, path, urlconf=None):
        """A new ResolverMatch for path (Resolver404 when it does not resolve), in urlconf or, by
        default, settings.ROOT_URLCONF as it is now (a test may override it)."""
        known = self.known(urlconf or settings.ROOT_URLCONF, path)
        match = ResolverMatch.__new__(ResolverMatch)  # a copy (ResolverMatch refuses copy.copy)
        match.__dict__.update(known.__dict__)
        match.kwargs = dict(known.kwargs)
        match.captured_kwargs = dict(known.captured_kwargs or {})
        match.extra_kwargs = dict(known.extra_kwargs or {})
        return match

    def cache_info(self):
        return self.known.cache_info()

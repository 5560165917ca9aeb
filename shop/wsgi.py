"""The WSGI application: Django's handler, with each worker remembering where its URLs lead.

Resolving a path walks the URL patterns in order, through Oscar's nested includes: about 0.1 ms
for a product page, a tenth of what a cached page costs to serve. The patterns are fixed once the
process has started, so a path that resolved once resolves the same way again; each worker keeps
the last RESOLVED_PATHS successful matches (a path that does not resolve is never kept, so probing
for pages fills nothing). Each request gets its own copy of the match and of its kwargs.
"""

import os
from functools import lru_cache

import django
from django.core.handlers.wsgi import WSGIHandler
from django.urls import ResolverMatch, get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

RESOLVED_PATHS = 2048


class StoreWSGIHandler(WSGIHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._resolve = lru_cache(maxsize=RESOLVED_PATHS)(lambda path: get_resolver().resolve(path))

    def resolve_request(self, request):
        if hasattr(request, "urlconf"):  # set by a middleware: that URLconf, as Django does it
            return super().resolve_request(request)
        known = self._resolve(request.path_info)
        match = ResolverMatch.__new__(ResolverMatch)  # a copy (ResolverMatch refuses copy.copy)
        match.__dict__.update(known.__dict__)
        match.kwargs = dict(known.kwargs)
        match.captured_kwargs = dict(known.captured_kwargs or {})
        match.extra_kwargs = dict(known.extra_kwargs or {})
        request.resolver_match = match
        return match


def get_application():
    django.setup(set_prefix=False)
    return StoreWSGIHandler()


application = get_application()

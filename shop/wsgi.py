"""The WSGI application: Django's handler, with each worker remembering where its URLs lead
(shop/urlmatch.py)."""

import os

import django
from django.core.handlers.wsgi import WSGIHandler

from shop.urlmatch import PathMatcher

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")


class StoreWSGIHandler(WSGIHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._resolve = PathMatcher()

    def resolve_request(self, request):
        if hasattr(request, "urlconf"):  # set by a middleware: that URLconf, as Django does it
            return super().resolve_request(request)
        match = self._resolve(request.path_info)
        request.resolver_match = match
        return match


def get_application():
    django.setup(set_prefix=False)
    return StoreWSGIHandler()


application = get_application()

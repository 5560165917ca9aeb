"""The store's search: Oscar's search app, forked, answering from the database.

Installed in place of oscar.apps.search (same label "search", same URL name search:search), so
Oscar's catalogue views, which it takes from this app (get_class("search.views", ...)), browse the
database too. Nothing here reads Haystack: Oscar's own search modules still import it when Oscar
loads its catalogue views, which is why the package stays installed (requirements.txt).
"""

from django.urls import path
from oscar.apps.search.apps import SearchConfig as OscarSearchConfig
from oscar.core.loading import get_class


class SearchConfig(OscarSearchConfig):
    name = "search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers

        receivers.connect()
        self.search_view = get_class("search.views", "SearchView")

    def get_urls(self):
        return self.post_process_urls([path("", self.search_view.as_view(), name="search")])

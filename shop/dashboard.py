"""The base of the project's own sections of Oscar's dashboard: Subscribers (newsletter) and
Comments (article_comments). content_pages keeps its own, since it imports nothing of the project.

An Oscar dashboard app rather than plain views: Oscar's dashboard menu checks each link against
the app's permissions_map and hides what a member of staff may not open, and every view gets the
same login and permission decorator.
"""

from django.urls import path
from django.utils.module_loading import import_string
from oscar.core.application import OscarDashboardConfig


class StoreDashboardConfig(OscarDashboardConfig):
    """A subclass names its app (name, label, namespace, verbose_name) and lists its `pages`:
    (route, view class in <name>.views, URL name, the permissions it needs besides is_staff)."""

    default_permissions = ["is_staff"]
    pages = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.permissions_map = {url_name: ["is_staff", *needs] for _route, _view, url_name, needs in cls.pages}

    def get_urls(self):
        urls = [
            path(route, import_string(f"{self.name}.views.{view}").as_view(), name=url_name)
            for route, view, url_name, _needs in self.pages
        ]
        return self.post_process_urls(urls)

from django.urls import path
from oscar.core.application import OscarDashboardConfig


class NewsletterDashboardConfig(OscarDashboardConfig):
    """The "Subscribers" section of Oscar's dashboard.

    An Oscar dashboard app (not plain views) so the dashboard menu checks the link's permission the
    way it does for Oscar's own sections, and every view gets the same login/permission decorator.
    """

    name = "newsletter.dashboard"
    label = "newsletter_dashboard"
    namespace = "newsletter-dashboard"
    verbose_name = "Newsletter dashboard"
    default_permissions = ["is_staff"]
    permissions_map = {
        "subscriber-list": ["is_staff", "newsletter.view_subscriber"],
        "subscriber-export": ["is_staff", "newsletter.view_subscriber"],
        "subscriber-unsubscribe": ["is_staff", "newsletter.view_subscriber", "newsletter.change_subscriber"],
    }

    def ready(self):
        from . import views

        self.views = views

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.SubscriberListView.as_view(), name="subscriber-list"),
            path("export.csv", v.SubscriberExportView.as_view(), name="subscriber-export"),
            path("<int:pk>/unsubscribe/", v.SubscriberUnsubscribeView.as_view(), name="subscriber-unsubscribe"),
        ]
        return self.post_process_urls(urls)

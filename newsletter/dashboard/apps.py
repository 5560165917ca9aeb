from shop.dashboard import StoreDashboardConfig

VIEW, CHANGE = "newsletter.view_subscriber", "newsletter.change_subscriber"


class NewsletterDashboardConfig(StoreDashboardConfig):
    """The "Subscribers" section of Oscar's dashboard."""

    name = "newsletter.dashboard"
    label = "newsletter_dashboard"
    namespace = "newsletter-dashboard"
    verbose_name = "Newsletter dashboard"
    pages = (
        ("", "SubscriberListView", "subscriber-list", [VIEW]),
        ("export.csv", "SubscriberExportView", "subscriber-export", [VIEW]),
        ("<int:pk>/unsubscribe/", "SubscriberUnsubscribeView", "subscriber-unsubscribe", [VIEW, CHANGE]),
    )

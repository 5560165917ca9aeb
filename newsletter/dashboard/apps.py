from shop.dashboard import StoreDashboardConfig

VIEW, CHANGE = "newsletter.view_subscriber", "newsletter.change_subscriber"
VIEW_CAMPAIGN, ADD_CAMPAIGN = "newsletter.view_campaign", "newsletter.add_campaign"
CHANGE_CAMPAIGN, DELETE_CAMPAIGN = "newsletter.change_campaign", "newsletter.delete_campaign"
SEND = "newsletter.send_campaign"
VIEW_SUPPRESSION, ADD_SUPPRESSION = "newsletter.view_suppression", "newsletter.add_suppression"
DELETE_SUPPRESSION = "newsletter.delete_suppression"
VIEW_REMINDER = "newsletter.view_checkoutreminder"


class NewsletterDashboardConfig(StoreDashboardConfig):
    """The "Subscribers" section of Oscar's dashboard: the list, campaigns, suppressed addresses,
    checkout reminders."""

    name = "newsletter.dashboard"
    label = "newsletter_dashboard"
    namespace = "newsletter-dashboard"
    verbose_name = "Newsletter dashboard"
    pages = (
        ("", "SubscriberListView", "subscriber-list", [VIEW]),
        ("export.csv", "SubscriberExportView", "subscriber-export", [VIEW]),
        ("<int:pk>/unsubscribe/", "SubscriberUnsubscribeView", "subscriber-unsubscribe", [VIEW, CHANGE]),
        ("campaigns/", "CampaignListView", "campaign-list", [VIEW_CAMPAIGN]),
        ("campaigns/new/", "CampaignCreateView", "campaign-create", [ADD_CAMPAIGN]),
        ("campaigns/<int:pk>/", "CampaignDetailView", "campaign-detail", [VIEW_CAMPAIGN]),
        ("campaigns/<int:pk>/edit/", "CampaignUpdateView", "campaign-update", [CHANGE_CAMPAIGN]),
        ("campaigns/<int:pk>/preview/", "CampaignPreviewView", "campaign-preview", [VIEW_CAMPAIGN]),
        ("campaigns/<int:pk>/preview.html", "CampaignPreviewHTMLView", "campaign-preview-html", [VIEW_CAMPAIGN]),
        ("campaigns/<int:pk>/test/", "CampaignTestSendView", "campaign-test", [VIEW_CAMPAIGN, SEND]),
        ("campaigns/<int:pk>/delete/", "CampaignDeleteView", "campaign-delete", [DELETE_CAMPAIGN]),
        ("campaigns/<int:pk>/<slug:action>/", "CampaignActionView", "campaign-action", [VIEW_CAMPAIGN, SEND]),
        ("suppressed/", "SuppressionListView", "suppression-list", [VIEW_SUPPRESSION]),
        ("suppressed/add/", "SuppressionAddView", "suppression-add", [ADD_SUPPRESSION]),
        ("suppressed/<int:pk>/delete/", "SuppressionDeleteView", "suppression-delete", [DELETE_SUPPRESSION]),
        ("reminders/", "ReminderListView", "reminder-list", [VIEW_REMINDER]),
    )

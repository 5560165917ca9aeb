from shop.dashboard import StoreDashboardConfig

VIEW, CHANGE = "support.view_policypage", "support.change_policypage"


class SupportDashboardConfig(StoreDashboardConfig):
    """Content > Store pages: the words of the shipping, returns, FAQ, about and contact pages."""

    name = "support.dashboard"
    label = "support_dashboard"
    namespace = "support-dashboard"
    verbose_name = "Store pages dashboard"
    pages = (
        ("", "PageListView", "store-page-list", [VIEW]),
        ("<slug:slug>/", "PageEditView", "store-page-edit", [VIEW, CHANGE]),
    )

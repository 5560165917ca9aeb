from shop.dashboard import StoreDashboardConfig

VIEW, ADD, CHANGE, DELETE = "tax.view_staterate", "tax.add_staterate", "tax.change_staterate", "tax.delete_staterate"
ORDERS = "order.view_order"


class TaxDashboardConfig(StoreDashboardConfig):
    """The "Sales tax" section of Oscar's dashboard: the rate table and the report."""

    name = "tax.dashboard"
    label = "tax_dashboard"
    namespace = "tax-dashboard"
    verbose_name = "Sales tax dashboard"
    pages = (
        ("rates/", "RateListView", "rate-list", [VIEW]),
        ("rates/add/", "RateCreateView", "rate-add", [VIEW, ADD]),
        ("rates/<str:state>/", "RateUpdateView", "rate-edit", [VIEW, CHANGE]),
        ("rates/<str:state>/delete/", "RateDeleteView", "rate-delete", [VIEW, DELETE]),
        ("report/", "ReportView", "report", [ORDERS]),
        ("report.csv", "ReportCsvView", "report-csv", [ORDERS]),
    )

from django.urls import path
from oscar.core.application import OscarDashboardConfig


class PaymentsDashboardConfig(OscarDashboardConfig):
    """Fulfilment > Payments needing attention: what the sweep could not finish by itself, money
    refunded without an order, and open chargebacks."""

    name = "checkout.dashboard"
    label = "checkout_dashboard"
    namespace = "payments-dashboard"
    verbose_name = "Payments dashboard"
    default_permissions = ["is_staff"]
    permissions_map = {"attention": ["is_staff", "order.view_order"]}

    def ready(self):
        from . import views

        self.views = views

    def get_urls(self):
        return self.post_process_urls([path("", self.views.PaymentAttentionView.as_view(), name="attention")])

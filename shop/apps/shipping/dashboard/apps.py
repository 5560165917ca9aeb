import oscar.apps.dashboard.shipping.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class ShippingDashboardConfig(apps.ShippingDashboardConfig):
    """Fulfilment > Shipping charges: the methods checkout offers (order-and-item charges), each
    with its name, delivery time, price and free-shipping threshold.

    It takes the place of Oscar's shipping dashboard app in INSTALLED_APPS (same label and URL
    names), whose pages listed weight-based methods this store never offers.
    """

    name = "shop.apps.shipping.dashboard"

    def configure_permissions(self):
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        model = "orderanditemcharges"
        self.permissions_map = {
            "shipping-method-list": DashboardPermission.get("shipping", f"view_{model}"),
            "shipping-method-create": DashboardPermission.get("shipping", f"view_{model}", f"add_{model}"),
            "shipping-method-edit": DashboardPermission.get("shipping", f"view_{model}", f"change_{model}"),
            "shipping-method-delete": DashboardPermission.get("shipping", f"view_{model}", f"delete_{model}"),
        }

    def ready(self):
        from shop.apps.shipping.dashboard import views

        self.views = views
        self.configure_permissions()

    def get_urls(self):
        return self.post_process_urls(
            [
                path("", self.views.MethodListView.as_view(), name="shipping-method-list"),
                path("create/", self.views.MethodCreateView.as_view(), name="shipping-method-create"),
                path("<int:pk>/", self.views.MethodUpdateView.as_view(), name="shipping-method-edit"),
                path("<int:pk>/delete/", self.views.MethodDeleteView.as_view(), name="shipping-method-delete"),
            ]
        )

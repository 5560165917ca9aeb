import oscar.apps.dashboard.orders.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    """Oscar's order pages (Fulfilment > Orders) with shipping, statuses and returns, plus the day's
    shipping pages: orders to ship, shipping several at once, packing slips, the CSV upload.

    It takes the place of Oscar's orders dashboard app in INSTALLED_APPS (same label), so every
    `dashboard:order-*` URL name and Oscar's menu permissions keep working.
    """

    name = "fulfilment.dashboard"

    def ready(self):
        super().ready()
        from fulfilment.dashboard import views

        self.order_list_view = views.OrderListView
        self.order_detail_view = views.OrderDetailView
        self.views = views

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        view = DashboardPermission.get("order", "view_order")
        change = DashboardPermission.get("order", "view_order", "change_order")
        self.permissions_map.update(
            {
                "order-to-ship": view,
                "order-packing-slips": view,
                "order-packing-slip": view,
                "order-ship-selected": change,
                "order-tracking-upload": change,
            }
        )

    def get_urls(self):
        # Before Oscar's "<number>/" so that "to-ship/" is never read as an order number.
        ours = [
            path("to-ship/", self.views.OrdersToShipView.as_view(), name="order-to-ship"),
            path("ship/", self.views.ShipOrdersView.as_view(), name="order-ship-selected"),
            path("tracking-upload/", self.views.TrackingUploadView.as_view(), name="order-tracking-upload"),
            path("packing-slips/", self.views.PackingSlipsView.as_view(), name="order-packing-slips"),
            path("<str:number>/packing-slip/", self.views.PackingSlipsView.as_view(), name="order-packing-slip"),
        ]
        return self.post_process_urls(ours) + super().get_urls()

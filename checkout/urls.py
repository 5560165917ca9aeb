from django.urls import path

from checkout import webhooks
from checkout.dashboard import views as dashboard

# Paying, outside Oscar's /checkout/ pages: Stripe's webhook (its URL is set in Stripe's
# dashboard, so it keeps its path) and refunds from an order's dashboard page.
app_name = "payments"

urlpatterns = [
    path("payments/stripe/webhook/", webhooks.stripe_webhook, name="stripe-webhook"),
    path("dashboard/orders/<str:number>/refund/", dashboard.OrderRefundView.as_view(), name="order-refund"),
]

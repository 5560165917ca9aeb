from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("dashboard/orders/<str:number>/refund/", views.OrderRefundView.as_view(), name="order-refund"),
]

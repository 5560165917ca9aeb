from django.urls import path
from oscar.apps.checkout import apps
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout, forked, and everything about paying for it: the payment page and its
    views, the Stripe gateway, placing the order, the webhook and refunds (checkout/README.md)."""

    name = "checkout"
    verbose_name = "Checkout and payments"
    # The payment rows (CheckoutPayment, WebhookEvent) were created with 64-bit ids.
    default_auto_field = "django.db.models.BigAutoField"

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        super().ready()
        self.payment_prepare_view = get_class("checkout.views", "PaymentPrepareView")
        self.payment_demo_view = get_class("checkout.views", "DemoPaymentView")
        self.payment_demo_decline_view = get_class("checkout.views", "DemoDeclineView")
        self.payment_return_view = get_class("checkout.views", "PaymentReturnView")
        self.payment_cancel_view = get_class("checkout.views", "PaymentCancelView")

    def get_urls(self):
        urls = [
            path("payment/prepare/", self.payment_prepare_view.as_view(), name="payment-prepare"),
            path("payment/demo/", self.payment_demo_view.as_view(), name="payment-demo"),
            path("payment/demo/decline/", self.payment_demo_decline_view.as_view(), name="payment-demo-decline"),
            path("payment/return/", self.payment_return_view.as_view(), name="payment-return"),
            path("payment/cancel/", self.payment_cancel_view.as_view(), name="payment-cancel"),
        ]
        return super().get_urls() + self.post_process_urls(urls)

"""The checkout's own rows. Oscar's checkout has no models; these are the payment's.

The tables were created by the former `payments` app; checkout/migrations/0001 renames them
where they exist, so a database made before the move keeps its payments.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

# The code of Oscar's payment SourceType for card payments through Stripe.
STRIPE_SOURCE_CODE = "stripe"


class CheckoutPayment(models.Model):
    """One Stripe PaymentIntent (or demo payment) and everything needed to turn it into an order.

    Written when the payment page is shown, so either door (the shopper's return from Stripe
    or Stripe's webhook) can place the order later without the shopper's session. Both doors
    lock this row (select_for_update) before placing, which is what makes placement happen once.
    """

    PENDING, PLACED, REFUNDING, REFUNDED, CANCELED = "pending", "placed", "refunding", "refunded", "canceled"
    STATUS_CHOICES = [
        (PENDING, "Waiting for payment"),
        (PLACED, "Order placed"),
        # Committed before Stripe is asked, so a crash leaves a row the sweep finishes.
        (REFUNDING, "Paid, being refunded without an order"),
        (REFUNDED, "Paid, then refunded without an order"),
        (CANCELED, "Canceled at Stripe, nothing charged"),
    ]
    OUT_OF_STOCK, AMOUNT_MISMATCH, DUPLICATE = "out_of_stock", "amount_mismatch", "duplicate"
    REFUNDED_AT_STRIPE = "refunded_at_stripe"
    UNPLACED_CHOICES = [
        (OUT_OF_STOCK, "Stock ran out between payment and placement"),
        (AMOUNT_MISMATCH, "The amount paid differs from the basket total"),
        (DUPLICATE, "The basket had already been ordered with another payment"),
        (REFUNDED_AT_STRIPE, "Refunded in Stripe's dashboard before an order was placed"),
    ]

    intent_id = models.CharField(
        "PaymentIntent id", max_length=255, unique=True, help_text="Stripe's pi_… id, or demo_… in demo mode."
    )
    basket = models.ForeignKey("basket.Basket", on_delete=models.PROTECT, related_name="checkout_payments")
    order_number = models.CharField(max_length=128)
    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="checkout_payment"
    )
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The total the server computed; the PaymentIntent is for this."
    )
    currency = models.CharField(max_length=3, help_text="ISO code in Stripe's lower case, e.g. usd.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    email = models.EmailField()
    shipping_address = models.JSONField(help_text="Fields of the order's ShippingAddress.")
    billing_address = models.JSONField(null=True, blank=True)
    shipping_method_code = models.CharField(max_length=128)
    shipping_charge_excl_tax = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_charge_incl_tax = models.DecimalField(max_digits=12, decimal_places=2)
    newsletter_opt_in = models.BooleanField(default=False)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=PENDING)
    unplaced_reason = models.CharField(max_length=20, choices=UNPLACED_CHOICES, blank=True)
    refund_id = models.CharField(max_length=255, blank=True, help_text="The automatic refund when no order was placed.")
    refund_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="What is (being) refunded without an order."
    )
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Stripe's message for the last failed attempt.")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created"]
        indexes = [models.Index(fields=["status", "date_updated"], name="checkout_payment_sweep")]

    def __str__(self):
        return f"{self.intent_id} ({self.get_status_display()})"

    @property
    def amount_cents(self):
        return to_cents(self.amount)

    @property
    def currency_code(self):
        """Oscar's spelling of the currency (USD), for its templates and filters."""
        return self.currency.upper()

    @property
    def is_demo(self):
        from checkout import stripe_gateway

        return stripe_gateway.is_demo_id(self.intent_id)


class PaymentDispute(models.Model):
    """A chargeback a customer's bank opened on a payment (charge.dispute.* webhooks)."""

    payment = models.ForeignKey(CheckoutPayment, on_delete=models.PROTECT, related_name="disputes")
    dispute_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=50, help_text="Stripe's status: needs_response, under_review, won, lost…")
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    CLOSED_STATUSES = ("won", "lost", "warning_closed")

    class Meta:
        ordering = ["-date_created"]

    def __str__(self):
        return f"{self.dispute_id} ({self.status})"

    @property
    def is_open(self):
        return self.status not in self.CLOSED_STATUSES


class WebhookEvent(models.Model):
    """A Stripe event we have processed. The unique id makes a repeated delivery a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    date_received = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_received"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


def to_cents(amount):
    return int((Decimal(amount) * 100).to_integral_value())


def from_cents(cents):
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))

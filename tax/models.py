"""Sales-tax rates staff keep, and what each order was charged.

Rates are percentages with up to four decimals (8.875 means 8.875 %). An order copies the rate it
was charged into OrderTax and OrderLineTax when it is placed, so changing a rate later changes the
next checkout and never an order's record.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from tax.states import CHOICES, state_name

RATE_FIELD = {
    "max_digits": 7,
    "decimal_places": 4,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}
zip_prefix_validator = RegexValidator(r"^\d{1,5}$", "A ZIP prefix is 1 to 5 digits, e.g. 100 or 10001.")


class StateRate(models.Model):
    """Whether the store collects sales tax in a state, and at what rate. A state with no row,
    or with `collects` off, is charged no tax."""

    state = models.CharField(max_length=2, unique=True, choices=CHOICES)
    collects = models.BooleanField(
        "collects sales tax", default=True, help_text="Off where the store has no nexus: orders there pay no tax."
    )
    rate = models.DecimalField(
        "state rate (%)",
        **RATE_FIELD,
        help_text="Percent, up to 4 decimals: 4 or 7.25. ZIP prefixes below can set a combined local rate.",
    )
    shipping_taxable = models.BooleanField(
        "shipping is taxable", default=False, help_text="Whether the shipping charge is taxed at the same rate."
    )
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state"]
        verbose_name = "state sales-tax rate"

    def __str__(self):
        return f"{state_name(self.state)} ({self.state})"

    @property
    def name(self):
        return state_name(self.state)


class LocalRate(models.Model):
    """A combined state and local rate for the ZIP codes that start with `zip_prefix`. The longest
    matching prefix wins over shorter ones and over the state rate."""

    state_rate = models.ForeignKey(StateRate, on_delete=models.CASCADE, related_name="local_rates")
    zip_prefix = models.CharField("ZIP prefix", max_length=5, validators=[zip_prefix_validator])
    name = models.CharField("area", max_length=64, blank=True, help_text="Shown to shoppers, e.g. New York City.")
    rate = models.DecimalField("combined rate (%)", **RATE_FIELD)

    class Meta:
        ordering = ["zip_prefix"]
        constraints = [models.UniqueConstraint(fields=["state_rate", "zip_prefix"], name="tax_one_rate_per_zip_prefix")]

    def __str__(self):
        return f"{self.zip_prefix} {self.name}".strip()


class RateChange(models.Model):
    """What a member of staff changed in the rate table, and when: the table's own history."""

    state = models.CharField(max_length=2)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    summary = models.TextField()
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created", "-pk"]

    def __str__(self):
        return f"{self.state}: {self.summary}"


class OrderTax(models.Model):
    """The sales tax an order was charged, as it was decided at checkout (rates copied, not linked).
    Oscar's order and line prices hold the same amounts (incl. minus excl. tax)."""

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="sales_tax")
    backend = models.CharField(max_length=100, help_text="What decided the tax: the rate table or a tax service.")
    collected = models.BooleanField(help_text="False when no tax applies: the note says why.")
    country = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Empty when the address names no US state.")
    state_as_given = models.CharField(max_length=255, blank=True)
    postcode = models.CharField(max_length=64, blank=True)
    jurisdiction = models.CharField(max_length=128, blank=True, help_text="e.g. New York City, NY")
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    shipping_taxable = models.BooleanField(default=False)
    taxable_amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Lines and shipping taxed.")
    lines_tax = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_tax = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=255, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "order sales tax"
        verbose_name_plural = "order sales tax"

    def __str__(self):
        return f"{self.order_id}: {self.total}"

    @property
    def total(self):
        return self.lines_tax + self.shipping_tax


class OrderLineTax(models.Model):
    """The tax on one order line: its price after discounts, the rate and the tax, rounded half up."""

    order_tax = models.ForeignKey(OrderTax, on_delete=models.CASCADE, related_name="lines")
    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="sales_tax")
    taxable_amount = models.DecimalField(max_digits=12, decimal_places=2)
    rate = models.DecimalField(max_digits=7, decimal_places=4)
    tax = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["line_id"]

    def __str__(self):
        return f"{self.line_id}: {self.tax}"


class RefundTax(models.Model):
    """The share of sales tax in one refund of an order (its Stripe refund id as reference)."""

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="sales_tax_refunds")
    reference = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="The whole refund.")
    tax = models.DecimalField(max_digits=12, decimal_places=2, help_text="Of which sales tax.")
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_created", "pk"]

    def __str__(self):
        return f"{self.reference}: {self.tax} of {self.amount}"

"""What Oscar's order models do not hold: the carrier and tracking number of a parcel.

The parcel leaving is recorded as Oscar's own ShippingEvent ("Shipped", with the lines and
quantities) so Oscar's order pages, reports and shipping status know of it; a Shipment sits beside
that event with the carrier and tracking number in fields of their own, so links and emails never
have to parse a free-text note.
"""

from django.conf import settings
from django.db import models

from fulfilment.carriers import Carrier, carrier_label, tracking_url


class Shipment(models.Model):
    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="shipments")
    event = models.OneToOneField("order.ShippingEvent", on_delete=models.CASCADE, related_name="shipment")
    carrier = models.CharField(max_length=10, choices=Carrier.choices)
    carrier_name = models.CharField(
        max_length=40, blank=True, help_text="The carrier's name when it is not USPS, UPS or FedEx."
    )
    tracking_number = models.CharField(max_length=34, help_text="Letters and digits, as the carrier prints it.")
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["date_created", "pk"]

    def __str__(self):
        return f"{self.order.number}: {self.carrier_display} {self.tracking_number}"

    @property
    def carrier_display(self):
        return carrier_label(self.carrier, self.carrier_name)

    @property
    def tracking_url(self):
        return tracking_url(self.carrier, self.tracking_number)

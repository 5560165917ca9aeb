from django.db import models
from oscar.apps.shipping.abstract_models import AbstractOrderAndItemCharges


class OrderAndItemCharges(AbstractOrderAndItemCharges):
    """The methods checkout offers (shop/apps/shipping/repository.py), edited by staff under
    Fulfilment > Shipping charges.

    `name` is what shoppers see at checkout and what the order records: the method's title with
    its delivery time, "Standard shipping (3-5 business days)". Staff edit the two apart (the
    dashboard form composes the name), so the promise made to shoppers is a field of its own.
    """

    delivery_time = models.CharField(
        max_length=40,
        blank=True,
        help_text="What shoppers are promised, e.g. \"3-5 business days\"; shown after the name at checkout.",
    )

    @property
    def title(self):
        """The name without its delivery time."""
        suffix = f" ({self.delivery_time})"
        if self.delivery_time and self.name.endswith(suffix):
            return self.name[: -len(suffix)]
        return self.name

    @staticmethod
    def compose_name(title, delivery_time):
        return f"{title} ({delivery_time})" if delivery_time else title


from oscar.apps.shipping.models import *  # noqa: E402

"""Back-in-stock alerts (Oscar's customer.alerts) go out when a stock record is saved, as Oscar's
own receiver (OSCAR_EAGER_ALERTS) sends them, except after an allocation: an order only lowers
the level on sale, so no alert can be due, and Oscar's check costs three queries in every order."""

from oscar.apps.customer.alerts import receivers as oscar_receivers


def send_product_alerts(sender, instance, created, **kwargs):
    if getattr(instance, "_stock_level_fell", False):
        return
    oscar_receivers.send_product_alerts(sender, instance, created, **kwargs)

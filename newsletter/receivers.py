"""The newsletter hears about orders through the checkout's signal; the checkout knows nothing
of the newsletter."""

import logging

from django.dispatch import receiver

from checkout.signals import order_paid
from newsletter import services

logger = logging.getLogger(__name__)


@receiver(order_paid, dispatch_uid="newsletter-subscribe-after-checkout")
def subscribe_after_checkout(sender, *, email, marketing_opt_in, client_ip, **kwargs):
    """The shopper ticked "send me the newsletter" on the payment page: ask them to confirm
    (double opt-in, as a footer sign-up). The order is placed and paid whatever happens here."""
    if not marketing_opt_in:
        return
    try:
        services.request_subscription(email, source="checkout", ip=client_ip)
    except Exception:
        logger.exception("Could not subscribe %s to the newsletter after checkout", email)

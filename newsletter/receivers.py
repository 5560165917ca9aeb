"""The newsletter hears about orders through the checkout's signal; the checkout knows nothing
of the newsletter."""

import logging

from django.dispatch import receiver

from checkout.signals import order_paid
from newsletter import reminders, services

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


@receiver(order_paid, dispatch_uid="newsletter-credit-checkout-reminder")
def credit_checkout_reminder(sender, *, order, **kwargs):
    """An order from a reminded basket (or the one its link restored) counts as recovered."""
    try:
        reminders.record_order(order)
    except Exception:
        logger.exception("Could not credit order %s to a checkout reminder", order.number)

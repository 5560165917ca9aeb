"""What fulfilment hears of: refunds booked by the checkout, low-stock alerts opened by Oscar."""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from checkout.signals import order_refunded
from fulfilment import emails, services

logger = logging.getLogger(__name__)

StockAlert = get_model("partner", "StockAlert")


@receiver(order_refunded, dispatch_uid="fulfilment.order_refunded")
def release_stock_and_tell_customer(sender, order, amount, user=None, **kwargs):
    # A savepoint: if this fails, the refund (money that has left) is still booked, only the
    # order's status and stock are left for staff to put right; the error is logged loudly.
    try:
        with transaction.atomic():
            services.order_refunded(order, amount, user=user)
    except Exception:
        logger.exception("Order %s was refunded but its status and stock could not follow", order.number)


@receiver(post_save, sender=StockAlert, dispatch_uid="fulfilment.low_stock_email")
def email_staff_of_low_stock(sender, instance, created, raw=False, **kwargs):
    # Oscar opens one alert when available stock falls below the threshold and closes it when it
    # is back above: a new alert is the moment the threshold is crossed.
    if created and not raw:
        transaction.on_commit(partial(emails.send_low_stock_alert, instance.pk), robust=True)

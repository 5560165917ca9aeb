"""Emails after placement: the customer hears of each step, staff hear of low stock.

Customer emails are Oscar communication event types (codes below), so staff can change their
wording under Content > Email templates; setup_store creates them with the wording of the file
templates in fulfilment/templates/oscar/communication/emails/. Every function here runs after the
commit (on_commit) and logs its failure instead of raising: a mail problem never undoes a
shipment or a refund.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from checkout.emails import order_status_path
from shop.links import absolute_url

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
StockAlert = get_model("partner", "StockAlert")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

SHIPPED, DELIVERED, CANCELLED, REFUNDED = "ORDER_SHIPPED", "ORDER_DELIVERED", "ORDER_CANCELLED", "ORDER_REFUNDED"
# Code: the name staff see in the dashboard.
EVENT_TYPES = {
    SHIPPED: "Order shipped (with tracking)",
    DELIVERED: "Order delivered",
    CANCELLED: "Order cancelled",
    REFUNDED: "Order refunded",
}


def send_order_email(order_id, code, *, shipment_id=None, amount=None, in_full=None, reason=""):
    from fulfilment.models import Shipment

    try:
        order = Order.objects.select_related("user", "shipping_address").get(pk=order_id)
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "status_url": absolute_url(order_status_path(order)),
            "reason": reason,
        }
        if shipment_id is not None:
            context["shipment"] = Shipment.objects.get(pk=shipment_id)
        if amount is not None:
            context["amount"] = Decimal(amount)
            context["in_full"] = in_full
        dispatcher = OrderDispatcher(logger=logger)
        messages = dispatcher.dispatcher.get_messages(code, context)
        dispatcher.dispatch_order_messages(order, messages, code)
    except Exception:
        logger.exception("Could not send the %s email of order %s", code, order_id)


def send_low_stock_alert(alert_id):
    """A product's available stock fell below its low-stock threshold (Oscar opened an alert)."""
    if not settings.STORE_STAFF_EMAILS:
        return
    try:
        alert = StockAlert.objects.select_related("stockrecord__product").get(pk=alert_id)
        record = alert.stockrecord
        context = {
            "alert": alert,
            "record": record,
            "product": record.product,
            "available": record.net_stock_level,
            "product_url": absolute_url(reverse("dashboard:catalogue-product", kwargs={"pk": record.product_id})),
            "alerts_url": absolute_url(reverse("dashboard:stock-alert-list")),
        }
        subject = render_to_string("fulfilment/emails/staff_low_stock_subject.txt", context).strip()
        body = render_to_string("fulfilment/emails/staff_low_stock_body.txt", context)
        send_mail(subject, body, settings.OSCAR_FROM_EMAIL, settings.STORE_STAFF_EMAILS)
    except Exception:
        logger.exception("Could not send the low-stock email for alert %s", alert_id)

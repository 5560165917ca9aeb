"""Mail about orders and payments. Called after the database has committed (on_commit), so
a failing mail server can neither undo an order nor make anyone pay twice: every function
here logs its failure and returns."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from shop.links import absolute_url

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")


def order_status_path(order):
    if order.user_id:
        return reverse("customer:order", kwargs={"order_number": order.number})
    return reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})


def _order_for_emails(order_id):
    """The order with what its two emails show read once: the customer's and the staff's both list
    the lines, the address, the tax and how it was paid (13 queries down to 6, measured)."""
    return (
        Order.objects.select_related("user", "shipping_address__country", "sales_tax", "checkout_payment")
        .prefetch_related("lines", "surcharges", "sources")
        .get(pk=order_id)
    )


def queue_order_placed(order_id):
    """After the commit: the worker renders and sends the order's emails (checkout.tasks), so the
    request that placed the order (the shopper's, or Stripe's webhook) returns without rendering
    them, about a fifth of an order's CPU. If the queue cannot be reached they are rendered here."""
    from checkout.tasks import send_order_placed_emails

    try:
        send_order_placed_emails(order_id)
        return
    except Exception:
        logger.exception("Could not queue the emails of order %s; sending them in-process", order_id)
    send_order_placed(order_id)


def send_order_placed(order_id):
    order = _order_for_emails(order_id)
    try:
        path = order_status_path(order)
        context = {
            "user": order.user,
            "order": order,
            "lines": order.lines.all(),
            "status_path": path,
            "status_url": absolute_url(path),
        }
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
    except Exception:
        logger.exception("Order %s is placed but its confirmation email failed", order.number)
    _mail_staff(
        "checkout/emails/staff_order_placed",
        {"order": order, "dashboard_url": absolute_url(reverse("dashboard:order-detail", args=[order.number]))},
    )


def send_payment_refunded_without_order(payment_id):
    from checkout.models import CheckoutPayment

    payment = CheckoutPayment.objects.get(pk=payment_id)
    context = {"payment": payment, "shop_name": settings.OSCAR_SHOP_NAME}
    _mail_staff("checkout/emails/staff_refunded_without_order", context)
    try:
        subject = render_to_string("checkout/emails/refunded_without_order_subject.txt", context).strip()
        body = render_to_string("checkout/emails/refunded_without_order_body.txt", context)
        send_mail(subject, body, settings.OSCAR_FROM_EMAIL, [payment.email])
    except Exception:
        logger.exception("Could not tell %s that payment %s was refunded", payment.email, payment.intent_id)


def _mail_staff(template_prefix, context):
    if not settings.STORE_STAFF_EMAILS:
        return
    try:
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        body = render_to_string(f"{template_prefix}_body.txt", context)
        send_mail(subject, body, settings.OSCAR_FROM_EMAIL, settings.STORE_STAFF_EMAILS)
    except Exception:
        logger.exception("Could not send the staff email %s", template_prefix)


def send_dispute_notice(dispute_id, what):
    from checkout.models import PaymentDispute

    dispute = PaymentDispute.objects.select_related("payment__order").get(pk=dispute_id)
    order = dispute.payment.order
    context = {
        "dispute": dispute,
        "what": what,
        "payment": dispute.payment,
        "order": order,
        "dashboard_url": absolute_url(reverse("dashboard:order-detail", args=[order.number])) if order else "",
    }
    _mail_staff("checkout/emails/staff_dispute", context)

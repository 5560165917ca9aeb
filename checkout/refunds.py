"""Money going back: a payment refunded because it could not become an order, refunds staff make
from an order's dashboard page, and refunds made in Stripe's dashboard, each booked once."""

import logging
from functools import partial

from django.db import transaction
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import baskets, emails, stripe_gateway
from checkout.models import STRIPE_SOURCE_CODE, CheckoutPayment, from_cents, to_cents

logger = logging.getLogger(__name__)

OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Transaction = get_model("payment", "Transaction")


class RefundNotAllowed(Exception):
    pass


def refund_without_order(payment, intent, reason, detail):
    """Give the money back for a payment that cannot become the order it paid for. Called by
    placement with the payment row locked."""
    refund = stripe_gateway.create_refund(
        intent_id=payment.intent_id,
        amount_cents=intent["amount"],
        # One automatic refund per intent, however many times this runs.
        idempotency_key=f"qlclaw-unplaced-{payment.intent_id}",
        metadata={"reason": reason, "order_number": payment.order_number},
    )
    payment.status = CheckoutPayment.REFUNDED
    payment.unplaced_reason = reason
    payment.refund_id = refund["id"]
    payment.last_error = detail
    payment.save(update_fields=["status", "unplaced_reason", "refund_id", "last_error", "date_updated"])
    if reason != CheckoutPayment.DUPLICATE:
        # Let the shopper change the basket and try again.
        baskets.thaw(payment.basket_id)
    logger.warning("Refunded %s without an order (%s): %s", payment.intent_id, reason, detail)
    transaction.on_commit(partial(emails.send_payment_refunded_without_order, payment.pk), robust=True)
    return refund


def record_refunds_for_charge(charge):
    """Book, on the placed order, refunds made outside the store (in Stripe's dashboard)."""
    intent_id = charge.get("payment_intent")
    payment = CheckoutPayment.objects.filter(intent_id=intent_id).first() if intent_id else None
    if payment is None or payment.status != CheckoutPayment.PLACED:
        return 0
    listed = charge.get("refunds") or {}
    if listed.get("data") is not None and not listed.get("has_more"):
        refunds = listed["data"]
    else:
        # Since API version 2022-11-15 a charge no longer embeds its refunds: ask Stripe.
        refunds = stripe_gateway.list_refunds(intent_id)
    recorded = 0
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment.pk)
        for refund in refunds:
            recorded += _record_refund(payment, refund, by="Stripe's dashboard")
    return recorded


def refund_order(order, amount, *, user, token):
    """Refund part or all of an order through Stripe, from the Oscar dashboard.

    `token` comes from the form the staff member submitted: sending the same form twice reuses
    the idempotency key, so Stripe returns the first refund instead of making a second one.
    """
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(order=order).first()
        if payment is None:
            raise RefundNotAllowed("This order was not paid through the store's checkout.")
        source = stripe_source(order)
        available = source.amount_available_for_refund
        if amount <= 0 or amount > available:
            raise RefundNotAllowed(f"At most {format_currency(available, order.currency)} can be refunded.")
        refund = stripe_gateway.create_refund(
            intent_id=payment.intent_id,
            amount_cents=to_cents(amount),
            idempotency_key=f"qlclaw-refund-{payment.intent_id}-{token}",
            metadata={"order_number": order.number, "staff_user_id": str(user.pk)},
        )
        _record_refund(payment, refund, by=user.get_username(), user=user)
    return refund


def stripe_source(order):
    return order.sources.select_for_update().get(source_type__code=STRIPE_SOURCE_CODE)


def _record_refund(payment, refund, *, by, user=None):
    """Book one Stripe refund on the order once: a Transaction on the Stripe source, a payment
    event and a note. Returns 1 if it was new, 0 if already booked or not a real refund."""
    if refund.get("status") in ("failed", "canceled"):
        return 0
    if refund["id"] == payment.refund_id:
        return 0
    order = payment.order
    source = stripe_source(order)
    if source.transactions.filter(txn_type=Transaction.REFUND, reference=refund["id"]).exists():
        return 0
    amount = from_cents(refund["amount"])
    source.refund(amount, reference=refund["id"], status=refund.get("status", ""))
    event_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
    PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=refund["id"])
    OrderNote.objects.create(
        order=order,
        user=user,
        note_type=OrderNote.SYSTEM,
        message=f"Refunded {format_currency(amount, order.currency)} through Stripe ({refund['id']}), by {by}.",
    )
    return 1

"""Money going back: a payment refunded because it could not become an order, refunds staff make
from an order's dashboard page, and refunds made in Stripe's dashboard, each booked once."""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import baskets, emails, stripe_gateway
from checkout.models import STRIPE_SOURCE_CODE, CheckoutPayment, from_cents, to_cents
from checkout.signals import order_refunded
from tax import service as sales_tax

logger = logging.getLogger(__name__)

OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Transaction = get_model("payment", "Transaction")


# In the metadata of the refund of a payment that got no order: how a later sweep finds it.
UNPLACED_REFUND_PURPOSE = "no order placed"


class RefundNotAllowed(Exception):
    pass


def begin_refund_without_order(payment, *, reason, detail, amount_cents):
    """A paid payment cannot become the order it paid for: record that it is being refunded.

    Called with the payment row locked. Nothing is asked of Stripe here: the intention is
    committed first, then finish_refund_without_order() asks Stripe (after the commit) and
    records the result. A crash in between leaves a REFUNDING row that the sweep finishes, and
    placement never places a payment that is refunding or refunded.
    """
    payment.status = CheckoutPayment.REFUNDING
    payment.unplaced_reason = reason
    payment.last_error = detail
    payment.refund_amount = from_cents(amount_cents)
    payment.refund_requested_at = timezone.now()
    fields = ["status", "unplaced_reason", "last_error", "refund_amount", "refund_requested_at", "date_updated"]
    payment.save(update_fields=fields)
    if reason != CheckoutPayment.DUPLICATE:
        # Let the shopper change the basket and try again.
        baskets.thaw(payment.basket_id)
    logger.warning("Refunding %s without an order (%s): %s", payment.intent_id, reason, detail)
    transaction.on_commit(partial(finish_refund_without_order, payment.pk), robust=True)


def finish_refund_without_order(payment_id):
    """Ask Stripe for the refund recorded as an intention, then record it as done.

    Always the same idempotency key and the same parameters for a payment (the amount was fixed
    when the intention was recorded), so running this again, from the door that recorded the
    intention or from the sweep, returns the one refund Stripe made. Stripe unreachable: the row
    stays REFUNDING for the sweep. Returns the payment as it now is.
    """
    payment = CheckoutPayment.objects.get(pk=payment_id)
    if payment.status != CheckoutPayment.REFUNDING:
        return payment
    try:
        # Stripe keeps an idempotency key for 24 hours only, and a sweep may come later: a refund
        # this store already made for the payment is looked up first, then the key does the rest.
        refund = _refund_already_made(payment) or stripe_gateway.create_refund(
            intent_id=payment.intent_id,
            amount_cents=to_cents(payment.refund_amount),
            idempotency_key=f"qlclaw-unplaced-{payment.intent_id}",
            metadata={"purpose": UNPLACED_REFUND_PURPOSE, "order_number": payment.order_number},
        )
    except stripe_gateway.PaymentGatewayError as error:
        logger.warning("Refund of %s not done yet, the sweep will retry: %s", payment.intent_id, error)
        # Staff see why on the attention page; the reason stays in unplaced_reason.
        CheckoutPayment.objects.filter(pk=payment.pk, status=CheckoutPayment.REFUNDING).update(
            last_error=f"Stripe has not refunded yet ({error}); the sweep tries again.", date_updated=timezone.now()
        )
        return payment
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment_id)
        if payment.status != CheckoutPayment.REFUNDING:
            return payment
        if refund.get("status") in ("failed", "canceled"):
            payment.last_error = f"Stripe's refund {refund['id']} is {refund['status']}: staff must refund by hand."
            payment.save(update_fields=["last_error", "date_updated"])
            logger.error("Refund %s for %s is %s", refund["id"], payment.intent_id, refund["status"])
            return payment
        payment.status = CheckoutPayment.REFUNDED
        payment.refund_id = refund["id"]
        payment.save(update_fields=["status", "refund_id", "date_updated"])
        transaction.on_commit(partial(emails.send_payment_refunded_without_order, payment.pk), robust=True)
    logger.info("Refunded %s without an order (%s)", payment.intent_id, refund["id"])
    return payment


def _refund_already_made(payment):
    for refund in stripe_gateway.list_refunds(payment.intent_id):
        ours = (refund.get("metadata") or {}).get("purpose") == UNPLACED_REFUND_PURPOSE
        if ours and refund.get("status") not in ("failed", "canceled"):
            return refund
    return None


def mark_refunded_at_stripe(payment, *, refunded_cents, refund_id=""):
    """Staff refunded in Stripe's dashboard a payment that has no order yet: it never gets one.
    Called with the payment row locked; Stripe is not asked for anything."""
    payment.status = CheckoutPayment.REFUNDED
    payment.unplaced_reason = CheckoutPayment.REFUNDED_AT_STRIPE
    payment.refund_amount = from_cents(refunded_cents)
    payment.refund_id = refund_id
    payment.last_error = "Refunded in Stripe's dashboard before an order was placed."
    payment.save(
        update_fields=["status", "unplaced_reason", "refund_amount", "refund_id", "last_error", "date_updated"]
    )
    baskets.thaw(payment.basket_id)
    logger.warning("Payment %s was refunded at Stripe before placement: no order", payment.intent_id)
    transaction.on_commit(partial(emails.send_payment_refunded_without_order, payment.pk), robust=True)


def settle_unplaced_refund(payment, *, charged_cents, refunded_cents, refund_id=""):
    """A payment with no order whose charge Stripe reports (partly) refunded: fully refunded, it
    is closed as such; partly, the rest is refunded too. Never an order for it."""
    if refunded_cents <= 0:
        return
    if refunded_cents >= charged_cents:
        mark_refunded_at_stripe(payment, refunded_cents=refunded_cents, refund_id=refund_id)
    else:
        begin_refund_without_order(
            payment,
            reason=CheckoutPayment.REFUNDED_AT_STRIPE,
            detail=f"{refunded_cents} of {charged_cents} cents were refunded at Stripe before placement.",
            amount_cents=charged_cents - refunded_cents,
        )


def record_refunds_for_charge(charge):
    """charge.refunded: book on the order refunds made outside the store (Stripe's dashboard);
    for a payment with no order yet, close it as refunded so it never becomes one."""
    intent_id = charge.get("payment_intent")
    if not intent_id:
        return 0
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(intent_id=intent_id).first()
        if payment is None:
            return 0
        if payment.status == CheckoutPayment.PENDING:
            settle_unplaced_refund(
                payment,
                charged_cents=int(charge.get("amount_captured") or charge.get("amount") or 0),
                refunded_cents=int(charge.get("amount_refunded") or 0),
            )
            return 0
        if payment.status != CheckoutPayment.PLACED:
            return 0  # our own refund of an unplaced payment, already recorded
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
    # The matching share of the sales tax goes back with the money (tax/service.py).
    tax_share = sales_tax.record_refund(order, amount, reference=refund["id"])
    refunded = f"{format_currency(amount, order.currency)} through Stripe ({refund['id']})"
    if tax_share:
        refunded += f", of which {format_currency(tax_share, order.currency)} sales tax"
    event_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
    PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=refund["id"])
    OrderNote.objects.create(
        order=order,
        user=user,
        note_type=OrderNote.SYSTEM,
        message=f"Refunded {refunded}, by {by}.",
    )
    order_refunded.send_robust(sender=CheckoutPayment, order=order, amount=amount, reference=refund["id"], user=user)
    return 1


def amount_refundable(order):
    """What is left to refund of an order paid through the store's checkout, or None if it was
    not paid that way (nothing here can refund it)."""
    if not CheckoutPayment.objects.filter(order=order).exists():
        return None
    source = order.sources.filter(source_type__code=STRIPE_SOURCE_CODE).first()
    return source.amount_available_for_refund if source else None


def refund_rest_of_order(order, *, user, reason):
    """Refund all that is left of an order's payment (a cancellation). Returns Stripe's refund, or
    None when nothing is left to refund. Raises RefundNotAllowed for an order not paid through the
    checkout, and stripe_gateway.PaymentGatewayError when Stripe does not refund.

    The idempotency token is made of the order and the amount: a cancellation sent twice refunds
    once, and a partial refund made in between asks for a new amount under a new key."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().filter(order=order).first()
        if payment is None:
            raise RefundNotAllowed("This order was not paid through the store's checkout.")
        available = stripe_source(order).amount_available_for_refund
        if available <= 0:
            return None
        return refund_order(order, available, user=user, token=f"{reason}-{order.number}-{to_cents(available)}")

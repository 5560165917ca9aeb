"""The reconciliation sweep: payments the doors left unfinished, finished through the same
functions the doors use.

A paid intent whose return page and webhook both died would otherwise wait for Stripe's webhook
retries (up to three days); a refund recorded as an intention whose Stripe call never happened
(a crash, a timeout) would wait for ever. Every few minutes (checkout/tasks.py) and on demand
(`manage.py reconcile_payments`), each payment left pending or refunding for longer than a
setting is looked up at Stripe and placed, refunded or closed. Idempotent, and safe with two
sweeps at once: placement and refunds lock the payment row, and Stripe's refund is asked with
the same idempotency key and parameters every time.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from checkout import baskets, placement, refunds, stripe_gateway
from checkout.models import CheckoutPayment

logger = logging.getLogger(__name__)

PLACED, REFUNDED, REFUNDING, CANCELED, PENDING, FAILED, ALREADY_DONE = (
    "placed", "refunded", "refunding", "canceled", "pending", "failed", "already done",
)  # fmt: skip


def due_payments(now=None):
    now = now or timezone.now()
    pending_before = now - timedelta(seconds=settings.PAYMENT_SWEEP_PENDING_AFTER)
    refunding_before = now - timedelta(seconds=settings.PAYMENT_SWEEP_REFUNDING_AFTER)
    due = CheckoutPayment.objects.filter(
        Q(status=CheckoutPayment.PENDING, date_updated__lt=pending_before)
        | Q(status=CheckoutPayment.REFUNDING, date_updated__lt=refunding_before)
    )
    if not stripe_gateway.demo_mode_enabled():
        due = due.exclude(intent_id__startswith=stripe_gateway.DEMO_PREFIX)
    return due.order_by("date_updated")


def sweep(now=None):
    """Reconcile every due payment. Returns a Counter of outcomes (placed, refunded, ...)."""
    now = now or timezone.now()
    outcomes = Counter()
    for payment_id in list(due_payments(now).values_list("pk", flat=True)):
        try:
            outcome = reconcile(CheckoutPayment.objects.get(pk=payment_id), now=now)
        except Exception:
            # One payment that cannot be finished must not stop the others; staff see it in the
            # dashboard (Payments needing attention) and the next sweep tries again.
            logger.exception("The sweep could not reconcile payment %s", payment_id)
            outcome = FAILED
        outcomes[outcome] += 1
    if outcomes:
        logger.info("Payment sweep: %s", dict(outcomes))
    return outcomes


def reconcile(payment, *, now=None):
    """Finish one payment from what Stripe says about it now. Returns the outcome."""
    now = now or timezone.now()
    if payment.status == CheckoutPayment.REFUNDING:
        payment = refunds.finish_refund_without_order(payment.pk)
        return REFUNDED if payment.status == CheckoutPayment.REFUNDED else REFUNDING
    if payment.status != CheckoutPayment.PENDING:
        return payment.status
    intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
    status = intent.get("status")
    if status == "succeeded":
        placed = placement.place_order_for_payment_intent(intent)
        if placed.order is not None:
            return PLACED if placed.placed_now else ALREADY_DONE  # a door or another sweep was first
        # Not placeable: recorded as refunding; the refund is asked once that has committed.
        payment = refunds.finish_refund_without_order(placed.payment.pk)
        return REFUNDED if payment.status == CheckoutPayment.REFUNDED else REFUNDING
    if status == "canceled":
        return close(payment, "The PaymentIntent was canceled at Stripe.")
    abandoned_before = now - timedelta(seconds=settings.PAYMENT_SWEEP_ABANDONED_AFTER)
    if status in stripe_gateway.PAYABLE_STATUSES and payment.date_updated < abandoned_before:
        stripe_gateway.cancel_payment_intent(payment.intent_id)
        return close(payment, "Abandoned unpaid: the sweep canceled the PaymentIntent.")
    return PENDING  # being paid (processing), or the shopper may still pay


def close(payment, reason):
    """Nothing was charged and nothing will be: the row is closed and the basket given back."""
    with transaction.atomic():
        payment = CheckoutPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != CheckoutPayment.PENDING:
            return payment.status
        payment.status = CheckoutPayment.CANCELED
        payment.last_error = reason
        payment.save(update_fields=["status", "last_error", "date_updated"])
        baskets.thaw(payment.basket_id)
    return CANCELED

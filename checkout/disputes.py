"""Chargebacks: a customer's bank disputes a payment (charge.dispute.created, .updated, .closed).

Staff answer disputes in Stripe's dashboard; the store keeps a record on the payment, adds a note
to the order, emails staff, and lists open disputes in the dashboard (Payments needing attention).
"""

import logging
from functools import partial

from django.db import transaction
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import emails
from checkout.models import CheckoutPayment, PaymentDispute, from_cents

logger = logging.getLogger(__name__)

OrderNote = get_model("order", "OrderNote")


def record_dispute(dispute, *, event_type):
    """Create or update the dispute's row from Stripe's Dispute object. Returns it, or None for a
    payment this store did not take."""
    intent_id = dispute.get("payment_intent")
    payment = CheckoutPayment.objects.select_related("order").filter(intent_id=intent_id).first() if intent_id else None
    if payment is None:
        logger.info("Ignoring %s %s: not a payment of this store", event_type, dispute.get("id"))
        return None
    amount = from_cents(int(dispute.get("amount") or 0))
    status = str(dispute.get("status") or "")[:50]
    reason = str(dispute.get("reason") or "")[:100]
    record, created = PaymentDispute.objects.update_or_create(
        dispute_id=dispute["id"], defaults={"payment": payment, "amount": amount, "status": status, "reason": reason}
    )
    what = "opened" if created else ("closed" if not record.is_open else "updated")
    currency = payment.currency_code
    message = (
        f"Chargeback {record.dispute_id} {what}: {format_currency(amount, currency)}, "
        f"reason {reason or 'not given'}, status {status or 'unknown'}. Respond in Stripe's dashboard."
    )
    if payment.order is not None:
        OrderNote.objects.create(order=payment.order, note_type=OrderNote.SYSTEM, message=message)
    transaction.on_commit(partial(emails.send_dispute_notice, record.pk, what), robust=True)
    logger.warning("%s (payment %s)", message, payment.intent_id)
    return record

"""Everything that happens to an order after it is placed, one function per step.

Each function is one transaction that locks the order row before it reads the order's status, so
two members of staff (or a CSV upload and a click) acting on one order at once queue, and the
second sees what the first did. A refused step raises FulfilmentError with a message for staff and
changes nothing. Customer emails are queued with transaction.on_commit: a step rolled back sends
nothing.

    ship_order       Paid/Processing -> Shipped: carrier and tracking number, Oscar shipping event,
                     the allocation consumed (in stock and allocated both drop), "shipped" email
    mark_processing  Paid -> Processing
    mark_delivered   Shipped -> Delivered, "delivered" email
    cancel_order     Paid/Processing -> Cancelled: allocation released, the rest of the payment
                     refunded through the checkout, "cancelled" email
    record_return    returned items of a shipped order: Oscar shipping event, back on the shelf if
                     staff say so, optionally a refund; Returned once every item is back
    order_refunded   a refund was booked (checkout.signals.order_refunded): refunded in full,
                     the order is Refunded, and an unshipped order's allocation is released;
                     "refunded" email either way
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency as format_currency

from checkout import refunds, stripe_gateway
from checkout.models import CheckoutPayment, from_cents
from fulfilment import carriers, emails, statuses
from fulfilment.models import Shipment
from fulfilment.processing import EventHandler, StockProblem

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
ShippingEventType = get_model("order", "ShippingEventType")

# Oscar shipping event types (created by fulfilment's migration 0002).
SHIPPED_EVENT, DELIVERED_EVENT, RETURNED_EVENT = "Shipped", "Delivered", "Returned"

MAX_REASON_LENGTH = 500


class FulfilmentError(Exception):
    """The step is refused; nothing was changed. str() is the message for staff."""


class AlreadyDone(FulfilmentError):
    """The step had already been taken exactly so (a form or a CSV row sent twice)."""


@dataclass
class Cancellation:
    order: object
    refunded: Decimal | None  # None: the order was not paid through the checkout, nothing refunded


def lock_order(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def event_type(name):
    return ShippingEventType.objects.get_or_create(name=name)[0]


def shipped_quantities(line):
    return line.shipping_event_quantity(event_type(SHIPPED_EVENT))


def returned_quantities(line):
    return line.shipping_event_quantity(event_type(RETURNED_EVENT))


def ship_order(order, *, carrier, tracking_number, carrier_name="", user=None):
    """The parcel left the warehouse with this carrier and tracking number. Returns the Shipment."""
    carrier, carrier_name, tracking_number = clean_tracking(carrier, carrier_name, tracking_number)
    with transaction.atomic():
        order = lock_order(order)
        earlier = order.shipments.first()
        if earlier is not None:
            if (earlier.carrier, earlier.tracking_number) == (carrier, tracking_number):
                raise AlreadyDone(f"Order {order.number} has already shipped with this tracking number.")
            raise FulfilmentError(
                f"Order {order.number} has already shipped ({earlier.carrier_display} {earlier.tracking_number})."
            )
        if order.status not in statuses.NOT_SHIPPED:
            raise FulfilmentError(f"Order {order.number} is {_status_of(order)}: it cannot be shipped.")
        lines = list(order.lines.all())
        quantities = [line.quantity for line in lines]
        handler = EventHandler(user)
        try:
            handler.consume_stock_allocations(order, lines, quantities)
        except StockProblem as problem:
            raise FulfilmentError(f"Order {order.number} was not shipped. {problem}") from problem
        label = carriers.carrier_label(carrier, carrier_name)
        event = handler.create_shipping_event(
            order, event_type(SHIPPED_EVENT), lines, quantities, reference=f"{label} {tracking_number}"
        )
        shipment = Shipment.objects.create(
            order=order,
            event=event,
            carrier=carrier,
            carrier_name=carrier_name,
            tracking_number=tracking_number,
            shipped_by=user if user and user.is_authenticated else None,
        )
        order.set_status(statuses.SHIPPED)
        _note(order, user, f"Shipped with {label}, tracking number {tracking_number}.")
        _email(order, emails.SHIPPED, shipment_id=shipment.pk)
    logger.info("Order %s shipped with %s %s", order.number, label, tracking_number)
    return shipment


def clean_tracking(carrier, carrier_name, tracking_number):
    """(carrier, carrier name, tracking number) checked as the forms check them; FulfilmentError
    otherwise, so a caller that skipped the form still cannot store a bad value."""
    if carrier not in carriers.Carrier.values:
        raise FulfilmentError(f"Choose the carrier: {', '.join(carriers.Carrier.labels)}.")
    try:
        number = carriers.clean_tracking_number(tracking_number)
        name = carriers.clean_carrier_name(carrier_name) if carrier == carriers.Carrier.OTHER else ""
    except carriers.ValidationError as error:
        raise FulfilmentError(" ".join(error.messages)) from error
    return carrier, name, number


def mark_processing(order, *, user=None):
    """Staff started picking and packing the order."""
    with transaction.atomic():
        order = lock_order(order)
        _set_status(order, statuses.PROCESSING)
        _note(order, user, "Marked as processing.")
    return order


def mark_delivered(order, *, user=None):
    """The carrier delivered the parcel."""
    with transaction.atomic():
        order = lock_order(order)
        _set_status(order, statuses.DELIVERED)
        lines = [line for line in order.lines.all() if shipped_quantities(line)]
        if lines:
            EventHandler(user).create_shipping_event(
                order, event_type(DELIVERED_EVENT), lines, [shipped_quantities(line) for line in lines]
            )
        _note(order, user, "Marked as delivered.")
        _email(order, emails.DELIVERED)
    return order


def cancel_order(order, *, user, reason=""):
    """The order will not ship: its stock can be sold again and what was paid goes back.

    A refund Stripe refuses (or cannot be reached for) rolls the whole cancellation back: the
    order stays as it was, with its stock, and staff can try again."""
    reason = " ".join(str(reason or "").split())[:MAX_REASON_LENGTH]
    with transaction.atomic():
        # The payment row first, then the order: the order in which a refund locks them.
        CheckoutPayment.objects.select_for_update().filter(order=order).first()
        order = lock_order(order)
        if order.status not in statuses.NOT_SHIPPED:
            hint = " Record the returned items instead." if order.status in statuses.SHIPPED_ONCE else ""
            raise FulfilmentError(f"Order {order.number} is {_status_of(order)}: it cannot be cancelled.{hint}")
        EventHandler(user).cancel_stock_allocations(order)
        # Cancelled before the refund is booked: the order_refunded receiver then leaves the
        # customer's email to this function, which says both things at once.
        order.set_status(statuses.CANCELLED)
        try:
            refund = refunds.refund_rest_of_order(order, user=user, reason="cancel")
        except refunds.RefundNotAllowed:
            refunded = None
        except stripe_gateway.PaymentGatewayError as error:
            raise FulfilmentError(
                f"Stripe did not refund order {order.number} ({error}), so it was not cancelled. Try again in a moment."
            ) from error
        else:
            refunded = from_cents(refund["amount"]) if refund else Decimal("0.00")
        if refunded is None:
            money = "It was not paid through the store's checkout: refund it by hand if it was paid."
        elif refunded:
            money = f"Refunded {format_currency(refunded, order.currency)}."
        else:
            money = "Nothing was left to refund."
        _note(order, user, f"Cancelled. {money}" + (f" Reason: {reason}" if reason else ""))
        _email(order, emails.CANCELLED, amount=None if refunded is None else str(refunded), reason=reason)
    logger.info("Order %s cancelled", order.number)
    return Cancellation(order, refunded)


def record_return(order, line_quantities, *, restock, user, refund_amount=None, refund_token=""):
    """Items of a shipped order came back. line_quantities: [(line, quantity)]. With restock they
    go back on the shelf (staff saw they can be sold again). With a refund amount the money goes
    back through the checkout in the same transaction: if Stripe refuses, nothing is recorded."""
    with transaction.atomic():
        if refund_amount:
            CheckoutPayment.objects.select_for_update().filter(order=order).first()
        order = lock_order(order)
        if not order.shipments.exists():
            raise FulfilmentError(f"Order {order.number} has not shipped: cancel it instead of recording a return.")
        lines_by_pk = {line.pk: line for line in order.lines.all()}
        lines, quantities, problems = [], [], []
        for given, quantity in line_quantities:
            line = lines_by_pk.get(given.pk)
            if line is None:
                problems.append(f"Line #{given.pk} is not part of order {order.number}.")
                continue
            still_out = shipped_quantities(line) - returned_quantities(line)
            if quantity < 1 or quantity > still_out:
                problems.append(f"{line.title}: {still_out} can be returned, not {quantity}.")
            lines.append(line)
            quantities.append(quantity)
        if problems or not lines:
            raise FulfilmentError(" ".join(problems) or "Choose the returned items.")
        handler = EventHandler(user)
        handler.create_shipping_event(
            order,
            event_type(RETURNED_EVENT),
            lines,
            quantities,
            reference="Put back in stock" if restock else "Not put back in stock",
        )
        if restock:
            handler.restock(lines, quantities)
        for line in order.lines.all():
            if returned_quantities(line) >= line.quantity and statuses.RETURNED in line.available_statuses():
                line.set_status(statuses.RETURNED)
        if all(returned_quantities(line) >= line.quantity for line in order.lines.all()):
            if statuses.RETURNED in order.available_statuses():
                order.set_status(statuses.RETURNED)
        items = ", ".join(f"{quantity} x {line.title}" for line, quantity in zip(lines, quantities, strict=True))
        _note(order, user, f"Returned: {items}. {'Put back in stock' if restock else 'Not put back in stock'}.")
        if refund_amount:
            try:
                refunds.refund_order(order, refund_amount, user=user, token=refund_token)
            except refunds.RefundNotAllowed as error:
                raise FulfilmentError(f"{error} Nothing was recorded.") from error
            except stripe_gateway.PaymentGatewayError as error:
                raise FulfilmentError(f"Stripe did not refund ({error}); nothing was recorded. Try again.") from error
    return order


def order_refunded(order, amount, *, user=None):
    """A refund of this order was booked (checkout.signals.order_refunded), in the transaction
    that booked it. Refunded in full: the order ends as Refunded, and if it had not shipped, its
    stock is released. The customer is told either way, except for a cancellation, whose own
    email says it."""
    order = lock_order(order)
    if order.status == statuses.CANCELLED:
        return
    left = refunds.amount_refundable(order)
    in_full = left is not None and left <= 0
    if in_full:
        if order.status in statuses.NOT_SHIPPED:
            EventHandler(user).cancel_stock_allocations(order)
        if statuses.REFUNDED in order.available_statuses():
            order.set_status(statuses.REFUNDED)
    _email(order, emails.REFUNDED, amount=str(amount), in_full=in_full)


def change_status(order, new_status, *, user=None):
    """The dashboard's "change status" (one order, or several from the list). Steps that need
    more than a click (a tracking number, a refund) are sent to their own forms."""
    new_status = str(new_status or "").strip()
    if new_status not in statuses.ORDER_PIPELINE:
        known = ", ".join(statuses.ORDER_PIPELINE)
        raise FulfilmentError(f"'{new_status[:40]}' is not an order status (they are: {known}).")
    order = Order.objects.get(pk=order.pk)
    if new_status == order.status:
        raise AlreadyDone(f"Order {order.number} is {new_status} already.")
    _check_transition(order, new_status)
    if new_status == statuses.PROCESSING:
        return mark_processing(order, user=user)
    if new_status == statuses.DELIVERED:
        return mark_delivered(order, user=user)
    where = {
        statuses.SHIPPED: "ship it with its carrier and tracking number (Ship the order, or Orders to ship)",
        statuses.CANCELLED: "cancel it on its page (Cancel the order), which refunds the payment",
        statuses.RETURNED: "record the returned items on its page",
        statuses.REFUNDED: "refund it on its page's Payment tab",
    }[new_status]
    raise FulfilmentError(f"To make order {order.number} {new_status}, {where}.")


def _check_transition(order, new_status):
    if new_status not in order.available_statuses():
        allowed = order.available_statuses()
        can = f"it can become {_or_list(allowed)}" if allowed else "that is final"
        raise FulfilmentError(f"Order {order.number} is {_status_of(order)}: {can}, not {new_status}.")


def _set_status(order, new_status):
    if order.status == new_status:
        raise AlreadyDone(f"Order {order.number} is {new_status} already.")
    _check_transition(order, new_status)
    order.set_status(new_status)


def _status_of(order):
    return order.status or "without a status"


def _or_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _note(order, user, message):
    OrderNote.objects.create(
        order=order,
        user=user if user and user.is_authenticated else None,
        note_type=OrderNote.SYSTEM,
        message=message,
    )


def _email(order, code, **context):
    transaction.on_commit(partial(emails.send_order_email, order.pk, code, **context), robust=True)

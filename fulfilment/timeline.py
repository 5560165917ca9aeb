"""The customer's view of an order's progress: where it stands, and what happened when.

Built from Oscar's own records (status changes, shipping events, refund payment events) and the
Shipment beside the "Shipped" event, so the order status page (guest link and account) shows the
same history staff see in the dashboard, in the customer's words.
"""

from dataclasses import dataclass, field

from oscar.templatetags.currency_filters import currency as format_currency

from fulfilment import statuses

REFUNDED_EVENT = "Refunded"  # checkout.refunds books each refund as a payment event of this type


@dataclass
class Entry:
    when: object
    title: str
    detail: str = ""
    link: str = ""
    link_text: str = ""


@dataclass
class Step:
    status: str
    label: str
    done: bool
    current: bool


@dataclass
class Timeline:
    status: str
    headline: str
    entries: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # empty once the order left the usual path
    shipment: object = None


STEP_LABELS = {
    statuses.PAID: "Paid",
    statuses.PROCESSING: "Being packed",
    statuses.SHIPPED: "Shipped",
    statuses.DELIVERED: "Delivered",
}

HEADLINES = {
    statuses.PAID: "We have your order and your payment. It will be packed soon.",
    statuses.PROCESSING: "We are packing your order.",
    statuses.SHIPPED: "Your parcel is on its way.",
    statuses.DELIVERED: "Your parcel has been delivered.",
    statuses.CANCELLED: "This order was cancelled and will not be shipped.",
    statuses.RETURNED: "We received the items you sent back.",
    statuses.REFUNDED: "This order has been refunded.",
}


def for_order(order):
    status = order.status or statuses.PAID
    shipments = list(order.shipments.all())
    paid = format_currency(order.total_incl_tax, order.currency)
    entries = [Entry(order.date_placed, "Order placed", f"Paid {paid}")]
    for change in order.status_changes.all():
        entry = _status_entry(change, shipments)
        if entry:
            entries.append(entry)
    for event in order.shipping_events.filter(event_type__name="Returned").prefetch_related("line_quantities__line"):
        items = ", ".join(f"{q.quantity} \u00d7 {q.line.title}" for q in event.line_quantities.all())
        entries.append(Entry(event.date_created, "Return received", items))
    for event in order.payment_events.filter(event_type__name=REFUNDED_EVENT):
        entries.append(
            Entry(event.date_created, f"Refunded {format_currency(event.amount, order.currency)}",
                  "To the card you paid with. Banks usually take 5 to 10 business days to show it.")
        )
    entries.sort(key=lambda entry: entry.when)
    steps = []
    if status in statuses.PROGRESS:
        reached = statuses.PROGRESS.index(status)
        steps = [
            Step(s, STEP_LABELS[s], done=n <= reached, current=n == reached) for n, s in enumerate(statuses.PROGRESS)
        ]
    return Timeline(
        status=status,
        headline=HEADLINES.get(status, ""),
        entries=entries,
        steps=steps,
        shipment=shipments[-1] if shipments else None,
    )


def _status_entry(change, shipments):
    new = change.new_status
    if new == statuses.SHIPPED:
        shipment = shipments[0] if shipments else None
        if shipment is None:
            return Entry(change.date_created, "Shipped")
        return Entry(
            change.date_created,
            "Shipped",
            f"With {shipment.carrier_display}, tracking number {shipment.tracking_number}",
            link=shipment.tracking_url,
            link_text=f"Track it on {shipment.carrier_display}'s site",
        )
    titles = {
        statuses.PROCESSING: ("Being packed", ""),
        statuses.DELIVERED: ("Delivered", "The carrier delivered your parcel."),
        statuses.CANCELLED: ("Cancelled", "This order will not be shipped."),
    }
    # Returns and refunds have entries of their own, with the items and the amount.
    if new in titles:
        title, detail = titles[new]
        return Entry(change.date_created, title, detail)
    return None

"""Oscar's order event handler with stock that matches the shelf.

Oscar's own hooks move the stock: consume_stock_allocations() when a parcel leaves (in stock and
allocated both drop), cancel_stock_allocations() when an unshipped order is cancelled or refunded
(the allocation goes back to what can be sold). Oscar reads the stock record it checks from memory;
here every stock record an order touches is locked first, in primary-key order, the order in which
placement's conditional allocation (shop/apps/partner) takes them too, so concurrent orders and
shipments queue on the rows instead of working from stale copies or deadlocking.

Lock order everywhere in fulfilment: the payment row (when money moves), the order, then the stock
records. Callers hold the order's lock (fulfilment.services.lock_order).
"""

from django.db.models import F
from django.db.models.functions import Coalesce
from oscar.core.loading import get_class, get_model

OscarEventHandler = get_class("order.processing", "EventHandler")
StockRecord = get_model("partner", "StockRecord")


class StockProblem(Exception):
    """The stock records do not allow the change; the message says what staff should correct."""


def lock_stock_records(lines):
    """Lock the stock records of these order lines and give each line its fresh, locked copy.
    Returns the lines that have a stock record (a deleted product leaves a line without one)."""
    ids = sorted({line.stockrecord_id for line in lines if line.stockrecord_id})
    locked = StockRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    records = {record.pk: record for record in locked}
    kept = []
    for line in lines:
        if line.stockrecord_id in records:
            line.stockrecord = records[line.stockrecord_id]
            kept.append(line)
    return kept


class EventHandler(OscarEventHandler):
    def consume_stock_allocations(self, order, lines=None, line_quantities=None):
        """The parcel left: the shipped quantities leave both the shelf and the allocation."""
        lines, quantities = self._tracked(order, lines, line_quantities)
        for line, quantity in zip(lines, quantities, strict=True):
            record = line.stockrecord
            if not line.is_allocation_consumption_possible(quantity):
                raise StockProblem(
                    f"{line.title}: only {line.num_allocated} of the {quantity} to ship are still allocated to "
                    "this order."
                )
            if not record.is_allocation_consumption_possible(quantity):
                raise StockProblem(
                    f"{line.title}: the stock record shows {record.num_in_stock} in stock and "
                    f"{record.num_allocated or 0} allocated, fewer than the {quantity} shipped. Correct the stock "
                    "(Catalogue > Products) to what is on the shelf, then ship again."
                )
        if lines:  # Oscar's hook takes "no lines" to mean every line
            super().consume_stock_allocations(order, lines, quantities)

    def cancel_stock_allocations(self, order, lines=None, line_quantities=None):
        """The order will not ship (cancelled, refunded in full before shipping): what is still
        allocated to it can be sold again. Quantities default to what each line still holds."""
        if line_quantities is None:
            lines = list(order.lines.all()) if lines is None else list(lines)
            line_quantities = [line.num_allocated or 0 for line in lines]
        lines, quantities = self._tracked(order, lines, line_quantities)
        pairs = [(line, quantity) for line, quantity in zip(lines, quantities, strict=True) if quantity > 0]
        if pairs:
            super().cancel_stock_allocations(order, [line for line, _ in pairs], [quantity for _, quantity in pairs])

    def restock(self, lines, line_quantities):
        """Returned items that can be sold again go back on the shelf."""
        locked = set(lock_stock_records(lines))
        for line, quantity in zip(lines, line_quantities, strict=True):
            record = line.stockrecord if line in locked else None
            if record is None or not record.can_track_allocations or quantity <= 0:
                continue
            record.pre_save_signal()
            StockRecord.objects.filter(pk=record.pk).update(num_in_stock=Coalesce(F("num_in_stock"), 0) + quantity)
            record.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            record.post_save_signal()  # Oscar's low-stock alert closes when stock is back

    def _tracked(self, order, lines, line_quantities):
        lines = list(order.lines.all()) if lines is None else list(lines)
        quantities = [line.quantity for line in lines] if line_quantities is None else list(line_quantities)
        quantity_of = {line.pk: quantity for line, quantity in zip(lines, quantities, strict=True)}
        kept = [line for line in lock_stock_records(lines) if line.stockrecord.can_track_allocations]
        return kept, [quantity_of[line.pk] for line in kept]

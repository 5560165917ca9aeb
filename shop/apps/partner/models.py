from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord

from shop.apps.partner.availability import shelf_state, threshold_of
from shop.apps.partner.exceptions import InsufficientStock


class StockRecord(AbstractStockRecord):
    """Stock moves (allocate, consume, cancel) tell the page cache the shelf state before and after
    (`_pagecache_stock_move`, read by shop.pagedeps): an order bumps stock:<id>, which only the
    product's own page depends on, and avail:<id> only when the state other pages show changes."""

    def allocate(self, quantity):
        """Allocate stock only while there is enough of it left.

        Oscar's allocate() adds to num_allocated unconditionally, so two orders for the last
        unit both succeed. This is one conditional UPDATE: the database re-checks the WHERE
        clause against the row it locks, so concurrent orders queue on the row and the ones
        that would oversell update nothing (also under PostgreSQL's READ COMMITTED).
        """
        if not self.can_track_allocations:
            return
        self.pre_save_signal()
        allocated = Coalesce(F("num_allocated"), 0)
        updated = (
            type(self)
            .objects.filter(pk=self.pk, num_in_stock__gte=allocated + quantity)
            .update(num_allocated=allocated + quantity)
        )
        if not updated:
            self.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            raise InsufficientStock(
                _("Only %(available)d of %(title)s left, %(wanted)d wanted")
                % {"available": max(self.net_stock_level, 0), "title": self.product, "wanted": quantity}
            )
        self.refresh_from_db(fields=["num_allocated"])
        after = self.net_stock_level
        # One conditional UPDATE added exactly `quantity` to num_allocated: the level before is known.
        self._send_stock_move(after + quantity, after)

    allocate.alters_data = True

    def consume_allocation(self, quantity):
        """The parcel left: in stock and allocated drop together, so the level on sale is the same."""
        self._pagecache_stock_move = ("same", "same")
        try:
            super().consume_allocation(quantity)
        finally:
            del self._pagecache_stock_move

    consume_allocation.alters_data = True

    def cancel_allocation(self, quantity):
        self._pagecache_stock_move = (None, None)  # back on sale: the state may change
        try:
            super().cancel_allocation(quantity)
        finally:
            del self._pagecache_stock_move

    cancel_allocation.alters_data = True

    def _send_stock_move(self, before, after):
        threshold = threshold_of(self)
        self._pagecache_stock_move = (shelf_state(before, threshold), shelf_state(after, threshold))
        self._stock_level_fell = after < before  # no back-in-stock alert to check (receivers.py)
        try:
            self.post_save_signal()
        finally:
            del self._pagecache_stock_move, self._stock_level_fell


from oscar.apps.partner.models import *  # noqa: E402,F401,F403  (Oscar's documented fork pattern)

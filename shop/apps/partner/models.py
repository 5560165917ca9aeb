from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord

from shop.apps.partner.exceptions import InsufficientStock


class StockRecord(AbstractStockRecord):
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
        self.post_save_signal()

    allocate.alters_data = True


from oscar.apps.partner.models import *  # noqa: E402,F401,F403  (Oscar's documented fork pattern)

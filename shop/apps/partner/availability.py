"""What a page says about stock, and how precisely.

The product's own page says how many are left ("In stock (7 available)"), so it is out of date
after every order and the page cache re-renders it (shop/pagecache.py, tag stock:<id>). Every
other page that shows the product (home hero, product cards, an article's buy box) says it only
as precisely as its shelf state: "In stock" while more than the low-stock threshold are left,
"Only 3 left" below it, "Unavailable" at none. Those pages depend on the shelf state
(tag avail:<id>), which an order changes only when it crosses the threshold or runs low, so an
order leaves them cached.
"""

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability

LOW_STOCK_SHOWN = 5  # "Only N left" from this many down, for a stock record with no threshold of its own


def threshold_of(stockrecord):
    threshold = getattr(stockrecord, "low_stock_threshold", None)
    return LOW_STOCK_SHOWN if threshold is None else threshold


def shelf_state(num_available, threshold):
    """The stock as the pages other than the product's own show it: "in", "low:<n>" or "out"."""
    if num_available is None or num_available <= 0:
        return "out"
    if num_available <= threshold:
        return f"low:{num_available}"
    return "in"


class ShelfAvailability(availability.StockRequired):
    """Oscar's StockRequired; `precise=False` words the message by shelf state only."""

    def __init__(self, num_available, threshold=LOW_STOCK_SHOWN, precise=True):
        super().__init__(num_available)
        self.threshold = threshold
        self.precise = precise

    @property
    def state(self):
        return shelf_state(self.num_available, self.threshold)

    @property
    def message(self):
        if self.precise:
            return super().message
        state = self.state
        if state == "out":
            return _("Unavailable")
        if state == "in":
            return _("In stock")
        return _("Only %(count)d left") % {"count": self.num_available}

from oscar.apps.partner.exceptions import *  # noqa: F401,F403
from oscar.apps.partner.exceptions import InvalidStockAdjustment


class InsufficientStock(InvalidStockAdjustment):
    """Allocating the requested quantity would take the stock record below zero."""

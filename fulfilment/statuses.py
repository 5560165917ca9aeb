"""The order status pipeline: the one definition of which status may follow which.

Plain Python with no Django import, so shop/settings/base.py can hand these dicts to Oscar
(OSCAR_ORDER_STATUS_PIPELINE and friends) and the fulfilment code can name the statuses.

    Paid -> Processing -> Shipped -> Delivered
      \\________\\____ Cancelled (before shipping: the stock goes back, the payment is refunded)
                      Returned / Refunded (after shipping)

A full refund before shipping ends the order as Refunded (its stock goes back too).
"""

PAID = "Paid"
PROCESSING = "Processing"
SHIPPED = "Shipped"
DELIVERED = "Delivered"
CANCELLED = "Cancelled"
RETURNED = "Returned"
REFUNDED = "Refunded"

# Set by Oscar's OrderCreator when checkout/placement.py places an order.
INITIAL = PAID

# Statuses in which the parcel has not left yet: the stock is still allocated to the order.
NOT_SHIPPED = (PAID, PROCESSING)
# Statuses in which items have left the shelf.
SHIPPED_ONCE = (SHIPPED, DELIVERED, RETURNED)

ORDER_PIPELINE = {
    PAID: (PROCESSING, SHIPPED, CANCELLED, REFUNDED),
    PROCESSING: (SHIPPED, CANCELLED, REFUNDED),
    SHIPPED: (DELIVERED, RETURNED, REFUNDED),
    DELIVERED: (RETURNED, REFUNDED),
    RETURNED: (REFUNDED,),
    CANCELLED: (),
    REFUNDED: (),
}

# Lines follow their order (Oscar's cascade), and a line can be returned on its own.
LINE_PIPELINE = ORDER_PIPELINE
ORDER_CASCADE = {status: status for status in ORDER_PIPELINE if status != PAID}

# The customer's progress bar on the order status page.
PROGRESS = (PAID, PROCESSING, SHIPPED, DELIVERED)

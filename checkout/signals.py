"""What the checkout tells the rest of the store. It knows nothing of who listens."""

from django.dispatch import Signal

# Sent once an order is placed and committed, from whichever door placed it (the shopper's
# return, the webhook, the sweep): order, email, marketing_opt_in (the box on the payment
# page), client_ip. The newsletter app listens (newsletter/receivers.py).
order_paid = Signal()

# Sent when a refund of a placed order is booked (the dashboard's refund form, a cancellation,
# a refund made in Stripe's dashboard), inside the transaction that books it, with the payment
# row locked: order, amount (Decimal), reference (Stripe's refund id), user (staff, or None).
# The fulfilment app listens: stock of an unshipped order goes back, the customer is told.
order_refunded = Signal()

"""What the checkout tells the rest of the store. It knows nothing of who listens."""

from django.dispatch import Signal

# Sent once an order is placed and committed, from whichever door placed it (the shopper's
# return, the webhook, the sweep): order, email, marketing_opt_in (the box on the payment
# page), client_ip. The newsletter app listens (newsletter/receivers.py).
order_paid = Signal()

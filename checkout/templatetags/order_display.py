"""How a placed order reads to its customer: the payment in plain words."""

from django import template

from checkout import stripe_gateway

register = template.Library()


@register.filter
def payment_label(source):
    """ "Visa ending 4242" (the card Stripe charged, recorded when the order was placed), "Demo
    payment" in demo mode, else "Card payment": never Oscar's "Allocation of ... from type Stripe"."""
    if source.label:
        return source.label
    if stripe_gateway.is_demo_id(source.reference or ""):
        return "Demo payment"
    return "Card payment"

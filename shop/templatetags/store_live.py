"""{% live_stock_message product availability %}: the product page's availability message, marked
as a live hole the page cache fills in on every hit (shop/livestock.py)."""

from django import template

from shop import livestock
from shop.apps.partner.availability import ShelfAvailability

register = template.Library()


@register.simple_tag
def live_stock_message(product, availability):
    message = str(availability.message)
    if isinstance(availability, ShelfAvailability) and availability.precise:
        return livestock.mark(product.pk, message)
    return message

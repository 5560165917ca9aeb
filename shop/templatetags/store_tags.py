from django import template
from oscar.core.loading import get_model

register = template.Library()
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")


@register.simple_tag
def free_shipping_threshold():
    """The lowest basket total that ships free, as staff set it on the shipping methods."""
    thresholds = OrderAndItemCharges.objects.filter(free_shipping_threshold__isnull=False).values_list(
        "free_shipping_threshold", flat=True
    )
    return min(thresholds, default=None)

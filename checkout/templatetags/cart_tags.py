"""The cart page's own look-ups."""

from django import template
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

register = template.Library()


@register.simple_tag
def hero_product_url():
    """The store's main product, for the empty cart's way back (the catalogue if it is gone)."""
    product = (
        get_model("catalogue", "Product")
        .objects.filter(upc=settings.STORE_HERO_PRODUCT_UPC, is_public=True)
        .only("id", "slug")
        .first()
    )
    return product.get_absolute_url() if product else reverse("catalogue:index")

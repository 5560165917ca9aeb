"""The product page's tags (catalogue/templates/oscar/catalogue/detail.html)."""

import json

from django import template
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import mark_safe
from oscar.core.loading import get_class, get_model

register = template.Library()
CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")

# As json_script escapes: "</script>" in a product's text cannot close the block.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def product_json_ld(context, product):
    """schema.org Product (with its offer and availability) and BreadcrumbList, as JSON-LD blocks.

    content_pages writes its own BreadcrumbList: it imports nothing of the project, and the
    catalogue knows nothing of content.
    """
    request = context["request"]
    info = request.strategy.fetch_for_product(product)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.get_title(),
        "description": strip_tags(product.description or "").strip()[:500],
        "url": request.build_absolute_uri(product.get_absolute_url()),
    }
    if product.upc:
        data["sku"] = product.upc
    image = product.primary_image()
    if getattr(image, "original", None):
        data["image"] = request.build_absolute_uri(image.original.url)
    if info.price.exists:
        in_stock = info.availability.is_available_to_buy
        data["offers"] = {
            "@type": "Offer",
            "price": f"{info.price.incl_tax:.2f}",
            "priceCurrency": info.price.currency,
            "availability": "https://schema.org/InStock" if in_stock else "https://schema.org/OutOfStock",
            "url": data["url"],
        }
    trail = [("Home", "/")]
    category = product.get_categories().first()
    if category:
        trail += [(c.name, c.get_absolute_url()) for c in category.get_ancestors_and_self()]
    trail.append((product.get_title(), product.get_absolute_url()))
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": request.build_absolute_uri(path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }
    payloads = [json.dumps(block, ensure_ascii=False).translate(_JSON_ESCAPES) for block in (data, breadcrumbs)]
    return format_html_join("", '<script type="application/ld+json">{}</script>', ((mark_safe(p),) for p in payloads))


@register.simple_tag
def free_shipping_threshold():
    """The lowest basket total that ships free, as staff set it on the shipping methods."""
    thresholds = OrderAndItemCharges.objects.filter(free_shipping_threshold__isnull=False).values_list(
        "free_shipping_threshold", flat=True
    )
    return min(thresholds, default=None)


@register.simple_tag(takes_context=True)
def recently_viewed(context, current_product=None):
    """The products this visitor viewed last (Oscar's history cookie), without current_product.

    Oscar's own {% recently_viewed_products %} renders them with its Bootstrap product pods;
    the light product page lists them as product cards instead.
    """
    products = CustomerHistoryManager.get(context["request"])
    return [p for p in products if p != current_product]

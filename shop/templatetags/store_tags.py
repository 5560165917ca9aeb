from django import template
from django.utils.html import strip_tags
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


@register.simple_tag
def product_structured_data(request, product):
    """schema.org Product (with its offer and availability) and BreadcrumbList for a product page."""
    from content_pages.seo import breadcrumb_list

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
    return [data, breadcrumb_list(request, trail)]


@register.simple_tag(takes_context=True)
def recently_viewed(context, current_product=None):
    """The products this visitor viewed last (Oscar's history cookie), without current_product.

    Oscar's own {% recently_viewed_products %} renders them with its Bootstrap product pods;
    the light product page lists them as the store's product cards instead.
    """
    from oscar.core.loading import get_class

    products = get_class("customer.history", "CustomerHistoryManager").get(context["request"])
    return [p for p in products if p != current_product]

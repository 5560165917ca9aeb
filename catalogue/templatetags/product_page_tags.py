"""The product page's tags (catalogue/templates/oscar/catalogue/detail.html). They read what
catalogue/product_page.py loaded onto the product and ask the database nothing more, except the
store's shipping rates (once per request)."""

import json

from django import template
from django.conf import settings
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import mark_safe
from oscar.core.loading import get_class

from catalogue import product_page

register = template.Library()
ProductReviewForm = get_class("catalogue.reviews.forms", "ProductReviewForm")

# As json_script escapes: "</script>" in a product's text cannot close the block.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# The return policy's terms as schema.org names them.
_RETURN_METHODS = {"by mail": "https://schema.org/ReturnByMail", "in store": "https://schema.org/ReturnInStore"}


@register.simple_tag(takes_context=True)
def product_page_title(context, product):
    """"QL Claw — Release your low back at home", "Carry bag | QL Claw": the store's name once.

    Staff's meta title wins; a product named like the store gets the store's tagline after it."""
    shop_name = settings.OSCAR_SHOP_NAME
    title = product.get_meta_title()
    if shop_name.lower() in title.lower():
        if title.strip().lower() == shop_name.lower() and settings.OSCAR_SHOP_TAGLINE:
            return f"{title} — {settings.OSCAR_SHOP_TAGLINE}"
        return title
    return f"{title} | {shop_name}"


@register.simple_tag(takes_context=True)
def store_policies(context):
    """The shipping rates, the free-shipping amount and the return terms (support/policy.py), read
    once per request however many tags ask."""
    from support import policy

    request = context.get("request")
    found = getattr(request, "_store_policies", None)
    if found is None:
        rates = policy.shipping_rates()
        found = {"rates": rates, "free_over": policy.free_shipping_over(rates), "returns": policy.return_policy()}
        if request is not None:
            request._store_policies = found
    return found


@register.simple_tag(takes_context=True)
def new_review_form(context, product):
    return ProductReviewForm(product=product, user=context["request"].user)


@register.filter
def reviewer_display_name(review):
    """A reviewer as other shoppers see them: "Grace H.", never an email address."""
    user = review.user
    if user is None:
        return review.name or "A customer"
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first:
        return f"{first} {last[0]}." if last else first
    return "A customer"


@register.simple_tag(takes_context=True)
def product_json_ld(context, product):
    """schema.org Product (with its offer, shipping, returns, rating and latest reviews) and
    BreadcrumbList, as JSON-LD blocks.

    content_pages writes its own BreadcrumbList: it imports nothing of the project, and the
    catalogue knows nothing of content.
    """
    request = context["request"]
    page = product_page.load(product, request)
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
        policies = store_policies(context)
        data["offers"] = {
            "@type": "Offer",
            "price": f"{info.price.incl_tax:.2f}",
            "priceCurrency": info.price.currency,
            "availability": "https://schema.org/InStock" if in_stock else "https://schema.org/OutOfStock",
            "url": data["url"],
            "shippingDetails": _shipping_details(policies["rates"], info.price),
            "hasMerchantReturnPolicy": _return_policy(policies["returns"]),
        }
    if page.review_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{page.rating:.1f}",
            "reviewCount": page.review_count,
            "bestRating": "5",
            "worstRating": "1",
        }
        data["review"] = [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "datePublished": review.date_created.date().isoformat(),
                "author": {"@type": "Person", "name": reviewer_display_name(review)},
                "reviewRating": {
                    "@type": "Rating", "ratingValue": str(review.score), "bestRating": "5", "worstRating": "1",
                },
            }
            for review in page.reviews
        ]
    trail = [("Home", "/"), *page.trail, (product.get_title(), product.get_absolute_url())]
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


def _shipping_details(rates, price):
    """One OfferShippingDetails per shipping method, as it applies to one of this product: free when
    the product's price alone reaches the method's free-shipping amount."""
    details = []
    for rate in rates:
        free = rate["free_over"] is not None and price.incl_tax >= rate["free_over"]
        detail = {
            "@type": "OfferShippingDetails",
            "name": rate["name"],
            "shippingRate": {
                "@type": "MonetaryAmount",
                "value": "0.00" if free else f"{rate['charge']:.2f}",
                "currency": price.currency,
            },
            "shippingDestination": [
                {"@type": "DefinedRegion", "addressCountry": country} for country in (rate["countries"] or ["US"])
            ],
        }
        if rate["min_days"] is not None:
            detail["deliveryTime"] = {
                "@type": "ShippingDeliveryTime",
                "handlingTime": _days(rate["handling_min_days"], rate["handling_max_days"]),
                "transitTime": _days(rate["min_days"], rate["max_days"]),
            }
        details.append(detail)
    return details


def _days(low, high):
    return {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitCode": "DAY"}


def _return_policy(terms):
    policy = {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": terms["country"],
        "returnPolicyCategory": "https://schema.org/MerchantReturnFiniteReturnWindow",
        "merchantReturnDays": terms["days"],
        "returnMethod": _RETURN_METHODS.get(terms["method"], "https://schema.org/ReturnByMail"),
    }
    if terms["fees"] == "free":
        policy["returnFees"] = "https://schema.org/FreeReturn"
    else:
        policy["returnFees"] = "https://schema.org/ReturnShippingFees"
        policy["returnShippingFeesAmount"] = {
            "@type": "MonetaryAmount", "value": f"{terms['fees']:.2f}", "currency": "USD",
        }
    return policy


@register.simple_tag
def reviews_config():
    return {"anonymous": settings.OSCAR_ALLOW_ANON_REVIEWS, "moderated": settings.OSCAR_MODERATE_REVIEWS}


@register.simple_tag(takes_context=True)
def recently_viewed(context, current_product=None):
    """The products this visitor viewed last (Oscar's history cookie), without current_product.

    On the product page they come loaded with the page (product.page.viewed)."""
    page = getattr(current_product, "page", None)
    if page is not None:
        return page.viewed
    return product_page._recently_viewed(context["request"], current_product)

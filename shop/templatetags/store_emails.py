"""What every customer email shows around its words: the store's name, address and links.

Emails are rendered without a request (Oscar's dispatcher, huey tasks), so context processors
do not run; shop/emails/base.html and base.txt ask for these with {% email_brand as brand %}.
Every link is absolute and starts from SITE_URL (shop.links), never from a request's host.
"""

from django import template
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

from shop.links import absolute_url

register = template.Library()


def _absolute(url):
    return absolute_url(url) if url.startswith("/") and not url.startswith("//") else url


def _url_or_empty(name):
    try:
        return absolute_url(reverse(name))
    except NoReverseMatch:  # the app providing it is not installed
        return ""


def brand():
    return {
        "name": settings.OSCAR_SHOP_NAME,
        "tagline": getattr(settings, "OSCAR_SHOP_TAGLINE", ""),
        "home_url": absolute_url("/"),
        "logo_url": _absolute(static("shop/img/logo-email.png")),
        "postal_address": getattr(settings, "NEWSLETTER_POSTAL_ADDRESS", ""),
        "contact_url": _url_or_empty("support:contact"),
        "account_url": _url_or_empty("customer:summary"),
    }


@register.simple_tag
def email_brand():
    """{% email_brand as brand %}: brand.name, home_url, logo_url, postal_address, contact_url, account_url."""
    return brand()


@register.simple_tag
def absolute(url):
    """{% absolute some_path %}: a path on this site as an absolute SITE_URL link; full URLs unchanged."""
    return _absolute(str(url or ""))


@register.simple_tag
def payment_in_words(order):
    """How the order was paid, as a shopper says it: "Visa ending 4242", "Card ending 4242", "Card", "Demo payment"."""
    try:
        payment = order.checkout_payment
    except (ObjectDoesNotExist, AttributeError):  # no checkout payment: an order made in the dashboard or a test
        payment = None
    if payment is not None and getattr(payment, "is_demo", False):
        return "Demo payment"
    # The checkout keeps the card's words on Oscar's payment source ("Visa ending 4242", placement.py).
    labels = [source.label for source in order.sources.all() if source.label]
    return labels[0] if labels else "Card"

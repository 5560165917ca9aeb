from django import template

from newsletter.consent import get_consent

register = template.Library()


@register.simple_tag
def newsletter_consent():
    """The current consent wording and its version, for the sign-up form."""
    return get_consent()

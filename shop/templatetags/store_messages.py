"""Messages as the shopper reads them (shop/templates/oscar/partials/alert_messages.html)."""

from dataclasses import dataclass

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@dataclass
class Combined:
    """Two of Oscar's messages shown as one (same interface as a message in the template)."""

    message: str
    tags: str

    def __str__(self):
        return self.message


@register.filter
def combined(messages):
    """Oscar follows "X is in your cart" (success) with the cart's new total (info) after every
    change to the cart: two boxes saying one thing. Shown as one box, the success's colour."""
    shown = []
    for message in messages:
        tags = message.tags.split()
        previous = shown[-1] if shown else None
        if (
            previous is not None
            and "info" in tags and "safe" in tags
            and "success" in previous.tags.split() and "safe" in previous.tags.split()
            and not isinstance(previous, Combined)
        ):
            html = f"{previous.message} {message.message}"
            shown[-1] = Combined(mark_safe(html), previous.tags)  # both parts are Oscar's rendered templates
            continue
        shown.append(message)
    return shown

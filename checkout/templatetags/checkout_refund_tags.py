from django import template

from checkout.dashboard.views import refund_form_for

register = template.Library()


@register.simple_tag
def order_refund_form(order, form=None):
    """The refund form the page was rendered with (bound, with errors) or a fresh one."""
    return form or refund_form_for(order)

from django import template

from fulfilment import statuses, timeline

register = template.Library()


@register.simple_tag(takes_context=True)
def order_fulfilment(context, order):
    """The order page's fulfilment panel: the one its view built (with a refused form's errors), or
    a fresh one when another view renders the page (the checkout's refund form)."""
    from fulfilment.dashboard.views import order_panel

    return context.get("fulfilment") or order_panel(order)


@register.simple_tag
def order_timeline(order):
    return timeline.for_order(order)


@register.filter
def status_badge(status):
    """Bootstrap badge colour of a status on the dashboard."""
    return {
        statuses.PAID: "warning",
        statuses.PROCESSING: "info",
        statuses.SHIPPED: "primary",
        statuses.DELIVERED: "success",
        statuses.CANCELLED: "secondary",
        statuses.RETURNED: "dark",
        statuses.REFUNDED: "secondary",
    }.get(status, "light")

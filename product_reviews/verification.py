"""Who counts as a verified buyer of a product: a customer whose account placed an order with the
product in it, unless that order was cancelled or refunded in full. Orders placed as a guest are
not counted: an unconfirmed email address on an account proves nothing."""

from django.db.models import Exists
from oscar.core.loading import get_model

from fulfilment import statuses

Line = get_model("order", "Line")

# An order in one of these was taken back as a whole; its buyer no longer counts.
NOT_BOUGHT = (statuses.CANCELLED, statuses.REFUNDED)


def bought(*, product_ref, user_ref):
    """An Exists() expression: the user (a value or an OuterRef) bought the product (ditto)."""
    lines = Line.objects.filter(product=product_ref, order__user=user_ref).exclude(order__status__in=NOT_BOUGHT)
    return Exists(lines)


def has_bought(user, product):
    if not user.is_authenticated:
        return False
    return Line.objects.filter(product=product, order__user=user).exclude(order__status__in=NOT_BOUGHT).exists()

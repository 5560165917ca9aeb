"""Every change of a checkout basket's state, in one place, through Oscar's own methods
(Basket.freeze, thaw, submit): a basket is frozen while it is being paid for, thawed when the
payment did not go through, submitted when its order is placed."""

import logging

from django.conf import settings
from oscar.core.loading import get_class, get_model

from checkout.models import CheckoutPayment

logger = logging.getLogger("oscar.checkout")

Basket = get_model("basket", "Basket")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


def freeze(basket):
    """The payment page: no change to the basket while it is paid for."""
    if basket.status != Basket.FROZEN:
        basket.freeze()


def lock(basket_id):
    """The basket row, locked until the transaction ends (placement, refunds, failures)."""
    return Basket.objects.select_for_update().get(pk=basket_id)


def thaw(basket_id):
    """A payment that did not become an order: the basket is the shopper's to change again."""
    basket = lock(basket_id)
    if basket.status == Basket.FROZEN:
        basket.thaw()
    return basket


def submit(basket):
    basket.submit()


def unpaid_checkout_basket(request):
    """The basket this browser's checkout froze for a payment that is still unpaid, or None."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None  # no session, no checkout: and no session is created for the lookup
    checkout = CheckoutSessionData(request)
    basket_id = checkout.get_submitted_basket_id()
    if not basket_id:
        return None
    intent_id = checkout.get_payment_intent_id()
    payment = CheckoutPayment.objects.filter(intent_id=intent_id).first() if intent_id else None
    if payment is not None and payment.status != CheckoutPayment.PENDING:
        return None  # placed (the basket is submitted) or refunded (which gives it back itself)
    user = request.user if request.user.is_authenticated else None
    return Basket.objects.filter(pk=basket_id, status=Basket.FROZEN, owner=user).first()


def give_back(request):
    """As Oscar's OrderPlacementMixin.restore_frozen_basket: thaw the basket frozen for an unpaid
    payment, merge into it anything added meanwhile, and make it this request's basket (Oscar's
    basket middleware then sets the cookie). False if there was none."""
    frozen = unpaid_checkout_basket(request)
    if frozen is None:
        return False
    frozen.thaw()
    current = request.basket
    if current.id and current.id != frozen.id:
        frozen.merge(current)
    frozen.strategy = current.strategy
    request.basket = request._basket_cache = frozen
    logger.info("Basket %s given back: its payment was not finished", frozen.id)
    return True

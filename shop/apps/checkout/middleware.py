"""The basket page gives back a basket frozen for a payment the shopper left unfinished.

The payment page freezes the basket (Oscar's checkout does), and Oscar's basket middleware only
ever loads open baskets: a shopper who leaves the payment page for the basket page (after a
declined card, say) without pressing "Change the basket" would find it empty, and a guest's
basket cookie is even dropped. On the basket page, this does what "Change the basket" does.

Nothing is lost by thawing: the payment page freezes the basket again, the Pay button checks it
is frozen and still costs what the PaymentIntent is for (payments.services.confirm_checkout_details),
and an order is only placed for the total that was paid.
"""

import logging

from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from payments import services
from payments.models import CheckoutPayment

logger = logging.getLogger("oscar.checkout")

Basket = get_model("basket", "Basket")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


def frozen_checkout_basket(request):
    """The basket this browser's checkout froze for a payment that is still unpaid, or None."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None  # no session, no checkout: and no session is created for the lookup
    checkout = CheckoutSessionData(request)
    basket_id = checkout.get_submitted_basket_id()
    if not basket_id:
        return None
    payment = services.payment_for_session(checkout.get_payment_intent_id())
    if payment is not None and payment.status != CheckoutPayment.PENDING:
        return None  # placed (the basket is submitted) or refunded (which gives it back itself)
    user = request.user if request.user.is_authenticated else None
    return Basket.objects.filter(pk=basket_id, status=Basket.FROZEN, owner=user).first()


def give_back_frozen_basket(request):
    """As Oscar's OrderPlacementMixin.restore_frozen_basket: thaw it, merge into it anything added
    meanwhile, and make it this request's basket (Oscar's middleware then sets the cookie)."""
    frozen = frozen_checkout_basket(request)
    if frozen is None:
        return False
    frozen.thaw()
    current = request.basket
    if current.id and current.id != frozen.id:
        frozen.merge(current)
    frozen.strategy = current.strategy
    request.basket = request._basket_cache = frozen
    logger.info("Basket %s given back on the basket page: its payment was not finished", frozen.id)
    return True


class ReturnFrozenBasketMiddleware:
    """After oscar.apps.basket.middleware.BasketMiddleware in settings.MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.basket_path = None

    def __call__(self, request):
        if self.basket_path is None:
            self.basket_path = reverse("basket:summary")
        if request.method == "GET" and request.path_info == self.basket_path:
            give_back_frozen_basket(request)
        return self.get_response(request)

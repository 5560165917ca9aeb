"""The basket page gives back a basket frozen for a payment the shopper left unfinished.

The payment page freezes the basket (Oscar's checkout does), and Oscar's basket middleware only
ever loads open baskets: a shopper who leaves the payment page for the basket page (after a
declined card, say) without pressing "Change the basket" would find it empty, and a guest's
basket cookie is even dropped. On the basket page, this does what "Change the basket" does.

Nothing is lost by thawing: the payment page freezes the basket again, the Pay button checks it
is frozen and still costs what the PaymentIntent is for (flow.prepare_payment), and an order is
only placed for the total that was paid.
"""

from django.urls import reverse

from checkout import baskets


class ReturnFrozenBasketMiddleware:
    """After oscar.apps.basket.middleware.BasketMiddleware in settings.MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.basket_path = None

    def __call__(self, request):
        if self.basket_path is None:
            self.basket_path = reverse("basket:summary")
        if request.method == "GET" and request.path_info == self.basket_path:
            baskets.give_back(request)
        return self.get_response(request)

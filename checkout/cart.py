"""The cart page: Oscar's BasketView, priced in a number of queries that does not grow with the
number of lines (issue 18's budget: at most 10 for an anonymous shopper), without JavaScript.

Oscar's view asks for the shipping methods twice (once for the list, once for the default), looks
up each line's stock record again although the line holds it (Oscar's strategy ignores it),
loads each product's class one by one, and queries every offer again for the upsell messages.
"""

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from oscar.apps.basket import views
from oscar.core.loading import get_class

Applicator = get_class("offer.applicator", "Applicator")

# The active site offers, for the "add this to qualify" hints only (applying an offer always reads
# them fresh): a minute old at most.
SITE_OFFERS_KEY = "cart:site-offers"
SITE_OFFERS_SECONDS = 60


class CartView(views.BasketView):
    def get_queryset(self):
        lines = super().get_queryset()
        lines_list = list(lines)  # the basket's own cached lines: offers may have priced them
        prefetch_related_objects(lines_list, "product__product_class", "product__parent__product_class")
        strategy = self.request.basket.strategy
        for line in lines_list:
            if not hasattr(line, "_info"):
                # Oscar's Line.purchase_info cache, filled from the stock record the line was
                # added with (select_related) instead of a query per line for the first one.
                line._info = strategy.fetch_for_product(line.product, line.stockrecord)
        return lines

    def get_shipping_methods(self, basket):
        if not hasattr(self, "_shipping_methods"):
            self._shipping_methods = super().get_shipping_methods(basket)
        return self._shipping_methods

    def get_default_shipping_method(self, basket):
        """The cheapest method (the repository orders them by price), as an estimate: the
        shopper chooses at checkout, where the address decides what is offered."""
        methods = self.get_shipping_methods(basket)
        if not methods:
            return super().get_default_shipping_method(basket)
        return methods[0]

    def get_upsell_messages(self, basket):
        offers = cache.get(SITE_OFFERS_KEY)
        if offers is None:
            offers = list(Applicator().get_site_offers())
            cache.set(SITE_OFFERS_KEY, offers, SITE_OFFERS_SECONDS)
        applied = list(basket.offer_applications.offers.values())
        return [
            {"message": offer.get_upsell_message(basket), "offer": offer}
            for offer in offers
            if offer.is_condition_partially_satisfied(basket) and offer not in applied
        ]

"""The cart page: Oscar's BasketView, priced in a number of queries that does not grow with the
number of lines (issue 18's budget: at most 10 for an anonymous shopper), without JavaScript.

Oscar's view asks for the shipping methods twice (once for the list, once for the default), looks
up each line's stock record again although the line holds it (Oscar's strategy ignores it),
loads each product's class one by one, and queries every offer again for the upsell messages.

An anonymous shopper's cart is kept by the page cache per basket (shop/pagecache.py): a change of
the basket, a voucher, an offer, shipping, or a price or shelf state of a product in it renders it
again, and so does the moment an offer or voucher starts or ends, which no save announces
(`PAGE_UNTIL`, from `offer_changes`).
"""

import time
from bisect import bisect_right

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.utils import timezone
from oscar.apps.basket import views
from oscar.core.loading import get_class, get_model

from shop import fragments
from shop.pagecache import PAGE_UNTIL, may_store
from shop.pagedeps import VOUCHERS, used

Applicator = get_class("offer.applicator", "Applicator")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")

# The active site offers, for the "add this to qualify" hints only (applying an offer always reads
# them fresh): a minute old at most.
SITE_OFFERS_KEY = "cart:site-offers"
SITE_OFFERS_SECONDS = 60
# Start and end times of offers and vouchers known ahead, per kind (vouchers of one set share theirs).
KNOWN_CHANGES = 500


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if may_store(self.request):
            setattr(self.request, PAGE_UNTIL, next_offer_change(self.request))
        return context

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


def next_offer_change(request, now=None):
    """When an offer or a voucher next starts or ends (time.time_ns()), or None if none will: until
    then the cart's discounts stay as rendered. A time already past when more were known than
    listed: the cart is not kept."""
    now = time.time_ns() if now is None else now
    changes, complete = fragments.value(request, "offer-changes", [], offer_changes)
    index = bisect_right(changes, now)
    if index < len(changes):
        return changes[index]
    return None if complete else now


def offer_changes():
    """([the start and end times after now of every offer and voucher, in ns, sorted], whether all
    were listed). Offers are site rows (tag "site", always a dependency); vouchers name theirs."""
    used(VOUCHERS)
    now = timezone.now()
    found, cutoff = set(), None
    for model in (ConditionalOffer, Voucher):
        for field in ("start_datetime", "end_datetime"):
            times = [
                _ns(moment) for moment in
                model.objects.filter(**{f"{field}__gt": now}).order_by(field)
                .values_list(field, flat=True).distinct()[:KNOWN_CHANGES]
            ]
            found.update(times)
            if len(times) == KNOWN_CHANGES:  # more after the last one: known only up to there
                cutoff = times[-1] if cutoff is None else min(cutoff, times[-1])
    if cutoff is None:
        return sorted(found), True
    return sorted(moment for moment in found if moment <= cutoff), False


def _ns(moment):
    return int(moment.timestamp()) * 10**9 + moment.microsecond * 1000

"""Oscar's catalogue views, with the product page loaded in a fixed number of queries
(catalogue/product_page.py). Found by Oscar's class loader: get_class("catalogue.views", ...)."""

from django.db import transaction
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from oscar.apps.catalogue import views as oscar_views

from catalogue import product_page


# The page only reads (views are counted in the cache, shop/analytics.py): no request transaction,
# whose BEGIN and COMMIT were two of its database round trips.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ProductDetailView(oscar_views.ProductDetailView):
    def get_queryset(self):
        return product_page.product_queryset()

    def get_object(self, queryset=None):
        read = None
        if hasattr(self, "object"):
            product = self.object
        elif queryset is None and "pk" in self.kwargs:
            product, read = product_page.get_product(self.kwargs["pk"])
            if product is None:
                raise Http404(_("No product found matching the query"))
        else:
            product = super().get_object(queryset)
        product_page.load(product, self.request, read)
        return product


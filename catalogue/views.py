"""Oscar's catalogue views, with the product page loaded in a fixed number of queries
(catalogue/product_page.py). Found by Oscar's class loader: get_class("catalogue.views", ...)."""

from oscar.apps.catalogue import views as oscar_views

from catalogue import product_page


class ProductDetailView(oscar_views.ProductDetailView):
    def get_queryset(self):
        return product_page.product_queryset()

    def get_object(self, queryset=None):
        product = super().get_object(queryset)
        product_page.load(product, self.request)
        return product


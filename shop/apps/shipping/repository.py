from oscar.apps.shipping import repository
from oscar.core.loading import get_model

from tax import service as sales_tax

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
ShippingAddress = get_model("order", "ShippingAddress")


class Repository(repository.Repository):
    """Shipping methods are rows staff edit in the dashboard (Fulfilment > Shipping charges).

    seed_demo creates "Standard" (free over a threshold) and "Express". A method limited to
    some countries is only offered when the shipping address is in one of them.
    """

    def get_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        """For the checkout's shipping address, each method's charge comes with the sales tax for
        that address (tax.service.TaxedShippingMethod). The basket page passes the address book's
        default address only to guess a method: prices stay before tax there."""
        methods = super().get_shipping_methods(basket, shipping_addr=shipping_addr, **kwargs)
        if not isinstance(shipping_addr, ShippingAddress):
            return methods
        return [sales_tax.TaxedShippingMethod(method, shipping_addr) for method in methods]

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        methods = OrderAndItemCharges.objects.prefetch_related("countries").order_by("price_per_order", "name")
        if shipping_addr is None:
            return list(methods)
        country = shipping_addr.country_id
        return [m for m in methods if not m.countries.all() or any(c.pk == country for c in m.countries.all())]

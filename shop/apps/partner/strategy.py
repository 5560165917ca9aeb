"""The store's pricing strategy: Oscar's US strategy. Prices are before sales tax, which is only
known once the shipping address is (tax.service.apply_tax sets it on each basket line).

It also tells the page cache (shop/pagecache.py) what a page shows of each product it prices:
product:<id> (price and the product itself) and avail:<id> (the shelf state,
shop/apps/partner/availability.py) always, and stock:<id> on the product's own page, which says
how many are left."""

from oscar.apps.partner import availability as oscar_availability
from oscar.apps.partner import prices, strategy

from shop.apps.partner.availability import ShelfAvailability, threshold_of
from shop.pagedeps import depends_on, recording_now


class PriceBeforeTax(prices.FixedPrice):
    """Oscar's FixedPrice with the tax deferred: `is_tax_known` stays False until the checkout
    sets `tax`. Until then `incl_tax` is the shelf price before tax (Oscar's raises TaxNotKnown),
    which is what a US store shows, so pages that print `price.incl_tax` show the shelf price
    instead of failing."""

    @property
    def incl_tax(self):
        if self.is_tax_known:
            return self.excl_tax + self.tax
        return self.excl_tax


class DeferredTax(strategy.DeferredTax):
    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        return PriceBeforeTax(currency=stockrecord.price_currency, excl_tax=stockrecord.price)

    def parent_pricing_policy(self, product, children_stock):
        stockrecords = [stockrecord for _child, stockrecord in children_stock if stockrecord is not None]
        if not stockrecords:
            return prices.Unavailable()
        return PriceBeforeTax(currency=stockrecords[0].price_currency, excl_tax=stockrecords[0].price)


class ShelfStockRequired(strategy.StockRequired):
    """Oscar's StockRequired, worded by shelf state except on the product's own page."""

    def availability_policy(self, product, stockrecord):
        policy = super().availability_policy(product, stockrecord)
        if isinstance(policy, oscar_availability.StockRequired):
            policy = ShelfAvailability(policy.num_available, threshold_of(stockrecord), self.is_own_page(product))
        return policy

    def is_own_page(self, product):
        """Whether the request renders this product's page (or its parent's): there the stock is
        shown exactly. Without a request (tasks, commands) it is always exact."""
        match = getattr(getattr(self, "request", None), "resolver_match", None)
        if match is None:
            return getattr(self, "request", None) is None
        if match.view_name != "catalogue:detail":
            return False
        return str(match.kwargs.get("pk")) in (str(product.pk), str(product.parent_id))


class PageDependencies:
    """Tells the page being rendered which products' price and stock it shows."""

    def fetch_for_product(self, product, stockrecord=None):
        if recording_now():
            depends_on(*product_tags(product, self.is_own_page(product)))
        return super().fetch_for_product(product, stockrecord)

    def fetch_for_line(self, line, stockrecord=None):
        """A basket line is priced from the stock record it holds, read with the line, instead of
        Oscar's default, which asks the database for the product's first record again for every
        line of every cart, payment and order. The store has one partner: it is the same record."""
        if stockrecord is not None and stockrecord.product_id == line.product_id:
            return self.fetch_for_product(line.product, stockrecord)
        return super().fetch_for_line(line, stockrecord)

    def select_children_stockrecords(self, product):
        records = super().select_children_stockrecords(product)
        if recording_now():
            depends_on(*product_tags(product, self.is_own_page(product)))
            for child, _record in records:
                depends_on(*product_tags(child, self.is_own_page(child)))
        return records


def product_tags(product, exact_stock):
    """The product's own page shows the exact stock (a live hole, shop/livestock.py) and, like every
    other page, its shelf state: the add-to-cart form and the JSON-LD follow the state."""
    if exact_stock:
        return (f"product:{product.pk}", f"avail:{product.pk}", f"stock:{product.pk}")
    return (f"product:{product.pk}", f"avail:{product.pk}")


class US(PageDependencies, strategy.UseFirstStockRecord, ShelfStockRequired, DeferredTax, strategy.Structured):
    """The first stock record, stock required, prices before tax."""


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return US(request)

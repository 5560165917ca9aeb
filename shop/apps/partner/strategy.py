"""The store's pricing strategy: Oscar's US strategy. Prices are before sales tax, which is only
known once the shipping address is (tax.service.apply_tax sets it on each basket line)."""

from oscar.apps.partner import prices, strategy


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


class US(strategy.UseFirstStockRecord, strategy.StockRequired, DeferredTax, strategy.Structured):
    """The first stock record, stock required, prices before tax."""


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return US(request)

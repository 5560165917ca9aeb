"""Browsing the catalogue from the database: the product list, its filters and their counts.

Filters carry real labels: category names, price ranges in dollars, "In stock". Every page costs
the same few queries whatever the number of products (what a product card reads is prefetched).
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")


@dataclass(frozen=True)
class PriceRange:
    key: str
    label: str
    low: Decimal | None
    high: Decimal | None

    @property
    def condition(self):
        q = Q()
        if self.low is not None:
            q &= Q(min_price__gte=self.low)
        if self.high is not None:
            q &= Q(min_price__lt=self.high)
        return q


PRICE_RANGES = [
    PriceRange("under-20", "Under $20", None, Decimal(20)),
    PriceRange("20-50", "$20 to $50", Decimal(20), Decimal(50)),
    PriceRange("50-up", "$50 and over", Decimal(50), None),
]
SORTS = {
    "featured": ("Featured", ["-priority", "-date_created", "-pk"]),
    "price-asc": ("Price, low to high", [F("min_price").asc(nulls_last=True), "title"]),
    "price-desc": ("Price, high to low", [F("min_price").desc(nulls_last=True), "title"]),
    "newest": ("Newest", ["-date_created", "-pk"]),
    "title": ("Name, A to Z", ["title", "pk"]),
}


class BrowseForm(forms.Form):
    """The list's filters and order. A value the form does not know is ignored, never an error."""

    price = forms.ChoiceField(
        label="Price", required=False, choices=[("", "Any price")] + [(r.key, r.label) for r in PRICE_RANGES]
    )
    in_stock = forms.BooleanField(label="In stock", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[(k, v[0]) for k, v in SORTS.items()])

    def choices(self):
        """The valid values only: a field with a bad value counts as not chosen."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "price": next((r for r in PRICE_RANGES if r.key == data.get("price")), None),
            "in_stock": bool(data.get("in_stock")),
            "sort": data.get("sort") or "featured",
        }


def _stock_of(outer):
    """A product's own stock records, or its variants' for a parent."""
    return StockRecord.objects.filter(Q(product=outer) | Q(product__parent=outer))


def _available():
    """Oscar's default stock rule: a product class that tracks no stock is always available,
    otherwise some stock record has stock left over what is allocated."""
    has_stock = Exists(
        _stock_of(OuterRef("pk"))
        .annotate(net=Coalesce("num_in_stock", 0) - Coalesce("num_allocated", 0))
        .filter(net__gt=0)
    )
    return ExpressionWrapper(Q(product_class__track_stock=False) | Q(has_stock), output_field=BooleanField())


IN_STOCK = Q(available=True)


def products_in(category=None):
    """What the list shows: public products (variants through their parent), with their lowest
    price and whether they are in stock."""
    products = Product.objects.browsable().annotate(
        min_price=Subquery(_stock_of(OuterRef("pk")).order_by("price").values("price")[:1]),
        available=_available(),
    )
    if category is not None:
        in_subtree = ProductCategory.objects.filter(product=OuterRef("pk"), category__path__startswith=category.path)
        products = products.filter(Exists(in_subtree))
    return products


def filtered(products, choices):
    if choices["price"] is not None:
        products = products.filter(choices["price"].condition)
    if choices["in_stock"]:
        products = products.filter(IN_STOCK)
    return products.order_by(*SORTS[choices["sort"]][1])


def in_order(ids):
    """The products with these ids, in this order (one query, when evaluated)."""
    order = Case(*(When(pk=pk, then=position) for position, pk in enumerate(ids)), output_field=IntegerField())
    return Product.objects.filter(pk__in=ids).order_by(order) if ids else Product.objects.none()


def for_cards(products, prefetch=True):
    """What a product card reads (price, stock, image, type), fetched for the whole page at once.
    prefetch=False leaves the stock records and images to the template's cached grid fragment
    ({% prefetch %} inside it: shop/templatetags/fragments.py), so a hit asks for neither."""
    products = products.select_related("product_class", "parent__product_class")
    return products.prefetch_related("stockrecords", "images") if prefetch else products


def filter_counts(products, choices):
    """How many products the list shows, and each filter would show given the other: one query."""
    stock = IN_STOCK if choices["in_stock"] else Q()
    price = choices["price"].condition if choices["price"] is not None else Q()
    counts = products.aggregate(
        shown=Count("pk", filter=stock & price),  # the paginator's count: no query of its own
        in_stock=Count("pk", filter=IN_STOCK & price),
        **{r.key: Count("pk", filter=r.condition & stock) for r in PRICE_RANGES},
    )
    return {
        "shown": counts["shown"],
        "prices": [(r, counts[r.key]) for r in PRICE_RANGES],
        "in_stock": counts["in_stock"],
    }


@dataclass
class CategoryLink:
    category: object
    url: str
    depth: int
    count: int
    current: bool = False
    ancestor_of_current: bool = False


def category_links(current=None):
    """Every browsable category holding a public product, in tree order, with its product count
    (its subtree's) and URL: two queries, no per-category look-up."""
    categories = list(Category.objects.browsable().order_by("path"))
    by_path = {c.path: c for c in categories}
    pairs = ProductCategory.objects.filter(product__is_public=True, product__parent=None).values_list(
        "category__path", "product_id"
    )
    products_under = {c.path: set() for c in categories}
    step = Category.steplen
    for path, product_id in pairs:
        for end in range(step, len(path) + 1, step):
            if path[:end] in products_under:
                products_under[path[:end]].add(product_id)
    links = []
    for category in categories:
        count = len(products_under[category.path])
        if not count:
            continue
        slugs = [by_path[category.path[:end]].slug for end in range(step, len(category.path) + 1, step)
                 if category.path[:end] in by_path]
        url = reverse("catalogue:category", kwargs={"category_slug": "/".join(slugs), "pk": category.pk})
        links.append(CategoryLink(
            category=category, url=url, depth=category.depth, count=count,
            current=current is not None and category.pk == current.pk,
            ancestor_of_current=current is not None and current.path.startswith(category.path)
            and category.pk != current.pk,
        ))
    return links

"""The search results page and the catalogue's product lists, both answered from the database."""

import re
from collections import Counter
from urllib.parse import unquote

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.html import strip_tags
from django.views import View
from django_ratelimit.core import is_ratelimited
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_model

from content_pages.models import Article, TutorialVideo
from shop import fragments
from shop.pagedeps import SHELF, used

from . import backends
from . import catalogue as browse
from .models import SearchDocument
from .query import MAX_LENGTH, MAX_TERMS, QueryTooLong, parse
from .snippets import excerpt

Kind = SearchDocument.Kind
Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

HEADING_END = re.compile(r"</h[1-6]>", re.IGNORECASE)
RETRY_AFTER = 60  # seconds the rate-limited page asks to wait


# The parameters a list or results link carries on; anything else in the address is left behind.
KNOWN_PARAMS = ("q", "type", "price", "in_stock", "sort")


def _params(request):
    params = request.GET.copy()
    for key in list(params):
        if key not in KNOWN_PARAMS:
            del params[key]
    return params


def url_with(request, **changes):
    """This page's address with some query parameters changed (None removes one), back on page 1."""
    params = _params(request)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return f"{request.path}?{params.urlencode()}" if params else request.path


def page_links(request, page):
    """Links to the previous, next and nearby pages, each keeping the query's other parameters."""
    if page.paginator.num_pages < 2:
        return None

    def link(number):
        params = _params(request)
        params["page"] = number
        return f"{request.path}?{params.urlencode()}"

    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    pages, previous = [], 0
    for number in shown:
        if number > previous + 1:
            pages.append(None)  # a gap: "..."
        pages.append({"number": number, "url": link(number), "current": number == page.number})
        previous = number
    return {
        "previous": link(page.number - 1) if page.has_previous() else None,
        "next": link(page.number + 1) if page.has_next() else None,
        "pages": pages,
    }


class SearchView(View):
    """Products, articles and tutorial videos in one page: a group per kind, each ranked best
    first, with the count of each kind. `type=` narrows to one kind, with pages."""

    template_name = "oscar/search/results.html"
    group_size = {Kind.PRODUCT: 8, Kind.ARTICLE: 5, Kind.VIDEO: 5}
    per_page = 12
    labels = {Kind.PRODUCT: ("product", "products", "Products"),
              Kind.ARTICLE: ("article", "articles", "Articles"),
              Kind.VIDEO: ("video", "videos", "Tutorial videos")}

    def get(self, request, *args, **kwargs):
        if is_ratelimited(request, group="search", key="ip", rate=settings.STORE_SEARCH_RATE, method="GET",
                          increment=True):
            response = self.render(request, {"limited": True, "retry_after": RETRY_AFTER}, status=429)
            response["Retry-After"] = str(RETRY_AFTER)
            return response
        raw = request.GET.get("q", "")
        try:
            query = parse(raw)
        except QueryTooLong as error:
            return self.render(request, {"error": str(error), "q": raw[:MAX_LENGTH]}, status=400)
        kind = request.GET.get("type")
        kind = kind if kind in Kind.values else None
        hits = backends.find(query)
        if query:
            user_search.send(sender=self, session=request.session, user=request.user, query=query.text)
        counts = Counter(hit[0] for hit in hits)
        if kind and not counts[kind]:
            kind = None  # nothing of that kind: show all kinds rather than an empty page
        context = {
            "q": raw,
            "query": query,
            "max_terms": MAX_TERMS,
            "total": len(hits),
            "kind": kind,
            "tabs": self.tabs(request, counts, kind),
        }
        if kind:
            page = Paginator([h for h in hits if h[0] == kind], self.per_page).get_page(request.GET.get("page"))
            context["page_obj"] = page
            context["pagination"] = page_links(request, page)
            context["groups"] = [self.group(request, kind, list(page.object_list), counts[kind], query)]
        else:
            # Products first (it is a shop), then articles, then videos; each group ranked.
            context["groups"] = [
                self.group(request, k, [h for h in hits if h[0] == k][: self.group_size[k]], counts[k], query)
                for k in Kind.values
                if counts[k]
            ]
        if not hits:
            context["suggested_products"] = list(
                browse.for_cards(browse.products_in().order_by(*browse.SORTS["featured"][1]))[:4]
            )
            context["suggested_articles"] = list(Article.objects.published().only("title", "slug", "summary")[:3])
        return self.render(request, context)

    def render(self, request, context, status=200):
        context.setdefault("q", request.GET.get("q", "")[:MAX_LENGTH])
        return render(request, self.template_name, context, status=status)

    def tabs(self, request, counts, current):
        tabs = [{"label": "All", "count": sum(counts.values()), "url": url_with(request, type=None),
                 "current": current is None}]
        for kind in Kind.values:
            tabs.append({"label": self.labels[kind][2], "count": counts[kind], "url": url_with(request, type=kind),
                         "current": current == kind})
        return tabs

    def group(self, request, kind, hits, count, query):
        ids = [object_id for _kind, object_id, _rank in hits]
        objects = self.load(kind, ids)
        items = []
        for object_id in ids:
            obj = objects.get(object_id)
            if obj is None:  # its document outlived it for a moment: skip, never fail
                continue
            items.append({"object": obj, "excerpt": excerpt(self.text_of(kind, obj), query.terms)})
        singular, plural, heading = self.labels[kind]
        return {
            "kind": kind,
            "heading": heading,
            "count": count,
            "noun": singular if count == 1 else plural,
            "items": items,
            "more_url": url_with(request, type=kind) if count > len(items) else None,
        }

    @staticmethod
    def load(kind, ids):
        if not ids:
            return {}
        if kind == Kind.PRODUCT:
            queryset = browse.for_cards(Product.objects.browsable())
        elif kind == Kind.ARTICLE:
            queryset = Article.objects.published().only(
                "title", "slug", "summary", "body", "publish_at", "hero_image", "hero_alt"
            )
        else:
            queryset = TutorialVideo.objects.all()
        return queryset.in_bulk(ids)

    @staticmethod
    def text_of(kind, obj):
        if kind == Kind.PRODUCT:
            return strip_tags(obj.description)
        if kind == Kind.ARTICLE:
            return f"{obj.summary} {strip_tags(HEADING_END.sub('. ', obj.body))}"  # "Introduction. When..."
        return obj.description


# The catalogue only reads: no request transaction (ATOMIC_REQUESTS), whose BEGIN and COMMIT are two
# round trips of every render. Search stays in one: Oscar records each query.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CatalogueView(View):
    """Every public product, with filters (category, price, in stock) and an order."""

    template_name = "oscar/catalogue/browse.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, self.get_context_data())

    def get_category(self):
        return None

    def get_context_data(self, **kwargs):
        request = self.request
        category = self.get_category()
        form = browse.BrowseForm(request.GET)
        choices = form.choices()
        selected_price = choices["price"]
        requested = request.GET.get("page", "")
        requested = requested if requested.isdigit() and len(requested) <= 6 else None  # else the first page
        # Which products, in which order, and the filter counts: the same for every shopper given the
        # filters, cached by what they are computed from (compiling those two queries was most of a render).
        price_key = selected_price.key if selected_price else None
        vary = [category, price_key, choices["in_stock"], choices["sort"], requested]
        listing = fragments.value(request, "catalogue-listing", vary, lambda: _listing(category, choices, requested))
        counts = listing["counts"]
        paginator = Paginator([], settings.OSCAR_PRODUCTS_PER_PAGE)
        paginator.count = counts["shown"]
        # The page's rows for its cards: queried only if the grid's fragment is not cached.
        page = Page(browse.for_cards(browse.in_order(listing["ids"]), prefetch=False), listing["number"], paginator)
        return {
            "category": category,
            "summary": category.name if category else "All products",
            "products": page.object_list,
            "product_ids": listing["ids"],
            "page_obj": page,
            "paginator": page.paginator,
            "pagination": page_links(request, page),
            "form": form,
            # The same for every shopper: cached by the page cache's tags (categories: "site").
            "categories": fragments.value(request, "category-links", [category], lambda: _category_links(category)),
            "price_filters": [
                {"label": price.label, "count": count, "selected": price == selected_price,
                 "url": url_with(request, price=None if price == selected_price else price.key)}
                for price, count in counts["prices"]
            ],
            "in_stock": {"label": "In stock", "count": counts["in_stock"], "selected": choices["in_stock"],
                         "url": url_with(request, in_stock=None if choices["in_stock"] else "1")},
            "sort": choices["sort"],
            "sort_keeps": [(key, value) for key, value in (
                ("price", selected_price.key if selected_price else None),
                ("in_stock", "1" if choices["in_stock"] else None),
            ) if value],
            "sort_choices": [(key, label) for key, (label, _order) in browse.SORTS.items()],
            "filtered": bool(selected_price or choices["in_stock"]),
            "clear_url": url_with(request, price=None, in_stock=None),
        }


def _listing(category, choices, requested):
    """{"counts": the filter counts, "number": the page shown, "ids": its products in order}."""
    used("list:catalogue", SHELF)  # which products are listed, their prices and shelf states
    scope = browse.products_in(category)
    counts = browse.filter_counts(scope, choices)
    ids = browse.filtered(scope, choices).values_list("pk", flat=True)
    paginator = Paginator(ids, settings.OSCAR_PRODUCTS_PER_PAGE)
    paginator.count = counts["shown"]  # counted with the filters, in the same query
    page = paginator.get_page(requested)
    return {"counts": counts, "number": page.number, "ids": list(page.object_list)}


def _category_links(category):
    used("list:catalogue")  # which products are public and where they are filed
    return browse.category_links(category)


class ProductCategoryView(CatalogueView):
    """The products of one category and its subcategories, at the category's canonical address."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        if not (self.category.is_public and self.category.ancestors_are_public) and not request.user.is_staff:
            raise Http404("No such category")
        expected = self.category.get_absolute_url()
        if unquote(expected) != unquote(request.path):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{expected}?{query}" if query else expected)
        return super().get(request, *args, **kwargs)

    def get_category(self):
        return self.category

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ancestors"] = list(self.category.get_ancestors())
        return context


FacetedSearchView = SearchView  # Oscar's name for the search view, for anything that loads it by name

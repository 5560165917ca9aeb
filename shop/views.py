import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from shop.cache import check_cache_health

Product = get_model("catalogue", "Product")
logger = logging.getLogger(__name__)


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # it only reads: no BEGIN, COMMIT
class HomeView(TemplateView):
    """The brand's front page: the QL Claw hero, its benefits and the accessories."""

    template_name = "shop/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        products = list(
            Product.objects.browsable()
            .filter(is_public=True)
            .select_related("product_class")
            .prefetch_related("stockrecords")  # the images: in the page's fragments, when they render
            .order_by("-priority", "title")
        )
        hero = next((p for p in products if p.upc == settings.STORE_HERO_PRODUCT_UPC), None)
        if hero is None and products:
            hero = products[0]
        context["hero"] = hero
        context["accessories"] = [p for p in products if p != hero]
        context["home_products"] = products  # their images: read by the page's fragments, when they render
        return context


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /basket/",
        "Disallow: /checkout/",
        "Disallow: /accounts/",
        "Disallow: /dashboard/",
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@never_cache
@require_GET
@transaction.non_atomic_requests  # or ATOMIC_REQUESTS would fail before the check, with a 500
def health(request):
    """200 when this server reaches PostgreSQL and Redis, else 503.

    The store serves and sells without Redis (shop/cache.py), but operators must know it is down,
    so the cache is checked with a real round trip, not through the cache's fail-soft fallback.
    ?only=database answers for the database alone (the body still reports both): a load balancer
    probing that does not take every server out of rotation when only Redis is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            checks["database"] = cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unreachable")
        checks["database"] = False
    try:
        # A real round trip to Redis: the cache itself turns a failure into a miss for the pages.
        checks["cache"] = check_cache_health(cache) is True
    except Exception as error:  # one line per probe: shop.cache logs the outage itself
        logger.warning("Health check: cache unreachable (%s: %s)", type(error).__name__, error)
        checks["cache"] = False
    required = ["database"] if request.GET.get("only") == "database" else list(checks)
    healthy = all(checks[name] for name in required)
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request: its context processors touch the database, which may be
    # the very thing that failed.
    return HttpResponseServerError(loader.get_template("500.html").render())

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class HomeView(TemplateView):
    """The brand's front page: the QL Claw hero, its benefits and the accessories."""

    template_name = "shop/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        products = list(
            Product.objects.browsable()
            .filter(is_public=True)
            .select_related("product_class")
            .prefetch_related("images", "stockrecords")
            .order_by("-priority", "title")
        )
        hero = next((p for p in products if p.upc == settings.STORE_HERO_PRODUCT_UPC), None)
        if hero is None and products:
            hero = products[0]
        context["hero"] = hero
        context["accessories"] = [p for p in products if p != hero]
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


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request: its context processors touch the database, which may be
    # the very thing that failed.
    return HttpResponseServerError(loader.get_template("500.html").render())

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import PolicyPage

PAGES = ["shipping", "returns", "faq", "about", "contact"]


class SupportSitemap(Sitemap):
    priority = 0.4

    def items(self):
        self._updated = dict(PolicyPage.objects.values_list("slug", "updated"))
        return PAGES

    def location(self, item):
        return reverse(f"support:{item}")

    def lastmod(self, item):
        return self._updated.get(item)

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from oscar.core.loading import get_model

from content_pages.sitemaps import ArticleSitemap
from support.sitemaps import SupportSitemap

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")


class StaticViewSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return ["home", "catalogue:index", "content_pages:article-list", "content_pages:tutorial-list"]

    def location(self, item):
        return reverse(item)


class ProductSitemap(Sitemap):
    priority = 0.9

    def items(self):
        return Product.objects.browsable().filter(is_public=True).order_by("pk")

    def lastmod(self, obj):
        return obj.date_updated


class CategorySitemap(Sitemap):
    priority = 0.5

    def items(self):
        return Category.objects.filter(is_public=True).order_by("path")


SITEMAPS = {
    "static": StaticViewSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "articles": ArticleSitemap,
    "support": SupportSitemap,
}

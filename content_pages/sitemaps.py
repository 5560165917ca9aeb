from django.contrib.sitemaps import Sitemap

from .models import Article


class ArticleSitemap(Sitemap):
    priority = 0.7

    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article):
        return article.updated

"""The shop's own rows: what Oscar's analytics app has no table for."""

from django.db import models


class ArticleRecord(models.Model):
    """How many times an article was read, as Oscar's ProductRecord counts product views.

    Counted in the cache on every view (shop/analytics.py) and moved here by the huey task
    shop.tasks.flush_view_counts; content_pages itself knows nothing of it."""

    article = models.OneToOneField("content_pages.Article", on_delete=models.CASCADE, related_name="+")
    num_views = models.PositiveIntegerField(default=0, help_text="Views counted up to the last flush (every 5 min).")

    class Meta:
        verbose_name = "article record"

    def __str__(self):
        return f"{self.article_id}: {self.num_views} views"

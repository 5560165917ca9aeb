from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """What the search reads: one row per product, article and tutorial video, rewritten in the
    same transaction as every save of its source (search/receivers.py). Being in the database, it
    is the same index on every app server and up to date as soon as the save commits.

    On PostgreSQL `search_vector` holds the weighted text (title A, keywords B, body C) under a GIN
    index (migration 0002); on SQLite it stays empty and the fallback reads the text columns.
    """

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        ARTICLE = "article", "Article"
        VIDEO = "video", "Tutorial video"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    keywords = models.TextField(blank=True, help_text="UPC, categories, product type, author.")
    body = models.TextField(blank=True, help_text="Plain text: description, summary and body, transcript.")
    is_public = models.BooleanField(default=True)
    visible_from = models.DateTimeField(
        null=True, blank=True, help_text="A scheduled article is found from its publish date on, without a rewrite."
    )
    search_vector = SearchVectorField(null=True, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

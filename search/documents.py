"""Writes the search documents: one row per product, article and tutorial video (search.models).

Called by the receivers on every save and delete of what a document is made of, inside the same
transaction, and by `manage.py rebuild_search_index` for everything at once (after a bulk
`.update()`, which sends no signal, or on a database that predates the search app).
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value
from django.utils import timezone
from django.utils.html import strip_tags
from oscar.core.loading import get_model

from content_pages.models import Article, TutorialVideo

from .models import SearchDocument

Kind = SearchDocument.Kind
CONFIG = "english"  # PostgreSQL's text search configuration: English stemming and stop words


def _text(html):
    return " ".join(strip_tags(html or "").split())


def _category_names(product):
    """The names of the product's categories and of their ancestors (a tree path is a prefix)."""
    Category = get_model("catalogue", "Category")
    categories = list(product.categories.all())
    if not categories:
        return []
    step = Category.steplen
    ancestor_paths = {c.path[:end] for c in categories for end in range(step, len(c.path), step)}
    ancestors = list(Category.objects.filter(path__in=ancestor_paths)) if ancestor_paths else []
    return [c.name for c in ancestors + categories]


def product_document(product):
    return {
        "title": product.title or product.upc or "",
        "keywords": " ".join([
            product.upc or "",
            product.product_class.name if product.product_class_id else "",
            *_category_names(product),
        ]),
        "body": _text(product.description),
        # Children are reached through their parent; only what the catalogue lists is found.
        "is_public": product.is_public and product.parent_id is None,
        "visible_from": None,
    }


def article_document(article):
    return {
        "title": article.title,
        "keywords": article.author,
        "body": f"{_text(article.summary)} {_text(article.body)}",
        "is_public": article.status == Article.Status.PUBLISHED,
        "visible_from": article.publish_at,  # a scheduled article is found from then on
    }


def video_document(video):
    return {"title": video.title, "keywords": "", "body": _text(video.description), "is_public": True,
            "visible_from": None}


BUILDERS = {Kind.PRODUCT: product_document, Kind.ARTICLE: article_document, Kind.VIDEO: video_document}


def _vector(fields):
    """PostgreSQL's weighted tsvector of these texts, computed by the database in the same write."""
    if connection.vendor != "postgresql":
        return None
    weighted = [
        SearchVector(Value(fields[name], output_field=TextField()), weight=weight, config=CONFIG)
        for name, weight in (("title", "A"), ("keywords", "B"), ("body", "C"))
    ]
    return weighted[0] + weighted[1] + weighted[2]


def write(kind, obj):
    """Create or rewrite the document of `obj`: one UPDATE, or an UPDATE and an INSERT when new."""
    fields = BUILDERS[kind](obj)
    fields["search_vector"] = _vector(fields)
    fields["updated"] = timezone.now()
    if not SearchDocument.objects.filter(kind=kind, object_id=obj.pk).update(**fields):
        SearchDocument.objects.create(kind=kind, object_id=obj.pk, **fields)


def remove(kind, pk):
    SearchDocument.objects.filter(kind=kind, object_id=pk).delete()


def rebuild():
    """Every document written again from its source; documents of deleted rows removed. Returns the count."""
    Product = get_model("catalogue", "Product")
    sources = {
        Kind.PRODUCT: Product.objects.select_related("product_class").prefetch_related("categories"),
        Kind.ARTICLE: Article.objects.all(),
        Kind.VIDEO: TutorialVideo.objects.all(),
    }
    written = 0
    for kind, queryset in sources.items():
        for obj in queryset.iterator(chunk_size=200):
            write(kind, obj)
            written += 1
        SearchDocument.objects.filter(kind=kind).exclude(object_id__in=queryset.model.objects.values("pk")).delete()
    return written

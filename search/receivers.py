"""Keeps the search documents in step with what they are made of, in the saving transaction: a
rolled-back save leaves the document as it was, and a committed one is searchable at once, on
every app server."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.core.loading import get_model

from content_pages.models import Article, TutorialVideo

from . import documents
from .models import SearchDocument

Kind = SearchDocument.Kind


def _skip(kwargs):
    return kwargs.get("raw", False)  # loaddata: rows arrive in any order; rebuild_search_index after


def product_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        documents.write(Kind.PRODUCT, instance)


def product_deleted(sender, instance, **kwargs):
    documents.remove(Kind.PRODUCT, instance.pk)


def product_category_changed(sender, instance, **kwargs):
    """A product put in or taken out of a category: its document lists its category names."""
    if _skip(kwargs):
        return
    Product = get_model("catalogue", "Product")
    product = Product.objects.select_related("product_class").filter(pk=instance.product_id).first()
    if product is not None:  # None while the product itself is being deleted
        documents.write(Kind.PRODUCT, product)


def product_categories_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """product.categories.add/remove/clear and category.product_set.* (bulk: no post_save of the link rows)."""
    Product = get_model("catalogue", "Product")
    if reverse and action == "pre_clear":  # the links are about to go: remember whose they were
        instance._search_cleared = list(instance.product_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        products = [instance]
    else:
        ids = pk_set if action != "post_clear" else getattr(instance, "_search_cleared", [])
        products = Product.objects.filter(pk__in=ids).select_related("product_class")
    for product in products:
        documents.write(Kind.PRODUCT, product)


def category_saved(sender, instance, **kwargs):
    """A renamed category renames itself in the documents of its products and its subtree's."""
    if _skip(kwargs) or kwargs.get("created"):
        return
    Product = get_model("catalogue", "Product")
    products = (
        Product.objects.filter(categories__path__startswith=instance.path)
        .select_related("product_class")
        .distinct()
    )
    for product in products:
        documents.write(Kind.PRODUCT, product)


def article_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        documents.write(Kind.ARTICLE, instance)


def article_deleted(sender, instance, **kwargs):
    documents.remove(Kind.ARTICLE, instance.pk)


def video_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        documents.write(Kind.VIDEO, instance)


def video_deleted(sender, instance, **kwargs):
    documents.remove(Kind.VIDEO, instance.pk)


def connect():
    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    Category = get_model("catalogue", "Category")
    for signal, sender, receiver in [
        (post_save, Product, product_saved),
        (post_delete, Product, product_deleted),
        (post_save, ProductCategory, product_category_changed),
        (post_delete, ProductCategory, product_category_changed),
        (m2m_changed, Product.categories.through, product_categories_changed),
        (post_save, Category, category_saved),
        (post_save, Article, article_saved),
        (post_delete, Article, article_deleted),
        (post_save, TutorialVideo, video_saved),
        (post_delete, TutorialVideo, video_deleted),
    ]:
        signal.connect(receiver, sender=sender, dispatch_uid=f"search-{sender.__name__}-{receiver.__name__}")

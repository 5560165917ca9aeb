"""What makes the product page's cached facts stale (catalogue/product_page.py): a save or delete
of a row the page shows that is not price or stock. Orders change none of these."""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.core.loading import get_model

from catalogue import renditions
from catalogue.product_page import bump_catalogue_version

logger = logging.getLogger(__name__)

WATCHED = [
    ("catalogue", "Product"),
    ("catalogue", "ProductImage"),
    ("catalogue", "Category"),
    ("catalogue", "ProductCategory"),
    ("catalogue", "ProductAttributeValue"),
    ("catalogue", "ProductRecommendation"),
    ("catalogue", "ProductClass"),
    ("catalogue", "ProductAttribute"),
    ("catalogue", "Option"),  # the product row's has_product_options annotations
    ("reviews", "ProductReview"),
]

for app_label, model_name in WATCHED:
    model = get_model(app_label, model_name)
    uid = f"catalogue.page.{app_label}.{model_name}"
    post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=uid + ".save", weak=False)
    post_delete.connect(bump_catalogue_version, sender=model, dispatch_uid=uid + ".delete", weak=False)
# Categories, and the options that decide what the add-to-cart form asks (the cached row's
# has_product_class_options and has_product_options).
for name, through in (
    ("categories", get_model("catalogue", "Product").categories.through),
    ("class-options", get_model("catalogue", "ProductClass").options.through),
    ("product-options", get_model("catalogue", "Product").product_options.through),
):
    m2m_changed.connect(bump_catalogue_version, sender=through, dispatch_uid=f"catalogue.page.{name}", weak=False)


def queue_renditions(sender, instance, raw=False, **kwargs):
    """A product image saved with a new original: its sizes are made by the worker after the commit."""
    if raw or not instance.original or renditions.is_current(instance):
        return
    transaction.on_commit(partial(_enqueue_renditions, instance.pk))


def _enqueue_renditions(image_id):
    from catalogue.tasks import make_image_renditions  # the tasks module registers with huey when imported

    try:
        make_image_renditions(image_id)
    except Exception:  # the queue is down: pages show the original until make_renditions is run
        logger.exception("Could not queue the renditions of product image %s", image_id)


post_save.connect(
    queue_renditions, sender=get_model("catalogue", "ProductImage"), dispatch_uid="catalogue.renditions", weak=False
)

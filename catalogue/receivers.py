"""What makes the product page's cached facts stale (catalogue/product_page.py): a save or delete
of a row the page shows that is not price or stock. Orders change none of these."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.core.loading import get_model

from catalogue.product_page import bump_catalogue_version

WATCHED = [
    ("catalogue", "Product"),
    ("catalogue", "ProductImage"),
    ("catalogue", "Category"),
    ("catalogue", "ProductCategory"),
    ("catalogue", "ProductAttributeValue"),
    ("catalogue", "ProductRecommendation"),
    ("catalogue", "ProductClass"),
    ("catalogue", "ProductAttribute"),
    ("reviews", "ProductReview"),
]

for app_label, model_name in WATCHED:
    model = get_model(app_label, model_name)
    uid = f"catalogue.page.{app_label}.{model_name}"
    post_save.connect(bump_catalogue_version, sender=model, dispatch_uid=uid + ".save", weak=False)
    post_delete.connect(bump_catalogue_version, sender=model, dispatch_uid=uid + ".delete", weak=False)
m2m_changed.connect(
    bump_catalogue_version, sender=get_model("catalogue", "Product").categories.through,
    dispatch_uid="catalogue.page.categories", weak=False,
)

"""Background tasks of the catalogue, run by the huey worker (it imports each app's tasks module)."""

import logging

from huey.contrib.djhuey import db_task
from oscar.core.loading import get_model

from catalogue import renditions

logger = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=30)
def make_image_renditions(image_id):
    """The sizes pages show of one product image (catalogue/renditions.py); nothing if already made."""
    ProductImage = get_model("catalogue", "ProductImage")
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.original or renditions.is_current(image):
        return
    renditions.make_renditions(image)

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProductImage
from oscar.utils.models import get_image_upload_path

from catalogue.renditions import validate_new_upload


class ProductImage(AbstractProductImage):
    # Oscar's field, refusing non-images and images over 40 megapixels from their header alone.
    original = models.ImageField(
        _("Original"), upload_to=get_image_upload_path, max_length=255, validators=[validate_new_upload]
    )
    # Filled by catalogue.tasks.make_image_renditions once the image is saved (catalogue/renditions.py):
    # {"source": original's name, "width": w, "height": h, "sizes": {"card": {"url", "width", "height", "name"}}}
    renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Resized copies made in the background after upload; pages read their URLs from here.",
    )


from oscar.apps.catalogue.models import *  # noqa: E402,F403

"""{% load renditions %}{% rendition image "card" as r %} -> r.url, r.width, r.height, r.srcset.

`image` is a ProductImage, a product (its first image, from a prefetch if there is one), Oscar's
missing-image dict, or nothing. The URLs come from the row (catalogue/renditions.py): no query
beyond the product's images, no file system, no thumbnail store. Until the worker has made the
sizes, the original's URL is used; without any image, Oscar's "image not found" picture.
"""

from dataclasses import dataclass

from django import template
from django.templatetags.static import static

from catalogue.renditions import SIZES

register = template.Library()

MISSING_IMAGE = "oscar/img/image_not_found.jpg"
MISSING_SIZE = 400  # Oscar's placeholder is a square


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int | None = None
    height: int | None = None
    srcset: str = ""
    is_missing: bool = False

    def __str__(self):
        return self.url


def _first_image(product):
    images = sorted(product.get_all_images(), key=lambda image: (image.display_order, image.pk))
    return images[0] if images else None


def rendition_of(image, size="card"):
    if size not in SIZES:
        raise template.TemplateSyntaxError(f"rendition: no size {size!r}; sizes are {', '.join(SIZES)}")
    if image is not None and hasattr(image, "get_all_images"):
        image = _first_image(image)
    if not image or isinstance(image, dict) or not getattr(image, "original", None):
        return Rendition(static(MISSING_IMAGE), MISSING_SIZE, MISSING_SIZE, is_missing=True)
    made = image.renditions or {}
    sizes = made.get("sizes") or {}
    if made.get("source") == image.original.name and size in sizes:
        chosen = sizes[size]
        widths = {}
        for entry in sizes.values():
            widths.setdefault(entry["width"], entry["url"])
        srcset = ", ".join(f"{url} {width}w" for width, url in sorted(widths.items()))
        return Rendition(chosen["url"], chosen["width"], chosen["height"], srcset)
    # Not made yet (or the original changed since): the original itself, scaled by the browser.
    width, height = made.get("width"), made.get("height")
    if made.get("source") != image.original.name:
        width = height = None
    return Rendition(image.original.url, width, height)


@register.simple_tag
def rendition(image, size="card"):
    """{% rendition image "card" as r %}: sizes "thumb" (160 wide), "card" (400), "gallery" (800), "zoom" (1600)."""
    return rendition_of(image, size)

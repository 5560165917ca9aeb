"""Product images in the sizes pages show, made once when an image is saved, never on a shopper's request.

Oscar's templates ask sorl-thumbnail for a size while rendering: the first view after an upload
opens and resizes the original (a 100-megapixel upload made that view take 10 s and 700 MB), and
every later view still looks the thumbnail up in its key-value store. Here, saving a ProductImage
queues catalogue.tasks.make_image_renditions after the commit; the worker writes one WebP per size
in SIZES under renditions/ in the media storage (a path that depends only on the original's name,
so doing it again overwrites) and records their URLs and sizes on the row (ProductImage.renditions).
Pages read them with {% rendition %} (catalogue/templatetags/renditions.py): no query, no file
system, and the original's URL until the worker is done.

Uploads are checked before that (validate_upload): over MAX_UPLOAD_PIXELS, or not an image Pillow
can read, is refused with a message, from the header alone.
"""

import hashlib
import io
import logging
import posixpath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Name -> width in CSS pixels of the widest place it is shown (x2 for sharp screens where it matters).
SIZES = {"thumb": 160, "card": 400, "gallery": 800, "zoom": 1600}
FORMAT, EXTENSION, QUALITY = "WEBP", "webp", 82
MAX_UPLOAD_PIXELS = 40_000_000
FOLDER = "renditions"


def validate_upload(file):
    """Refuse what is not an image, or an image over 40 megapixels, reading only its header."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        with Image.open(file) as image:  # lazy: reads the header, decodes no pixels
            width, height = image.size
            image_format = image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG or WebP photo.", code="not_an_image"
        ) from None
    finally:
        if hasattr(file, "seek"):
            file.seek(position)
    if width * height > MAX_UPLOAD_PIXELS:
        raise ValidationError(
            f"This image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); the most we take is "
            f"{MAX_UPLOAD_PIXELS // 1_000_000} megapixels. Resize it (3000 pixels wide is plenty) and upload it again.",
            code="too_many_pixels",
        )
    if image_format not in {"JPEG", "PNG", "WEBP", "GIF"}:
        raise ValidationError(
            f"{image_format} images are not shown by every browser. Upload a JPEG, PNG or WebP photo.", code="format"
        )
    return width, height


def validate_new_upload(value):
    """The model field's validator: checks a file being uploaded, not one already stored (a missing or
    old stored file must not stop staff from editing the product)."""
    if value and getattr(value, "_committed", True) is False:
        validate_upload(value.file)


def is_current(image):
    """The row's renditions were made from its present original."""
    return bool(image.original) and (image.renditions or {}).get("source") == image.original.name


def rendition_name(original_name, size_name):
    digest = hashlib.sha256(original_name.encode()).hexdigest()[:16]
    stem = posixpath.splitext(posixpath.basename(original_name))[0][:40] or "image"
    return f"{FOLDER}/{digest[:2]}/{digest}/{stem}-{size_name}.{EXTENSION}"


def make_renditions(image, storage=default_storage):
    """Write every size of image.original and record them on the row. Returns the renditions dict,
    or None when the original cannot be read (logged; pages keep showing the original's URL)."""
    name = image.original.name
    try:
        with storage.open(name, "rb") as source, Image.open(source) as picture:
            if picture.width * picture.height > MAX_UPLOAD_PIXELS:
                logger.warning("Image %s is %sx%s: over the limit, no renditions", name, *picture.size)
                return None
            # JPEG can decode at 1/2, 1/4, 1/8 scale directly: far less memory and time for big photos.
            picture.draft("RGB", (SIZES["zoom"], SIZES["zoom"]))
            picture = ImageOps.exif_transpose(picture)
            picture.load()
            original_size = picture.size
            picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
            sizes = {}
            current = picture
            for size_name, width in sorted(SIZES.items(), key=lambda item: -item[1]):
                if current.width > width:  # never upscale; keep the aspect ratio
                    height = max(1, round(current.height * width / current.width))
                    current = current.resize((width, height), Image.LANCZOS)
                sizes[size_name] = _save(storage, rendition_name(name, size_name), current)
    except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        logger.exception("Could not make the renditions of image %s (%s)", image.pk, name)
        return None
    renditions = {"source": name, "width": original_size[0], "height": original_size[1], "sizes": sizes}
    image.renditions = renditions
    # A save, not an update(): whatever listens to image saves (the page caches) hears of the new URLs.
    image.save(update_fields=["renditions"])
    return renditions


def _has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)


def _save(storage, name, picture):
    buffer = io.BytesIO()
    picture.save(buffer, FORMAT, quality=QUALITY, method=4)
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(buffer.getvalue()))
    return {"name": saved, "url": storage.url(saved), "width": picture.width, "height": picture.height}

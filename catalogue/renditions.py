"""Product images in the sizes pages show, made once when an image is saved, never on a shopper's request.

Oscar's templates ask sorl-thumbnail for a size while rendering: the first view after an upload
opens and resizes the original (a 100-megapixel upload made that view take 10 s and 700 MB), and
every later view still looks the thumbnail up in its key-value store. Here, saving a ProductImage
queues catalogue.tasks.make_image_renditions after the commit; the worker writes one WebP per size
in SIZES under renditions/ in the media storage and records their URLs and sizes on the row
(ProductImage.renditions).

The folder is named after the original's content (a SHA-256 of its bytes), and a small manifest
(sizes.json) is written there once every size is: an original whose renditions were made before
(the same photo uploaded again, a task run twice, the demo catalogue seeded again) reuses them
instead of decoding and encoding it again, which is most of the work (about 0.2 s of CPU for a
photo). A new original is new bytes, so a new folder: a URL once served never changes content.
Pages read them with {% rendition %} (catalogue/templatetags/renditions.py): no query, no file
system, and the original's URL until the worker is done.

Uploads are checked before that (validate_upload): over MAX_UPLOAD_PIXELS, or not an image Pillow
can read, is refused with a message, from the header alone.
"""

import hashlib
import io
import json
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
MANIFEST = "sizes.json"


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


def content_digest(file):
    """The first 16 hex digits of the SHA-256 of a file's bytes, read in chunks from the start."""
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):  # any storage's file object: read() is all it must have
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()[:16]


def rendition_folder(digest):
    return f"{FOLDER}/{digest[:2]}/{digest}"


def rendition_name(digest, original_name, size_name):
    stem = posixpath.splitext(posixpath.basename(original_name))[0][:40] or "image"
    return f"{rendition_folder(digest)}/{stem}-{size_name}.{EXTENSION}"


def make_renditions(image, storage=default_storage):
    """Write every size of image.original (or find them written before for the same bytes) and
    record them on the row. Returns the renditions dict, or None when the original cannot be read
    (logged; pages keep showing the original's URL)."""
    name = image.original.name
    try:
        with storage.open(name, "rb") as source:
            digest = content_digest(source)
            made = _made_before(storage, digest)
            if made is None:
                made = _render(storage, source, digest, name)
    except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        logger.exception("Could not make the renditions of image %s (%s)", image.pk, name)
        return None
    if made is None:
        return None
    sizes = {size: {**entry, "url": storage.url(entry["name"])} for size, entry in made["sizes"].items()}
    renditions = {"source": name, "width": made["width"], "height": made["height"], "sizes": sizes}
    image.renditions = renditions
    # A save, not an update(): whatever listens to image saves (the page caches) hears of the new URLs.
    image.save(update_fields=["renditions"])
    return renditions


def _made_before(storage, digest):
    """The manifest of renditions made before from the same bytes, if it and every file it names
    are there; None otherwise (then they are made again, and the manifest rewritten)."""
    manifest = f"{rendition_folder(digest)}/{MANIFEST}"
    try:
        with storage.open(manifest, "rb") as file:
            made = json.load(file)
        names = [entry["name"] for entry in made["sizes"].values()]
        if set(made["sizes"]) != set(SIZES) or not all(storage.exists(name) for name in names):
            return None
        return made
    except (FileNotFoundError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _render(storage, source, digest, name):
    with Image.open(source) as picture:
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
            sizes[size_name] = _save(storage, rendition_name(digest, name, size_name), current)
    made = {"width": original_size[0], "height": original_size[1], "sizes": sizes}
    # Last, once every size is stored: a worker killed half-way leaves no manifest, and the next run
    # makes them all again.
    _replace(storage, f"{rendition_folder(digest)}/{MANIFEST}", json.dumps(made).encode())
    return made


def _has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)


def _save(storage, name, picture):
    buffer = io.BytesIO()
    picture.save(buffer, FORMAT, quality=QUALITY, method=4)
    saved = _replace(storage, name, buffer.getvalue())
    return {"name": saved, "width": picture.width, "height": picture.height}


def _replace(storage, name, content):
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))

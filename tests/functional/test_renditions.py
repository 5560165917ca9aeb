"""Product images are resized when saved, by the worker, never while a shopper's page renders; uploads
that are not images or are over 40 megapixels are refused; a missing file breaks no page."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.template import engines
from django.urls import reverse
from oscar.core.loading import get_model
from PIL import Image
from webtest import Upload

from catalogue import renditions

pytestmark = pytest.mark.django_db

ProductImage = get_model("catalogue", "ProductImage")
Product = get_model("catalogue", "Product")


def png(width, height, colour=(11, 85, 99)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def add_image(product, width=2000, height=1000, name="photo.png", order=5):
    image = ProductImage(product=product, caption="A photo", display_order=order)
    image.original.save(name, ContentFile(png(width, height)))
    return image


def test_saving_an_image_makes_every_size_in_the_background(claw, on_commit):
    with on_commit():
        image = add_image(claw)
    image.refresh_from_db()
    made = image.renditions
    assert made["source"] == image.original.name and (made["width"], made["height"]) == (2000, 1000)
    sizes = {name: (entry["width"], entry["height"]) for name, entry in made["sizes"].items()}
    assert sizes == {"thumb": (160, 80), "card": (400, 200), "gallery": (800, 400), "zoom": (1600, 800)}
    for entry in made["sizes"].values():
        assert entry["url"].startswith("/media/renditions/") and entry["url"].endswith(".webp")
        with default_storage.open(entry["name"]) as file, Image.open(file) as written:
            assert (written.format, written.size) == ("WEBP", (entry["width"], entry["height"]))
    # Saving again without a new original makes nothing anew; the path depends on the original's bytes.
    with on_commit():
        image.caption = "Renamed"
        image.save()
    image.refresh_from_db()
    assert image.renditions == made
    with default_storage.open(image.original.name, "rb") as original:
        digest = renditions.content_digest(original)
    assert renditions.rendition_name(digest, image.original.name, "card") == made["sizes"]["card"]["name"]


def test_the_same_bytes_again_reuse_their_renditions_and_new_bytes_get_new_ones(claw, on_commit, monkeypatch):
    with on_commit():
        first = add_image(claw, 1200, 900, name="first.png")
    first.refresh_from_db()
    encoded = []
    real_render = renditions._render
    monkeypatch.setattr(renditions, "_render", lambda *args: encoded.append(args[-1]) or real_render(*args))
    with on_commit():
        again = add_image(claw, 1200, 900, name="uploaded-again.png", order=6)
    again.refresh_from_db()
    assert encoded == []  # nothing decoded or encoded
    assert again.renditions["source"] == again.original.name != first.original.name
    assert again.renditions["sizes"] == first.renditions["sizes"]
    assert (again.renditions["width"], again.renditions["height"]) == (1200, 900)
    with on_commit():
        other = ProductImage(product=claw, caption="Another", display_order=7)
        other.original.save("first.png", ContentFile(png(1200, 900, colour=(200, 30, 30))))
    other.refresh_from_db()
    assert encoded == [other.original.name]
    assert other.renditions["sizes"]["card"]["name"] != first.renditions["sizes"]["card"]["name"]


def test_renditions_with_a_file_gone_are_made_again(claw, on_commit):
    with on_commit():
        image = add_image(claw, 900, 600)
    image.refresh_from_db()
    card = image.renditions["sizes"]["card"]["name"]
    default_storage.delete(card)
    with on_commit():
        again = add_image(claw, 900, 600, name="same-bytes.png", order=6)
    again.refresh_from_db()
    remade = again.renditions["sizes"]["card"]["name"]
    assert remade.rsplit("/", 1)[0] == card.rsplit("/", 1)[0]  # the same bytes: the same folder
    with default_storage.open(remade) as file, Image.open(file) as written:
        assert (written.format, written.size) == ("WEBP", (400, image.renditions["sizes"]["card"]["height"]))


def test_a_small_image_is_never_upscaled(claw, on_commit):
    with on_commit():
        image = add_image(claw, 300, 450)
    image.refresh_from_db()
    sizes = {name: (entry["width"], entry["height"]) for name, entry in image.renditions["sizes"].items()}
    assert sizes == {"thumb": (160, 240), "card": (300, 450), "gallery": (300, 450), "zoom": (300, 450)}


def test_the_tag_reads_the_row_only(claw, django_assert_num_queries):
    call_command("make_renditions", verbosity=0)
    product = Product.objects.prefetch_related("images").get(pk=claw.pk)
    template = engines["django"].from_string(
        '{% load renditions %}{% rendition product "card" as r %}'
        "{{ r.url }} {{ r.width }}x{{ r.height }}|{{ r.srcset }}"
        '{% rendition nothing "thumb" as m %}|{{ m.url }} {{ m.width }}'
    )
    with django_assert_num_queries(0):
        rendered = template.render({"product": product, "nothing": None})
    first = min(product.images.all(), key=lambda i: (i.display_order, i.pk))
    card = first.renditions["sizes"]["card"]
    url, srcset, missing = rendered.split("|")
    assert url == f"{card['url']} {card['width']}x{card['height']}"
    assert srcset.count("w, ") >= 1 and f"{card['url']} {card['width']}w" in srcset
    assert missing == "/static/oscar/img/image_not_found.jpg 400"


def test_until_renditions_are_made_the_original_is_shown(claw):
    image = add_image(claw, order=0)  # no commit here: the worker has not run
    ProductImage.objects.filter(product=claw).exclude(pk=image.pk).delete()
    template = engines["django"].from_string('{% load renditions %}{% rendition image "card" as r %}{{ r.url }}')
    assert template.render({"image": image}) == image.original.url


def watch_thumbnailing(monkeypatch):
    """Every image opened or thumbnail looked up from now on (sorl swallows errors, so record, not raise)."""
    from sorl.thumbnail import default as sorl_default

    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise OSError("no image may be opened while a page renders")

    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(sorl_default.backend, "get_thumbnail", refuse)
    return calls


def test_shopper_pages_render_without_opening_any_image(django_app, claw, monkeypatch):
    call_command("make_renditions", verbosity=0)
    opened = watch_thumbnailing(monkeypatch)
    product_page = django_app.get(claw.get_absolute_url())
    gallery = product_page.html.select("#product_gallery img")
    assert gallery and all(img["src"].startswith("/media/renditions/") for img in gallery)
    first = gallery[0]
    assert first["width"] and first["height"] and "800w" in first["srcset"]
    home = django_app.get("/")
    cards = home.html.select(".product-card img, .hero img")
    assert cards and all(img["src"].startswith("/media/renditions/") for img in cards)
    listing = django_app.get(reverse("catalogue:index"))
    assert all(img["src"].startswith("/media/renditions/") for img in listing.html.select(".product-card img"))
    # Video posters and article heroes (content_pages, sorl) are not product images: left to that app.
    assert [call for call in opened if "images/products/" in str(call[0])] == []


def test_a_missing_media_file_breaks_no_page(django_app, claw):
    for image in claw.images.all():
        default_storage.delete(image.original.name)  # renditions never made and the original gone
    assert django_app.get("/").status_code == 200
    assert django_app.get(claw.get_absolute_url()).status_code == 200
    assert django_app.get(reverse("catalogue:index")).status_code == 200
    call_command("make_renditions", verbosity=0, stderr=io.StringIO())  # logs, does not raise
    assert django_app.get(claw.get_absolute_url()).status_code == 200


def test_make_renditions_backfills_images_saved_before(claw):
    ProductImage.objects.filter(product=claw).update(renditions={})
    call_command("make_renditions", verbosity=0)
    assert all(renditions.is_current(image) for image in ProductImage.objects.filter(product=claw))


def product_form(django_app, claw, staff_user):
    page = django_app.get(reverse("dashboard:catalogue-product", kwargs={"pk": claw.pk}), user=staff_user)
    return page.forms["create_update_product_form"]


def free_image_slot(form):
    slots = [name for name in form.fields if name and name.startswith("images-") and name.endswith("-original")]
    return next(name for name in slots if not form[name].value)


def test_an_upload_over_40_megapixels_is_refused_with_a_message(django_app, claw, staff_user):
    huge = png(8000, 6000)  # 48 megapixels of one colour: a few KB
    assert len(huge) < 200_000
    before = ProductImage.objects.filter(product=claw).count()
    form = product_form(django_app, claw, staff_user)
    form[free_image_slot(form)] = Upload("huge.png", huge, "image/png")
    page = form.submit(name="action", value="continue")
    assert page.status_code == 200
    assert "8000 x 6000 pixels (48 megapixels); the most we take is 40 megapixels" in page.text
    assert ProductImage.objects.filter(product=claw).count() == before


def test_a_file_that_is_not_an_image_is_refused(django_app, claw, staff_user):
    before = ProductImage.objects.filter(product=claw).count()
    form = product_form(django_app, claw, staff_user)
    form[free_image_slot(form)] = Upload("notes.png", b"%PDF-1.4 not a picture at all", "image/png")
    page = form.submit(name="action", value="continue")
    assert page.status_code == 200
    assert "Upload a valid image. The file you uploaded was either not an image or a corrupted image." in page.text
    assert ProductImage.objects.filter(product=claw).count() == before


def test_a_good_upload_is_saved_and_resized(django_app, claw, staff_user, django_capture_on_commit_callbacks):
    form = product_form(django_app, claw, staff_user)
    form[free_image_slot(form)] = Upload("new.png", png(1200, 900), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        form.submit(name="action", value="continue").follow()
    image = ProductImage.objects.filter(product=claw).latest("pk")
    assert image.original.name.endswith(".png") and renditions.is_current(image)
    assert image.renditions["sizes"]["card"]["width"] == 400


def test_validate_upload_says_why():
    from django.core.exceptions import ValidationError

    huge = io.BytesIO(png(8000, 6000))
    with pytest.raises(ValidationError, match="48 megapixels"):
        renditions.validate_upload(huge)
    assert renditions.validate_upload(io.BytesIO(png(100, 50))) == (100, 50)
    with pytest.raises(ValidationError, match="not an image we can read"):
        renditions.validate_upload(io.BytesIO(b"<html>hello</html>"))

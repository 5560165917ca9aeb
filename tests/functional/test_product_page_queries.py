"""The product page's query budget (issue 18): an anonymous shopper's render with the page cache
off, once the caches are warm (thumbnails, content pieces, the page's facts), asks the database at
most 8 times, and the same number of times whether the product has one image or many, no review
or many, one article and video or several, no accessory or several. The count is the proof of
speed here; `make bench` measures time."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image

from content_pages.models import ProductVideo
from tests.factories import VideoFactory, article_selling

pytestmark = pytest.mark.django_db

BUDGET = 8

Option = get_model("catalogue", "Option")
ProductImage = get_model("catalogue", "ProductImage")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def png():
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 120, 80)).save(out, "PNG")
    return ContentFile(out.getvalue())


def visitor_with(cookies):
    visitor = Client()
    for name, value in (cookies or {}).items():
        visitor.cookies[name] = value
    return visitor


def warm_count(path, cookies=None):
    """Queries of a render after two warm-up renders, by a new anonymous visitor each time."""
    for _ in range(2):
        assert visitor_with(cookies).get(path).status_code == 200
    visitor = visitor_with(cookies)
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(path)
    assert response.status_code == 200
    return len(queries), response


def add_more_of_everything(product, n, django_user_model):
    for i in range(n):
        image = ProductImage(product=product, caption=f"Extra {i}", display_order=10 + i)
        image.original.save(f"extra-{product.pk}-{i}.png", png(), save=True)
        user = django_user_model.objects.create_user(username=f"r{i}", email=f"r{i}@example.com", password="pw-12345")
        ProductReview.objects.create(
            product=product, user=user, score=4, title=f"Review {i}", body="Fine.", status=ProductReview.APPROVED,
        )
        article_selling(product, title=f"Extra article {i}", slug=f"extra-article-{i}")
        ProductVideo.objects.create(product=product, video=VideoFactory(), sort_order=10 + i)
        accessory = create_product(title=f"Accessory {i}", price=5, num_in_stock=10)
        ProductRecommendation.objects.create(primary=product, recommendation=accessory, ranking=i)
        image = ProductImage(product=accessory, caption="", display_order=0)
        image.original.save(f"accessory-{i}.png", png(), save=True)


def test_product_page_within_budget_and_constant(claw, django_user_model, django_assert_max_num_queries):
    path = claw.get_absolute_url()
    before, _ = warm_count(path)
    assert before <= BUDGET

    add_more_of_everything(claw, 5, django_user_model)
    after, response = warm_count(path)
    page = response.content.decode()
    # What was added is shown...
    assert page.count("gallery__slide") >= 8 and "Review 4" in page and "Accessory 4" in page
    assert "Extra article 4" in page
    # ...for the same number of queries.
    assert after == before, f"{before} queries before, {after} after adding images, reviews, articles, videos"
    with django_assert_max_num_queries(BUDGET):
        Client().get(path)


def test_recently_viewed_products_cost_the_same_however_many(claw, django_user_model):
    others = [create_product(title=f"Viewed {i}", price=3, num_in_stock=5) for i in range(6)]
    for product in others:
        image = ProductImage(product=product, caption="", display_order=0)
        image.original.save(f"viewed-{product.pk}.png", png(), save=True)
    path = claw.get_absolute_url()
    one, _ = warm_count(path, {"oscar_history": f"[{others[0].pk}]"})
    many, response = warm_count(path, {"oscar_history": "[" + ",".join(str(p.pk) for p in others) + "]"})
    assert "Viewed 5" in response.content.decode()
    assert many == one


def test_a_review_saved_shows_at_once_despite_the_cached_facts(client, claw, django_user_model):
    path = claw.get_absolute_url()
    assert "No reviews yet" in Client().get(path).content.decode()
    user = django_user_model.objects.create_user(username="late", email="late@example.com", password="pw-12345")
    ProductReview.objects.create(
        product=claw, user=user, score=5, title="Just approved", body="Yes.", status=ProductReview.APPROVED,
    )
    assert "Just approved" in Client().get(path).content.decode()


def test_a_warm_render_asks_only_for_price_and_stock(claw):
    """The product row is cached with the page's facts, and the page opens no request transaction
    (it writes nothing): a warm render reads the stock records, never the product row."""
    warm_count(claw.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(claw.get_absolute_url()).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert any('FROM "partner_stockrecord"' in sql for sql in statements), statements
    assert not any('FROM "catalogue_product"' in sql for sql in statements), statements
    assert not any("SAVEPOINT" in sql for sql in statements), statements  # ATOMIC_REQUESTS, in a test


def test_a_product_edit_shows_at_once_despite_the_cached_row(claw):
    path = claw.get_absolute_url()
    warm_count(path)
    claw.title = "QL Claw, second edition"
    claw.save()
    assert "QL Claw, second edition" in Client().get(path).content.decode()
    claw.is_public = False
    claw.save()
    assert Client().get(path).status_code == 404


def test_an_option_added_to_the_product_class_shows_on_the_form(claw):
    path = claw.get_absolute_url()
    option = Option.objects.create(name="Engraving", code="engraving", required=False)
    warm_count(path)
    assert 'name="engraving"' not in Client().get(path).content.decode()
    claw.get_product_class().options.add(option)  # an m2m change only: no row of the product saved
    assert 'name="engraving"' in Client().get(path).content.decode()


@pytest.mark.parametrize("path", ["/catalogue/ql-claw_987654/", "/catalogue/x_99999999999999999999999/"])
def test_an_unknown_product_is_not_found(claw, path):
    assert Client().get(path).status_code == 404


class CountingCache:
    """The cache, counting the reads product_page makes (each one a round trip to Redis)."""

    def __init__(self, cache):
        self.cache, self.reads = cache, []

    def __getattr__(self, name):
        attribute = getattr(self.cache, name)
        if name in ("get", "get_many"):
            def read(*args, **kwargs):
                self.reads.append(name)
                return attribute(*args, **kwargs)
            return read
        return attribute


def test_a_warm_render_reads_row_facts_and_images_in_one_cache_round_trip(claw, monkeypatch):
    """The catalogue version, the product row and the page's facts (which carry the product's and the
    recommended products' images) come back in one get_many: each round trip to Redis is a few
    hundred microseconds of a render."""
    from catalogue import product_page

    accessory = create_product(title="Accessory", price=5, num_in_stock=10)
    ProductRecommendation.objects.create(primary=claw, recommendation=accessory, ranking=1)
    ProductImage(product=accessory, caption="", display_order=0).original.save("acc.png", png(), save=True)
    warm_count(claw.get_absolute_url())
    counting = CountingCache(product_page.cache)
    monkeypatch.setattr(product_page, "cache", counting)
    assert "Accessory" in Client().get(claw.get_absolute_url()).content.decode()
    assert counting.reads == ["get_many"]


def test_an_image_added_shows_at_once_despite_the_cached_facts(claw):
    path = claw.get_absolute_url()
    _, response = warm_count(path)
    before = response.content.decode().count("gallery__slide")
    image = ProductImage(product=claw, caption="From the side", display_order=50)
    image.original.save("side.png", png(), save=True)
    page = Client().get(path).content.decode()
    assert page.count("gallery__slide") > before and "From the side" in page

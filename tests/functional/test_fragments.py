"""Cached template fragments (shop/fragments.py, {% fragment %}): a hit is the render it replaces
(with the request's own nonce and CSRF token), a save re-renders exactly the fragments that show
what changed, a price shows at once, the page cache around a fragment hit still learns the
fragment's tags, Redis down renders live, and warm fragments save queries."""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from content_pages.models import Article, TutorialVideo, VideoPlacement
from shop import fragments
from shop.pagecache import HEADER
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db(transaction=True)

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ProductReview = get_model("reviews", "ProductReview")

ARTICLE_SLUG = "psoas-trigger-points"  # the demo article about the QL Claw
PRODUCT_FRAGMENTS = {
    "product-head", "product-gallery", "product-body", "product-reviews", "product-recommended", "buy-form",
}
CHROME = {"header-nav", "footer-links", "footer-newsletter"}


@pytest.fixture
def seeded(transactional_db):
    """The demo store committed for real: in a test's own transaction every save stays pending on
    the connection, and fragments are never stored for a connection with pending changes."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def claw(seeded):
    return Product.objects.get(upc="QLC-CLAW-01")


@pytest.fixture(autouse=True)
def fragments_on_page_cache_off(settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    settings.FRAGMENT_CACHE_TIMEOUT = 300
    settings.PAGE_CACHE_CLOCK_SKEW = 0  # one process, one clock
    fragments.local_entries.clear()
    yield
    fragments.local_entries.clear()


@pytest.fixture
def spy(monkeypatch):
    """{fragment name: "hit" or "render"} of the last request (a name seen twice: its last)."""
    log = {}
    real = fragments.render

    def render(request, name, vary, render_body):
        rendered = []

        def body():
            rendered.append(True)
            return render_body()

        html = real(request, name, vary, body)
        log.setdefault(name, []).append("render" if rendered else "hit")
        return html

    monkeypatch.setattr(fragments, "render", render)
    return log


def get(spy, path, client=None):
    spy.clear()
    response = (client or Client()).get(path)
    assert response.status_code == 200
    return response


def rendered(spy):
    return {name for name, states in spy.items() if "render" in states}


def normalized(html):
    html = re.sub(r'nonce="[^"]+"', 'nonce="N"', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="T"', html)


def test_a_hit_is_the_same_page_as_a_render(claw, settings, spy):
    path = claw.get_absolute_url()
    for url in (path, "/catalogue/", "/", "/basket/"):
        settings.FRAGMENT_CACHE_TIMEOUT = 0
        live = get(spy, url).content.decode()
        assert spy and rendered(spy) == set(spy)  # off: every fragment rendered
        settings.FRAGMENT_CACHE_TIMEOUT = 300
        get(spy, url)
        warm = get(spy, url)
        assert spy and rendered(spy) == set(), url
        assert normalized(warm.content.decode()) == normalized(live), url


def test_a_hit_carries_the_requests_own_nonce_and_a_valid_csrf_token():
    template = Template(
        '{% load fragments %}{% fragment "probe" 1 %}<script nonce="{{ request.csp_nonce }}"></script>'
        "<form>{% csrf_token %}</form>{% endfragment %}"
    )

    def render(nonce):
        request = RequestFactory().get("/")
        request._csp_nonce = request.csp_nonce = nonce
        return request, template.render(RequestContext(request, {}))

    first_request, first = render("first-nonce")
    second_request, second = render("second-nonce")  # a hit
    assert 'nonce="first-nonce"' in first and 'nonce="second-nonce"' in second
    assert "first-nonce" not in second and "__pagecache" not in second
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second).group(1)
    assert _unmask_cipher_token(token) == second_request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(token) != first_request.META["CSRF_COOKIE"]


def test_vary_values_must_say_what_they_are():
    assert fragments.vary_repr([1, "a", None]) != fragments.vary_repr([1, "a", "None"])
    with pytest.raises(TypeError):
        fragments.vary_repr(object())


def test_each_save_re_renders_exactly_the_fragments_that_show_it(claw, django_user_model, spy):
    path = claw.get_absolute_url()
    bag = Product.objects.get(upc="QLC-BAG-01")
    get(spy, path), get(spy, bag.get_absolute_url()), get(spy, "/catalogue/")
    get(spy, path)
    assert rendered(spy) == set()

    claw.description = "<p>Second edition.</p>"
    claw.save()
    page = get(spy, path)
    assert b"Second edition." in page.content
    assert rendered(spy) == PRODUCT_FRAGMENTS  # each shows the product (title, images, links)
    get(spy, bag.get_absolute_url())
    assert rendered(spy) <= {"product-recommended", "product-card"}  # a card of the claw at most
    get(spy, "/catalogue/")
    assert rendered(spy) == {"product-grid", "product-card"}
    assert spy["product-card"].count("render") == 1  # the claw's card; the others are hits

    user = django_user_model.objects.create_user(username="rev", email="rev@example.com", password="pw-12345")
    ProductReview.objects.create(product=Product.objects.get(pk=claw.pk), user=user, score=5,  # as loaded
                                 title="Fragment review", body="Yes.", status=ProductReview.APPROVED)
    page = get(spy, path)
    assert b"Fragment review" in page.content
    assert rendered(spy) == {"product-head", "product-reviews"}  # the list and the JSON-LD rating

    article = Article.objects.get(slug=ARTICLE_SLUG)
    article.summary = "A revised summary for the fragment test."
    article.save()
    page = get(spy, path)
    assert b"A revised summary for the fragment test." in page.content
    assert rendered(spy) == {"product-body"}

    video = TutorialVideo.objects.filter(products=claw).first()
    video.title = "A renamed tutorial"
    video.save()
    page = get(spy, path)
    assert b"A renamed tutorial" in page.content
    assert rendered(spy) == {"product-body"}
    get(spy, bag.get_absolute_url())
    assert rendered(spy) == set()


def test_a_price_change_shows_at_once(claw, spy):
    path = claw.get_absolute_url()
    get(spy, path), get(spy, "/catalogue/")
    record = claw.stockrecords.get()
    record.price = Decimal("41.17")
    record.save()
    page = get(spy, path)
    assert page.content.count(b"41.17") >= 2  # the buy box and the JSON-LD offer
    assert "product-head" in rendered(spy)
    listing = get(spy, "/catalogue/")
    assert b"$41.17" in listing.content


def test_the_video_frame_policy_comes_with_a_fragment_hit(claw, spy):
    from tests.functional.test_page_cache import policy_sources

    path = claw.get_absolute_url()
    miss = get(spy, path)
    hit = get(spy, path)
    assert spy["product-body"] == ["hit"]
    assert "https://www.youtube-nocookie.com" in policy_sources(miss, "frame-src")
    assert policy_sources(hit, "frame-src") == policy_sources(miss, "frame-src")


def test_the_page_cache_around_a_fragment_hit_learns_its_tags(claw, settings, spy):
    path = claw.get_absolute_url()
    get(spy, path)  # fragments stored, no page
    settings.PAGE_CACHE_TIMEOUT = 300
    page = get(spy, path)
    assert page[HEADER] == "miss" and spy["product-body"] == ["hit"]  # the page stored from a fragment hit
    assert Client().get(path)[HEADER] == "hit"

    article = Article.objects.get(slug=ARTICLE_SLUG)
    article.summary = "Shown through the fragment."
    article.save()  # bumps article:<id> only, which the page heard from the fragment's replay
    page = get(spy, path)
    assert page[HEADER] == "miss"
    assert b"Shown through the fragment." in page.content


def test_never_stored_while_the_connection_has_pending_changes(claw, spy):
    from django.db import transaction

    path = claw.get_absolute_url()
    with transaction.atomic():
        claw.title = "Pending title"
        claw.save()
        request = RequestFactory().get(path)
        html = fragments.render(request, "probe", [claw.pk], lambda: "live")
        assert html == "live"
        assert fragments.render(request, "probe", [claw.pk], lambda: "again") == "again"


def test_redis_down_renders_live(claw, settings, spy, fresh_breakers):
    from tests.redis_support import free_port, store_cache_settings

    store_cache_settings(settings, f"redis://127.0.0.1:{free_port()}/0")
    path = claw.get_absolute_url()
    for _ in range(3):
        page = get(spy, path, Client(raise_request_exception=False))
        assert b"QL Claw" in page.content
        assert set(spy) >= PRODUCT_FRAGMENTS and rendered(spy) == set(spy)


def warm_queries(path):
    for _ in range(2):
        assert Client().get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path).status_code == 200
    return len(queries)


def test_warm_fragments_save_queries(claw, settings):
    paths = ("/catalogue/", "/basket/", "/", claw.get_absolute_url())
    settings.FRAGMENT_CACHE_TIMEOUT = 0
    cold = {path: warm_queries(path) for path in paths}
    settings.FRAGMENT_CACHE_TIMEOUT = 300
    warm = {path: warm_queries(path) for path in paths}
    assert warm[claw.get_absolute_url()] == cold[claw.get_absolute_url()] - 1  # no shipping rates
    # The listing (ids and filter counts), stock records, images, categories and links: nothing asked.
    assert cold["/catalogue/"] >= 5 and warm["/catalogue/"] == 0
    assert warm["/basket/"] == cold["/basket/"] - 1  # no hero product for the empty cart
    assert warm["/"] == cold["/"] - 1  # no images


def png():
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 120, 80)).save(out, "PNG")
    return ContentFile(out.getvalue())


def test_warm_query_counts_are_constant_in_images_reviews_articles_and_products(claw, django_user_model):
    from tests.functional.test_product_page_queries import add_more_of_everything

    path = claw.get_absolute_url()
    before = {p: warm_queries(p) for p in (path, "/catalogue/")}
    add_more_of_everything(claw, 4, django_user_model)
    for i in range(4):
        product = create_product(title=f"Listed {i}", price=7, num_in_stock=3)
        image = ProductImage(product=product, caption="", display_order=0)
        image.original.save(f"listed-{i}.png", png(), save=True)
    after = {p: warm_queries(p) for p in (path, "/catalogue/")}
    assert after == before


def test_the_cart_videos_are_a_fragment(seeded, spy):
    if not VideoPlacement.objects.filter(placement="basket").exists():
        VideoPlacement.objects.create(placement="basket", video=VideoFactory(), sort_order=1)
    get(spy, "/basket/")
    page = get(spy, "/basket/")
    assert spy["cart-videos"] == ["hit"] and spy["cart-empty"] == ["hit"]
    assert b"video-panel" in page.content
    from tests.functional.test_page_cache import policy_sources

    assert "https://www.youtube-nocookie.com" in policy_sources(page, "frame-src")


def category_counts(response):
    links = BeautifulSoup(response.content, "html.parser").select(".filter-group a")
    return {a.get_text(" ", strip=True) for a in links if "/category/" in a.get("href", "")}


def test_the_category_links_are_cached_and_follow_every_change(seeded):
    Category = get_model("catalogue", "Category")
    first = Client().get("/catalogue/")
    links = category_counts(first)
    assert links  # the demo catalogue files its products in categories
    with CaptureQueriesContext(connection) as warm:
        again = Client().get("/catalogue/")
    assert category_counts(again) == links
    assert not any("catalogue_productcategory" in q["sql"] for q in warm.captured_queries)  # from the cache

    category = Category.objects.filter(numchild=0).first()
    category.name = "Renamed shelf"
    category.save()  # a category is "site": every cached value depends on it
    assert any(link.startswith("Renamed shelf") for link in category_counts(Client().get("/catalogue/")))

    product = Product.objects.filter(categories=category, is_public=True).first()
    before = category_counts(Client().get("/catalogue/"))
    product.is_public = False
    product.save()  # list:catalogue: the counts change at once
    after = category_counts(Client().get("/catalogue/"))
    assert after != before


def listed(response):
    html = BeautifulSoup(response.content, "html.parser")
    return [el.get_text(strip=True) for el in html.select(".product-grid .product-card__title")]


def filters(response):
    html = BeautifulSoup(response.content, "html.parser")
    return [" ".join(el.get_text().split()) for el in html.select(".list-filters .filter-link")]


def test_the_listing_is_cached_and_follows_stock_and_prices(seeded):
    """Which products a list shows and its filter counts are one cached value: a warm list asks the
    database nothing, and selling out, restocking or repricing a product shows at once."""
    in_stock = "/catalogue/?in_stock=1&sort=price-asc"
    bag = Product.objects.get(title="QL Claw carry bag")
    first = Client().get(in_stock)
    assert "QL Claw carry bag" in listed(first)
    with CaptureQueriesContext(connection) as warm:
        again = Client().get(in_stock)
    assert listed(again) == listed(first) and filters(again) == filters(first)
    assert not warm.captured_queries

    record = bag.stockrecords.get()
    record.allocate(record.net_stock_level)  # an order takes the last units: sold out
    assert "QL Claw carry bag" not in listed(Client().get(in_stock))
    assert "QL Claw carry bag" in listed(Client().get("/catalogue/"))  # still listed, unavailable

    record.refresh_from_db()
    record.num_in_stock += 5  # staff restock
    record.save()
    assert "QL Claw carry bag" in listed(Client().get(in_stock))

    under_20 = "/catalogue/?price=under-20"
    assert "QL Claw carry bag" in listed(Client().get(under_20))
    record.refresh_from_db()
    record.price = 64
    record.save()  # repriced out of the range
    assert "QL Claw carry bag" not in listed(Client().get(under_20))


def test_a_pages_fragments_read_their_tag_versions_in_one_round_trip(claw, monkeypatch):
    """Each fragment needs its tags' versions; a process that has served the page reads all of them
    with the first fragment, not one round trip per fragment with a tag not read yet."""
    from django.core.cache import cache

    from shop.pagedeps import tag_key

    path = claw.get_absolute_url()
    for _ in range(2):  # fragments stored, and the page's tags seen by this process
        assert Client().get(path).status_code == 200
    prefix = tag_key("x")[: -len("x")]
    reads = []
    real = cache.get_many

    def get_many(keys, *args, **kwargs):
        keys = list(keys)
        if keys and all(key.startswith(prefix) for key in keys):
            reads.append(keys)
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    response = Client().get(path)
    assert response.status_code == 200
    assert len(reads) == 1, reads
    assert {f"product:{claw.pk}", "site"} <= {key[len(prefix):] for key in reads[0]}

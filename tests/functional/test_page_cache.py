"""The whole-page cache for anonymous shoppers (shop/pagecache.py): a hit is as good as a render
(own nonce, a CSRF token that works, a fresh comment-form timestamp), it is never used for
anyone with a session or basket, and an edit shows on the next request."""

import re
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from article_comments import tokens
from content_pages.models import Article
from shop import pagecache
from shop.pagecache import HEADER

pytestmark = pytest.mark.django_db

HOME, ARTICLE = "/", "/learn/psoas-trigger-points/"


def script_nonces(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return {tag["nonce"] for tag in soup.find_all("script") if tag.get("nonce")}


def header_nonce(response):
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def product_url(claw):
    return claw.get_absolute_url()


@pytest.mark.parametrize("path", [HOME, ARTICLE, "/learn/", "/tutorials/", "/catalogue/"])
def test_second_anonymous_visit_is_a_hit_with_no_query(client, seeded, path, django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200 and first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = Client().get(path)
    assert second.status_code == 200 and second[HEADER] == "hit"
    assert b"__pagecache" not in second.content


def test_a_hit_has_its_own_nonce_in_the_header_and_the_scripts(seeded):
    miss, hit, other_hit = (Client().get(HOME) for _ in range(3))
    assert hit[HEADER] == other_hit[HEADER] == "hit"
    for response in (miss, hit, other_hit):
        assert script_nonces(response) == {header_nonce(response)}
    assert len({header_nonce(r) for r in (miss, hit, other_hit)}) == 3


def test_the_csrf_token_of_a_cached_page_works_for_add_to_cart(claw):
    Client().get(HOME)
    shopper = Client(enforce_csrf_checks=True)
    page = shopper.get(HOME)
    assert page[HEADER] == "hit"
    form = BeautifulSoup(page.content, "html.parser").select_one(".hero form")
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    response = shopper.post(form["action"], {"csrfmiddlewaretoken": token, "quantity": 1})
    assert response.status_code == 302
    basket = shopper.get(reverse("basket:summary"))
    assert HEADER not in basket
    assert b'data-basket-count="1"' in basket.content


def test_a_hit_hands_out_a_fresh_comment_form_timestamp(seeded, monkeypatch):
    miss = Client().get(ARTICLE)
    later = time.time() + 600
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: later))
    hit = Client().get(ARTICLE)
    assert hit[HEADER] == "hit"
    article = Article.objects.get(slug="psoas-trigger-points")

    def timestamp(response):
        return BeautifulSoup(response.content, "html.parser").select_one("input[name=ts]")["value"]

    assert timestamp(hit) != timestamp(miss)
    assert 0 <= tokens.form_token_age(timestamp(hit), article) < 0.01  # served "now", not 600 s ago


def test_refresh_form_token_keeps_a_forged_token_as_it_is():
    assert tokens.refresh_form_token("forged:token") == "forged:token"


def test_a_refreshed_form_token_is_verified_under_the_current_key(settings):
    issued = tokens.FORM.make({"a": 7, "t": 1})
    assert tokens.FORM.read(tokens.refresh_form_token(issued))["a"] == 7
    settings.SECRET_KEY = "another-key-" + "x" * 40  # remembered as valid before: not under this key
    assert tokens.refresh_form_token(issued) == issued


def test_the_video_frame_policy_comes_with_a_cached_article(seeded):
    miss, hit = Client().get(ARTICLE), Client().get(ARTICLE)
    assert hit[HEADER] == "hit"
    assert policy_sources(hit, "frame-src") == policy_sources(miss, "frame-src")
    assert "https://www.youtube-nocookie.com" in policy_sources(hit, "frame-src")


def policy_sources(response, directive):
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        if name == directive:
            return sources
    return []


def test_a_cached_product_page_still_records_the_recently_viewed_product(claw):
    Client().get(product_url(claw))
    hit = Client().get(product_url(claw))
    assert hit[HEADER] == "hit"
    assert hit.cookies["oscar_history"].value == f"[{claw.pk}]"


def test_a_price_or_stock_change_shows_on_the_next_request(claw):
    Client().get(product_url(claw)), Client().get(HOME)
    record = claw.stockrecords.get()
    record.price = Decimal("44.44")
    record.save()
    for path in (product_url(claw), HOME):
        response = Client().get(path)
        assert response[HEADER] == "miss"
        assert b"$44.44" in response.content

    Client().get(product_url(claw))
    record.allocate(3)  # an order: one conditional UPDATE in the partner fork
    assert Client().get(product_url(claw))[HEADER] == "miss"


def test_an_article_edit_shows_on_the_next_request(seeded):
    Client().get(ARTICLE)
    article = Article.objects.get(slug="psoas-trigger-points")
    article.title = "Psoas trigger points, revised"
    article.save()
    response = Client().get(ARTICLE)
    assert response[HEADER] == "miss"
    assert b"Psoas trigger points, revised" in response.content


def test_never_for_a_signed_in_customer_or_a_shopper_with_a_basket(claw, customer):
    Client().get(HOME)
    signed_in = Client()
    signed_in.force_login(customer)
    response = signed_in.get(HOME)
    assert HEADER not in response
    assert reverse("customer:summary").encode() in response.content  # their own header

    shopper = Client()
    shopper.post(reverse("basket:add", kwargs={"pk": claw.pk}), {"quantity": 2})
    page = shopper.get(HOME)
    assert HEADER not in page  # the cart badge counts this shopper's items
    assert b'data-basket-count="2"' in page.content
    assert b'data-basket-count="0"' in Client().get(HOME).content


@pytest.mark.parametrize("path", [reverse("checkout:index"), "/search/?q=psoas"])
def test_never_for_checkout_or_search(seeded, path):  # the cart: only empty (below)
    for _ in range(2):
        response = Client().get(path)
        assert HEADER not in response


@pytest.mark.parametrize(("query", "cached"), [("?page=1", True), ("?sort_by=price", False), ("?page=x", False)])
def test_only_plain_page_numbers_reach_the_cache(seeded, query, cached):
    for _ in range(2):
        response = Client().get("/learn/" + query)
    assert response.status_code in (200, 404)
    assert (response.get(HEADER) == "hit") is cached


def test_a_page_with_a_message_is_not_stored(claw):
    shopper = Client()
    shopper.post(reverse("basket:add", kwargs={"pk": claw.pk}), {"quantity": 1})
    shopper.cookies.pop("oscar_open_basket", None)
    assert "messages" in shopper.cookies
    with_message = shopper.get(HOME)
    assert HEADER not in with_message
    assert claw.title.encode() in with_message.content
    for _ in range(2):
        other = Client().get(HOME)
        assert b'class="alert' not in other.content and b"messages" not in other.cookies


def test_each_host_gets_its_own_absolute_urls(seeded, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.qlclaw.example"]
    Client().get(ARTICLE)
    other = Client(HTTP_HOST="www.qlclaw.example").get(ARTICLE)
    assert other[HEADER] == "miss"
    canonical = BeautifulSoup(other.content, "html.parser").select_one('link[rel="canonical"]')["href"]
    assert canonical.startswith("http://www.qlclaw.example/")


def test_a_deploy_that_changes_a_template_or_static_file_starts_afresh(settings, tmp_path):
    from shop.pagecache import release

    app = tmp_path / "someapp"
    (app / "templates" / "someapp").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    template = app / "templates" / "someapp" / "page.html"
    template.write_text("<p>old</p>")
    settings.BASE_DIR, settings.STATIC_ROOT = tmp_path, tmp_path / "static"
    try:
        release.cache_clear()
        old = release()
        template.write_text("<p>new</p>")
        release.cache_clear()
        assert release() != old
        with_templates = release()
        (tmp_path / "static").mkdir()
        (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {"a.css": "a.123.css"}}')
        release.cache_clear()
        assert release() != with_templates
    finally:
        release.cache_clear()


# -- invalidated by what changed (shop/pagedeps.py) -------------------------------------------


QL_ARTICLE = "/learn/quadratus-lumborum-the-hip-hiker/"


def product_page_stock(response):
    return BeautifulSoup(response.content, "html.parser").select_one(".availability").get_text(strip=True)


def test_an_order_leaves_home_and_articles_cached_and_the_product_page_shows_the_new_stock(claw):
    record = claw.stockrecords.get()
    left = record.net_stock_level
    for path in (product_url(claw), HOME, ARTICLE, QL_ARTICLE):
        Client().get(path)
    assert product_page_stock(Client().get(product_url(claw))) == f"In stock ({left} available)"
    home = Client().get(HOME).content
    assert b"In stock" in home and f"({left} available)".encode() not in home  # the shelf state only

    record.allocate(3)  # an order: one conditional UPDATE in the partner fork

    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss"
    assert product_page_stock(page) == f"In stock ({left - 3} available)"
    for path in (HOME, ARTICLE, QL_ARTICLE):
        assert Client().get(path)[HEADER] == "hit", path  # they show "In stock", which has not changed


def test_running_low_shows_on_every_page_that_shows_the_product(claw):
    record = claw.stockrecords.get()
    record.num_in_stock = (record.num_allocated or 0) + record.low_stock_threshold + 2
    record.save()
    for path in (HOME, ARTICLE):
        Client().get(path)
    record.allocate(1)  # still more than the threshold: "In stock" everywhere but the product page
    assert Client().get(HOME)[HEADER] == "hit"
    record.allocate(2)  # now below the threshold: the shelf state changes
    for path in (HOME, ARTICLE):
        page = Client().get(path)
        assert page[HEADER] == "miss", path
        assert f"Only {record.low_stock_threshold - 1} left".encode() in page.content


def test_a_price_change_shows_on_the_product_page_home_and_article_at_once(claw):
    for path in (product_url(claw), HOME, ARTICLE):
        Client().get(path)
    record = claw.stockrecords.get()
    record.price = Decimal("41.17")
    record.save()
    for path in (product_url(claw), HOME, ARTICLE):
        page = Client().get(path)
        assert page[HEADER] == "miss", path
        assert b"$41.17" in page.content, path


def make_articles(count):
    from datetime import timedelta

    from django.utils import timezone

    return [
        Article.objects.create(
            title=f"Stretching note {n}", slug=f"stretching-note-{n}", summary="A short note.", body="Some text.",
            status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(days=30 + n),
        )
        for n in range(count)
    ]


def test_an_article_edit_makes_stale_only_the_pages_that_show_it(claw):
    from oscar.core.loading import get_model

    oldest = make_articles(4)[-1]  # related articles: the one sharing a product, then the newest
    bag = get_model("catalogue", "Product").objects.get(upc="QLC-BAG-01")
    pages = [product_url(claw), product_url(bag), HOME, ARTICLE, QL_ARTICLE, oldest.get_absolute_url()]
    for path in pages:
        Client().get(path)
    assert Client().get(ARTICLE)[HEADER] == "hit"

    oldest.title = "Stretching note, revised"
    oldest.save()
    assert Client().get(oldest.get_absolute_url())[HEADER] == "miss"
    for path in (product_url(claw), product_url(bag), HOME, ARTICLE, QL_ARTICLE):
        assert Client().get(path)[HEADER] == "hit", path  # none of them shows that article

    psoas = Article.objects.get(slug="psoas-trigger-points")
    psoas.summary = "Revised summary."
    psoas.save()
    assert Client().get(product_url(claw))[HEADER] == "miss"  # lists its articles
    assert Client().get(QL_ARTICLE)[HEADER] == "miss"  # lists it among the related articles
    assert Client().get(product_url(bag))[HEADER] == "hit"
    assert Client().get(HOME)[HEADER] == "hit"


def test_a_comment_or_a_review_makes_stale_only_its_own_page(claw, customer):
    from oscar.core.loading import get_model

    from article_comments.models import Comment

    pages = [product_url(claw), HOME, ARTICLE, QL_ARTICLE]
    for path in pages:
        Client().get(path)
    psoas = Article.objects.get(slug="psoas-trigger-points")
    Comment.objects.create(article=psoas, name="Dana", email="dana@example.com", body="Helped my back.",
                           status=Comment.Status.APPROVED)
    page = Client().get(ARTICLE)
    assert page[HEADER] == "miss" and b"Helped my back." in page.content
    for path in (product_url(claw), HOME, QL_ARTICLE):
        assert Client().get(path)[HEADER] == "hit", path

    Client().get(ARTICLE)
    get_model("reviews", "ProductReview").objects.create(
        product=claw, user=customer, score=5, title="Great", body="Works well.", status=1
    )  # Oscar saves the product too (its rating)
    assert Client().get(product_url(claw))[HEADER] == "miss"
    for path in (HOME, ARTICLE, QL_ARTICLE):
        assert Client().get(path)[HEADER] == "hit", path


def test_a_product_edit_makes_stale_the_pages_that_show_it(claw):
    for path in (product_url(claw), HOME, ARTICLE):
        Client().get(path)
    claw.title = "QL Claw, second edition"
    claw.save()
    for path in (product_url(claw), HOME, ARTICLE):
        page = Client().get(path)
        assert page[HEADER] == "miss", path
        assert b"QL Claw, second edition" in page.content, path


def test_a_site_wide_change_makes_every_page_stale(seeded):
    from oscar.core.loading import get_model

    for path in (HOME, ARTICLE):
        Client().get(path)
    method = get_model("shipping", "OrderAndItemCharges").objects.first()
    method.save()
    for path in (HOME, ARTICLE):
        assert Client().get(path)[HEADER] == "miss", path


# -- no database write in a GET, and the views still counted (shop/analytics.py) ---------------


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_a_product_page_view_writes_nothing_to_the_database_and_is_counted(claw, article_view_counts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop import analytics

    for path in (product_url(claw), ARTICLE):  # sorl-thumbnail records each new thumbnail once
        Client().get(path + "?page=1")
    with CaptureQueriesContext(connection) as queries:
        miss, hit = Client().get(product_url(claw)), Client().get(product_url(claw))
        article_miss, article_hit = Client().get(ARTICLE), Client().get(ARTICLE)
    assert (miss[HEADER], hit[HEADER], article_miss[HEADER], article_hit[HEADER]) == ("miss", "hit", "miss", "hit")
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert article_view_counts() == {"product": 0, "article": 0}
    assert analytics.flush_view_counts() == {"product": 3, "article": 3}  # the hits counted too
    assert article_view_counts() == {"product": 3, "article": 3}


@pytest.fixture
def article_view_counts(claw):
    from oscar.core.loading import get_model

    from shop.models import ArticleRecord

    def counts():
        product = get_model("analytics", "ProductRecord").objects.filter(product=claw).first()
        article = ArticleRecord.objects.filter(article__slug="psoas-trigger-points").first()
        return {"product": product.num_views if product else 0, "article": article.num_views if article else 0}

    return counts


def test_the_flush_counts_each_view_once(claw, article_view_counts, monkeypatch):
    from django.core.cache import cache

    from shop import analytics

    for _ in range(5):
        analytics.count_view("product", claw.pk)
    assert analytics.flush_view_counts()["product"] == 5
    assert analytics.flush_view_counts()["product"] == 0  # run twice: nothing more
    assert article_view_counts()["product"] == 5

    # Two flushes at once: both read 4, one decrements to 0, the other below zero and gives it back.
    for _ in range(4):
        analytics.count_view("product", claw.pk)
    key = analytics.VIEW_COUNTER.format(kind="product", pk=claw.pk)
    assert analytics._take(key, 4) == 4
    assert analytics._take(key, 4) == 0
    assert cache.get(key) == 0

    # A flush that dies between the decrement and the write loses those views, never counts them twice.
    for _ in range(3):
        analytics.count_view("product", claw.pk)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(analytics, "add_to_counters", crash)
    with pytest.raises(RuntimeError):
        analytics.flush_view_counts()
    monkeypatch.undo()
    assert analytics.flush_view_counts()["product"] == 0
    analytics.count_view("product", claw.pk)
    assert analytics.flush_view_counts()["product"] == 1
    assert article_view_counts()["product"] == 6


# -- stale while revalidate (committed changes, as between two requests of a live site) ---------


@pytest.fixture
def lock_held_elsewhere(monkeypatch):
    """Another worker holds the re-render lock of every page."""
    from django.core.cache import cache

    real_add = cache.add

    def add(key, *args, **kwargs):
        return False if key.startswith("pagecache:lock:") else real_add(key, *args, **kwargs)

    monkeypatch.setattr(cache, "add", add)
    return monkeypatch


def cache_get(key):
    from django.core.cache import cache

    return cache.get(key)


def commit(change):
    from django.db import transaction

    with transaction.atomic():
        change()


@pytest.fixture
def unpublished(monkeypatch, settings):
    """Orders whose stock message was lost (a server that died between the commit and the publish):
    the product page's live hole has no message for the new stock version, and the moment during
    which a publish on its way would have been waited for is over."""
    from shop import livestock

    monkeypatch.setattr(livestock, "publish", lambda product_id: None)
    settings.PAGE_CACHE_LIVE_GRACE_SECONDS = 0


def test_a_stale_page_is_served_while_another_worker_renders_it(committed, lock_held_elsewhere, unpublished):
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))
    assert Client().get(product_url(claw))[HEADER] == "hit"

    commit(lambda: record.allocate(2))

    stale = Client().get(product_url(claw))
    assert stale[HEADER] == "stale"
    assert product_page_stock(stale) == f"In stock ({left} available)"  # the previous page, for a moment
    assert script_nonces(stale) == {header_nonce(stale)}  # filled in like a hit
    lock_held_elsewhere.undo()  # this worker gets the lock: it renders and stores
    fresh = Client().get(product_url(claw))
    assert fresh[HEADER] == "miss" and product_page_stock(fresh) == f"In stock ({left - 2} available)"
    assert Client().get(product_url(claw))[HEADER] == "hit"


def test_after_an_order_the_next_product_request_shows_the_new_stock(committed):
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    for path in (product_url(claw), HOME):
        Client().get(path)
    commit(lambda: record.allocate(1))
    page = Client().get(product_url(claw))
    assert page[HEADER] == "hit"  # the exact stock is a live hole: the order left the page cached
    assert product_page_stock(page) == f"In stock ({left - 1} available)"
    assert Client().get(HOME)[HEADER] == "hit"
    for _ in range(3):
        commit(lambda: record.allocate(1))
    page = Client().get(product_url(claw))
    assert page[HEADER] == "hit" and product_page_stock(page) == f"In stock ({left - 4} available)"
    assert script_nonces(page) == {header_nonce(page)}


def test_without_the_message_for_the_new_stock_the_product_page_renders(committed, unpublished):
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))
    commit(lambda: record.allocate(1))
    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss"  # the stale copy exists, but this request got the lock
    assert product_page_stock(page) == f"In stock ({left - 1} available)"


def test_while_an_orders_message_is_on_its_way_the_page_stays_a_hit_a_moment_behind(committed, monkeypatch,
                                                                                      settings):
    from shop import livestock

    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))
    commit(lambda: record.allocate(1))
    assert product_page_stock(Client().get(product_url(claw))) == f"In stock ({left - 1} available)"
    monkeypatch.setattr(livestock, "publish", lambda product_id: None)  # the next one is still on its way
    commit(lambda: record.allocate(1))
    page = Client().get(product_url(claw))
    assert page[HEADER] == "hit"  # no worker re-renders the page for a gap of milliseconds
    assert product_page_stock(page) == f"In stock ({left - 1} available)"  # the previous order's number
    settings.PAGE_CACHE_LIVE_GRACE_SECONDS = 0  # the moment is over: that publish was lost
    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss" and product_page_stock(page) == f"In stock ({left - 2} available)"
    assert cache_get(livestock.live_key(claw.pk))["message"] == f"In stock ({left - 2} available)"


def test_a_message_on_its_way_is_waited_for_only_briefly_and_only_after_a_recent_one():
    from shop.livestock import in_flight

    s = 10**9
    now = 100 * s
    earlier = {1: {"version": now - 3 * s, "message": "In stock (7 available)"}}
    assert in_flight(earlier, {1: now - s // 100}, now, 2 * s, 15 * s) == {1: "In stock (7 available)"}
    assert in_flight(earlier, {1: now - 2 * s}, now, 2 * s, 15 * s) is None  # bumped too long ago: lost
    assert in_flight(earlier, {1: now - s // 100}, now, 2 * s, 2 * s) is None  # last message too old
    assert in_flight(earlier, {1: now + s}, now, 2 * s, 15 * s) is None  # a clock ahead of ours
    assert in_flight({1: None}, {1: now}, now, 2 * s, 15 * s) is None  # nothing published
    newer = {1: {"version": now, "message": "In stock (6 available)"}}
    assert in_flight(newer, {1: now - s // 100}, now, 2 * s, 15 * s) is None  # not an earlier bump's
    both = {**earlier, 2: None}
    assert in_flight(both, {1: now, 2: now}, now, 2 * s, 15 * s) is None  # every product, or none


def test_a_message_published_out_of_order_is_not_shown(committed, settings):
    from shop import livestock

    settings.PAGE_CACHE_LIVE_GRACE_SECONDS = 0  # shown only a moment (test above); here, past that moment
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))
    commit(lambda: record.allocate(1))
    older = Client().get(product_url(claw))
    assert older[HEADER] == "hit"
    published = dict(cache_get(livestock.live_key(claw.pk)))
    commit(lambda: record.allocate(1))
    livestock.store(claw.pk, published["version"], published["message"])  # the first order's, landing last
    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss" and product_page_stock(page) == f"In stock ({left - 2} available)"


def test_selling_out_re_renders_the_product_page_without_the_add_to_cart_form(committed):
    claw = committed
    record = claw.stockrecords.get()
    Client().get(product_url(claw))
    assert b'id="add_to_basket_form"' in Client().get(product_url(claw)).content
    commit(lambda: record.allocate(record.net_stock_level))  # the shelf state changes: avail:<id>
    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss"
    assert product_page_stock(page) == "Unavailable" and b'id="add_to_basket_form"' not in page.content


def test_a_new_price_is_never_served_stale(committed, lock_held_elsewhere):
    claw = committed
    for path in (product_url(claw), HOME):
        Client().get(path)
    record = claw.stockrecords.get()
    record.price = Decimal("38.50")
    commit(record.save)
    for path in (product_url(claw), HOME):
        page = Client().get(path)
        assert page[HEADER] == "miss", path
        assert b"$38.50" in page.content


def test_stale_only_for_a_moment(committed, lock_held_elsewhere, settings, unpublished):
    claw = committed
    Client().get(product_url(claw))
    settings.PAGE_CACHE_STALE_SECONDS = 0  # the change is already older than that
    commit(lambda: claw.stockrecords.get().allocate(1))
    assert Client().get(product_url(claw))[HEADER] == "miss"


def test_a_tag_lost_from_the_cache_makes_its_pages_stale(committed):
    from django.core.cache import cache

    from shop.pagedeps import tag_key

    claw = committed
    for path in (product_url(claw), HOME):
        Client().get(path)
    cache.delete(tag_key(f"stock:{claw.pk}"))  # a bump Redis could not take is deleted once it is back
    assert Client().get(product_url(claw))[HEADER] == "miss"
    assert Client().get(HOME)[HEADER] == "hit"
    assert Client().get(product_url(claw))[HEADER] == "hit"


def test_the_empty_cart_is_cached_only_for_shoppers_with_no_basket(seeded):
    from oscar.core.loading import get_model

    claw = get_model("catalogue", "Product").objects.get(upc="QLC-CLAW-01")
    first = Client().get("/basket/")
    assert first[HEADER] == "miss" and b"Your cart is empty." in first.content
    empty = Client().get("/basket/")
    assert empty[HEADER] == "hit" and b"Your cart is empty." in empty.content
    assert script_nonces(empty) <= {header_nonce(empty)}
    shopper = Client()
    shopper.post(reverse("basket:add", kwargs={"pk": claw.pk}), {"quantity": 1})
    cart = shopper.get("/basket/")
    assert HEADER not in cart and b"Your cart is empty." not in cart.content
    assert claw.title.encode() in cart.content
    assert Client().get("/basket/")[HEADER] == "hit"  # the empty page is still there for everyone else


def test_a_hit_reads_the_page_and_what_it_depends_on_in_one_round_trip(committed, monkeypatch):
    from django.core.cache import cache

    page_url = product_url(committed)
    client = Client()
    client.get(page_url)  # this worker renders and stores it: it knows the page's tags
    client.cookies.clear()  # a new shopper (the recently-viewed cookie is part of the key)
    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **kw: reads.append(list(keys)) or real(keys, *a, **kw))
    page = client.get(page_url)
    assert page[HEADER] == "hit"
    assert len(reads) == 1 and any(key.startswith("pagecache:tag:stock:") for key in reads[0])
    pagecache._known.clear()  # a worker that has not seen the page: a second read for its tags, then one
    other = Client()
    assert other.get(page_url)[HEADER] == "hit" and len(reads) == 3
    other.cookies.clear()
    assert other.get(page_url)[HEADER] == "hit" and len(reads) == 4


def test_orders_arriving_all_the_time_do_not_keep_the_product_page_from_being_stored(committed, settings):
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))
    settings.PAGE_CACHE_CLOCK_SKEW = 0.5
    record.price = Decimal("41.00")  # a price change: the page must render again
    commit(record.save)
    time.sleep(0.6)  # older than the skew allowance: only the orders below are recent
    commit(lambda: record.allocate(1))  # stock bumped just now, as at several orders a second
    assert Client().get(product_url(claw))[HEADER] == "miss"
    commit(lambda: record.allocate(1))
    page = Client().get(product_url(claw))
    assert page[HEADER] == "hit"  # stored, although the stock changed less than the allowance ago
    assert product_page_stock(page) == f"In stock ({left - 2} available)" and b"41.00" in page.content


def test_a_stale_product_page_shows_the_newest_stock_known(committed, lock_held_elsewhere):
    claw = committed
    record = claw.stockrecords.get()
    left = record.net_stock_level
    Client().get(product_url(claw))  # stored with "left"
    for _ in range(3):
        commit(lambda: record.allocate(1))
    assert product_page_stock(Client().get(product_url(claw))) == f"In stock ({left - 3} available)"
    article = Article.objects.get(slug="psoas-trigger-points")  # shown on the product page
    article.title = article.title + "!"
    commit(article.save)
    stale = Client().get(product_url(claw))
    assert stale[HEADER] == "stale"
    assert product_page_stock(stale) == f"In stock ({left - 3} available)"  # not the stored page's count


def test_links_changed_through_a_relation_alone_show_on_the_next_request(claw):
    """Categories and options added with .add() send no post_save: the product page (its add-to-cart
    form) and the category lists follow them all the same."""
    from oscar.core.loading import get_model

    Option = get_model("catalogue", "Option")
    Category = get_model("catalogue", "Category")
    option = Option.objects.create(name="Engraving", code="engraving", required=False)
    category = Category.add_root(name="Gifts")
    for path in (product_url(claw), category.get_absolute_url()):
        Client().get(path)
        assert Client().get(path)[HEADER] == "hit"

    claw.get_product_class().options.add(option)
    page = Client().get(product_url(claw))
    assert page[HEADER] == "miss" and b'name="engraving"' in page.content

    claw.categories.add(category)
    listing = Client().get(category.get_absolute_url())
    assert listing[HEADER] == "miss" and claw.title.encode() in listing.content


def test_a_page_turns_over_with_the_schedule_bucket(committed, monkeypatch):
    """Scheduled articles go live without an edit: every page is rendered again once the
    five-minute schedule bucket turns, and cached again after that."""
    from content_pages import cache as content_cache

    Client().get(HOME)
    assert Client().get(HOME)[HEADER] == "hit"
    monkeypatch.setattr(content_cache, "schedule_bucket", lambda: 2)
    assert Client().get(HOME)[HEADER] == "miss"
    assert Client().get(HOME)[HEADER] == "hit"

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


@pytest.mark.parametrize("path", [reverse("basket:summary"), reverse("checkout:index"), "/search/?q=psoas"])
def test_never_for_basket_checkout_or_search(seeded, path):
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

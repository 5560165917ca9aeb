"""Search from the database (search/): products, articles and tutorial videos on one page, current
as soon as a save commits, with bounded queries that never fail and a rate limit per address."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import CategoryFactory, create_product

from content_pages.models import Article
from search.models import SearchDocument
from tests.factories import ArticleFactory, VideoFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("search:search")


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


def titles(response, kind):
    """The titles listed in the group of this kind (product, article, video)."""
    from bs4 import BeautifulSoup

    html = BeautifulSoup(response.content, "html.parser")
    group = html.select_one(f".search-group--{kind}")
    if group is None:
        return []
    if kind == "product":
        return [el.text.strip() for el in group.select(".product-card__title")]
    return [el.text.strip() for el in group.select(".search-result__title a")]


def test_psoas_finds_the_article_the_videos_and_the_product_on_one_page(client, seeded):
    response = search(client, "psoas")
    assert response.status_code == 200
    assert "Psoas trigger points: anatomy, pain pattern and relief" in titles(response, "article")
    assert titles(response, "product") == ["QL Claw"]
    assert "Using the QL Claw on the psoas" in titles(response, "video")
    text = response.content.decode()
    assert "<mark>psoas</mark>" in text.lower()  # the excerpts mark the word
    assert "$49.99" in text  # the product's price


def test_counts_per_kind_and_a_tab_for_one_kind(client, seeded):
    everything = search(client, "psoas")
    counts = everything.context["tabs"]
    by_label = {tab["label"]: tab["count"] for tab in counts}
    assert by_label["Products"] == 1 and by_label["Articles"] >= 1 and by_label["Tutorial videos"] >= 1
    assert by_label["All"] == by_label["Products"] + by_label["Articles"] + by_label["Tutorial videos"]
    only_articles = search(client, "psoas", type="article")
    assert titles(only_articles, "article") and not titles(only_articles, "product")


def test_a_product_is_found_by_its_code_and_its_category(client, db):
    category = CategoryFactory(name="Foam rollers")
    product = create_product(title="Ridge roller", upc="RR-042", price=10, num_in_stock=3)
    product.categories.add(category)
    assert titles(search(client, "RR-042"), "product") == ["Ridge roller"]
    assert titles(search(client, "foam rollers"), "product") == ["Ridge roller"]
    category.name = "Massage rollers"
    category.save()
    assert titles(search(client, "massage rollers"), "product") == ["Ridge roller"]
    assert titles(search(client, "foam"), "product") == []


def test_a_product_is_found_by_its_new_title_right_after_the_edit(client, db):
    product = create_product(title="Trigger ball", price=5, num_in_stock=1)
    assert titles(search(client, "trigger ball"), "product") == ["Trigger ball"]
    product.title = "Lacrosse ball"
    product.save()
    assert titles(search(client, "lacrosse"), "product") == ["Lacrosse ball"]
    assert titles(search(client, "trigger"), "product") == []


def test_a_hidden_or_deleted_product_is_not_found(client, db):
    product = create_product(title="Spiky ring", price=5, num_in_stock=1)
    product.is_public = False
    product.save()
    assert titles(search(client, "spiky"), "product") == []
    product.is_public = True
    product.save()
    assert titles(search(client, "spiky"), "product") == ["Spiky ring"]
    product.delete()
    assert not SearchDocument.objects.filter(kind="product", object_id=product.pk).exists()
    assert titles(search(client, "spiky"), "product") == []


def test_an_article_is_found_by_a_word_of_its_body_once_published_and_not_before(client, db):
    article = ArticleFactory(
        title="Hip flexors", status=Article.Status.DRAFT, body="<p>The zygapophyseal joints matter too.</p>"
    )
    assert titles(search(client, "zygapophyseal"), "article") == []  # a draft

    article.status = Article.Status.PUBLISHED
    article.publish_at = timezone.now() + timedelta(days=2)
    article.save()
    assert titles(search(client, "zygapophyseal"), "article") == []  # scheduled for later

    article.publish_at = timezone.now() - timedelta(minutes=1)
    article.save()
    assert titles(search(client, "zygapophyseal"), "article") == ["Hip flexors"]  # published: found at once

    article.status = Article.Status.DRAFT
    article.save()
    assert titles(search(client, "zygapophyseal"), "article") == []  # unpublished again


def test_a_scheduled_article_is_found_when_its_date_comes_without_any_save(client, db, monkeypatch):
    ArticleFactory(title="Glute medius", body="<p>Quadriceps too.</p>", publish_at=timezone.now() + timedelta(hours=1))
    assert titles(search(client, "quadriceps"), "article") == []
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the clock passes the publish date; nothing is saved
    assert titles(search(client, "quadriceps"), "article") == ["Glute medius"]


def test_a_video_is_found_by_its_description_and_forgotten_when_deleted(client, db):
    video = VideoFactory(title="Evening routine", description="Five minutes on the iliacus before bed.")
    assert titles(search(client, "iliacus"), "video") == ["Evening routine"]
    video.delete()
    assert titles(search(client, "iliacus"), "video") == []


def test_a_title_match_ranks_above_a_body_match(client, db):
    ArticleFactory(title="Why the back aches", body="<p>Often the piriformis is involved.</p>")
    ArticleFactory(title="Piriformis syndrome", body="<p>A small muscle deep in the hip.</p>")
    assert titles(search(client, "piriformis"), "article") == ["Piriformis syndrome", "Why the back aches"]


def test_every_word_must_match(client, db):
    ArticleFactory(title="Psoas release", body="<p>Lie face down.</p>")
    ArticleFactory(title="Psoas anatomy", body="<p>From the spine to the thigh.</p>")
    assert titles(search(client, "psoas thigh"), "article") == ["Psoas anatomy"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's full-text search; "
                    "the SQLite fallback matches substrings")
def test_postgresql_matches_other_forms_of_a_word(client, db):
    ArticleFactory(title="Evening stretches", body="<p>Stretching the hamstrings gently.</p>")
    assert titles(search(client, "stretch hamstring"), "article") == ["Evening stretches"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search vector and its index are PostgreSQL's")
def test_postgresql_documents_carry_a_vector_under_a_gin_index(db):
    ArticleFactory(title="Vector check", body="<p>Body.</p>")
    assert SearchDocument.objects.filter(search_vector__isnull=False).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument'")
        assert any("gin (search_vector)" in row[0] for row in cursor.fetchall())


def test_nothing_found_says_so_and_suggests_where_to_go(client, seeded):
    response = search(client, "snorkel")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nothing found for “snorkel”" in text
    assert reverse("catalogue:index") in text and reverse("content_pages:article-list") in text
    assert "QL Claw" in text  # a product to look at instead


def test_a_thousand_words_are_refused_with_a_message_not_a_server_error(client, seeded):
    response = search(client, " ".join(["psoas"] + [f"word{n}" for n in range(999)]))
    assert response.status_code == 400
    assert "That search is too long" in response.content.decode()


def test_a_long_query_under_the_limit_searches_its_first_ten_words(client, seeded):
    response = search(client, "psoas " + " ".join(f"w{n}" for n in range(100)))
    assert response.status_code == 200
    assert "A search uses at most 10 words" in response.content.decode()


def test_a_megabyte_query_string_is_a_client_error(client, db):
    response = client.get(SEARCH + "?q=" + "a" * (1024 * 1024))
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "junk", ["\x00", "psoas\x00", "%%%", "***", "\"'\\", "😀", "a" * 999, "-", "or", "!@#$%^&*()", "\u202e\u200b", "ǅ̈"]
)
def test_junk_is_no_server_error(client, db, junk):
    assert search(client, junk).status_code in (200, 400)


def test_junk_parameters_are_ignored(client, db):
    assert client.get(SEARCH, {"q": "psoas", "type": "nonsense", "page": "-1"}).status_code == 200
    assert client.get(SEARCH, {"q": ["psoas", "claw"], "page": "x" * 500}).status_code == 200


def test_too_many_searches_from_one_address_get_429(client, db, settings, frozen_rate_window):
    settings.STORE_SEARCH_RATE = "3/m"
    assert [search(client, "psoas").status_code for _ in range(3)] == [200, 200, 200]
    limited = search(client, "psoas")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "Too many searches" in limited.content.decode()
    other_address = client.get(SEARCH, {"q": "psoas"}, REMOTE_ADDR="203.0.113.9")
    assert other_address.status_code == 200


def test_the_header_search_box_posts_to_this_page(client, seeded):
    html = client.get("/").content.decode()
    assert f'action="{SEARCH}"' in html


def test_results_page_queries_do_not_grow_with_the_results(client, db, django_assert_max_num_queries, settings):
    settings.STORE_SEARCH_RATE = "1000/m"
    for n in range(3):
        ArticleFactory(title=f"Release {n}", body="<p>release</p>")
        create_product(title=f"Release tool {n}", price=5, num_in_stock=2)
    search(client, "release")  # warm (thumbnails, content version)
    with django_assert_max_num_queries(8) as few:
        search(client, "release")
    with_three = len(few)
    for n in range(3, 12):
        ArticleFactory(title=f"Release {n}", body="<p>release</p>")
        create_product(title=f"Release tool {n}", price=5, num_in_stock=2)
    search(client, "release")
    with django_assert_max_num_queries(with_three):
        search(client, "release")

"""Articles, tutorials and their links with the product, as the public and staff see them."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from content_pages.models import Article, ArticleProduct, ArticleVideo, Citation, ProductVideo
from tests.factories import ArticleFactory, CitationFactory, VideoFactory

pytestmark = pytest.mark.django_db

PSOAS = "/learn/psoas-trigger-points/"


def jsonld(page):
    return [json.loads(tag.string) for tag in page.html.select('script[type="application/ld+json"]')]


def test_learn_lists_published_articles_newest_first(django_app, seeded):
    ArticleFactory(title="Old one", publish_at=timezone.now() - timedelta(days=400))
    ArticleFactory(title="Hidden draft", status=Article.Status.DRAFT)
    ArticleFactory(title="Future one", publish_at=timezone.now() + timedelta(days=3))
    page = django_app.get(reverse("content_pages:article-list"))
    titles = [h.text.strip() for h in page.html.select(".article-card__title")]
    assert titles[0] == "Psoas trigger points: anatomy, pain pattern and relief"
    assert titles[-1] == "Old one"
    assert "Hidden draft" not in titles and "Future one" not in titles
    assert "min read" in page.text


def test_learn_is_paginated(django_app, db):
    ArticleFactory.create_batch(11)
    first = django_app.get("/learn/")
    assert len(first.html.select(".article-card")) == 9
    second = django_app.get("/learn/?page=2")
    assert len(second.html.select(".article-card")) == 2
    assert django_app.get("/learn/?page=9", expect_errors=True).status_code == 404
    assert django_app.get("/learn/?page=abc", expect_errors=True).status_code == 404


def test_psoas_article_page(django_app, claw):
    page = django_app.get(PSOAS)
    html = page.html
    assert html.h1.text.strip() == "Psoas trigger points: anatomy, pain pattern and relief"
    toc = [a.text for a in html.select(".toc a")]
    assert toc[:4] == [
        "Introduction",
        "Anatomy and function",
        "Referred pain pattern",
        "How to release psoas trigger points",
    ]
    assert toc[-1] == "References"
    # Citations link to the numbered references and back.
    cite = html.select_one('a.citation[href="#ref-1"]')
    assert cite.text == "[1, p. 1200]"
    ref1 = html.select_one("#ref-1")
    assert "Travell, Simons & Simons' Myofascial Pain and Dysfunction" in ref1.text
    assert ref1.select_one(f'a.backref[href="#{cite["id"]}"]')
    assert "Davies, Clair, and Amber Davies" in html.select_one("#ref-2").text
    assert "not medical advice" in html.select_one(".disclaimer").text
    # The buy box: live price and stock, and a form that brings the shopper back here.
    box = html.select_one(f"#buy-{claw.pk}")
    assert "$49.99" in box.text and "In stock" in box.text
    assert box.select_one('input[name="next"]')["value"] == f"{PSOAS}#buy-{claw.pk}"
    # Three videos, as facades: no iframe and no video host contacted until a click.
    facades = html.select(".video-facade")
    assert len(facades) == 3
    assert not html.select("iframe")
    assert all(f["data-embed-url"].startswith("https://www.youtube-nocookie.com/embed/") for f in facades)
    assert all(img["src"].startswith("/media/") for img in html.select(".video-facade img"))
    # Related articles.
    assert "quadratus lumborum" in html.select_one(".related").text.lower()


def test_add_to_basket_from_the_article_stays_on_the_article(django_app, claw):
    page = django_app.get(PSOAS)
    form = next(f for f in page.forms.values() if f.action == reverse("basket:add", kwargs={"pk": claw.pk}))
    response = form.submit()
    assert response.status_code == 302
    assert response.location.endswith(f"{PSOAS}#buy-{claw.pk}")
    back = response.follow()
    message = back.html.select_one(".alert").get_text(" ", strip=True)
    assert "QL Claw is in your cart" in message  # one message (shop/templatetags/store_messages.py)
    assert "basket" not in message.lower()
    assert back.html.select_one(".basket-badge")["data-basket-count"] == "1"


def test_article_seo(django_app, claw):
    page = django_app.get(PSOAS)
    assert page.html.select_one('link[rel="canonical"]')["href"] == f"http://testserver{PSOAS}"
    assert page.html.select_one('meta[property="og:title"]')["content"].startswith("Psoas trigger points")
    assert page.html.select_one('meta[name="twitter:card"]')
    data = {d["@type"]: d for d in jsonld(page) if d["@type"] != "VideoObject"}
    article = data["Article"]
    assert article["dateModified"] and article["datePublished"]
    assert [c["name"] for c in article["citation"]][0].startswith("Travell, Simons")
    assert [i["name"] for i in data["BreadcrumbList"]["itemListElement"]] == ["Home", "Learn", article["headline"]]
    videos = [d for d in jsonld(page) if d["@type"] == "VideoObject"]
    assert len(videos) == 3 and all(v["thumbnailUrl"].startswith("http://testserver/media/") for v in videos)


def test_jsonld_cannot_break_out_of_its_script_tag(django_app, db):
    ArticleFactory(slug="evil", title="</script><script>alert(1)</script>")
    page = django_app.get("/learn/evil/")
    assert "<script>alert(1)</script>" not in page.text
    assert [d["headline"] for d in jsonld(page) if d["@type"] == "Article"] == ["</script><script>alert(1)</script>"]


def test_product_page_links_back_to_its_articles_and_videos(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    learn = page.html.select_one(".learn-section")
    assert learn.select_one(f'a[href="{PSOAS}"]')
    assert len(learn.select(".video-facade")) == 3
    # shop's detail.html extends the catalogue app's: each block once, not a file twice (a template-loader trap).
    assert len(page.html.select('link[rel="canonical"]')) == 1
    assert [d["@type"] for d in jsonld(page)] == ["Product", "BreadcrumbList"]
    data = {d["@type"]: d for d in jsonld(page)}
    offer = data["Product"]["offers"]
    assert (offer["price"], offer["priceCurrency"], offer["availability"]) == (
        "49.99",
        "USD",
        "https://schema.org/InStock",
    )
    assert data["BreadcrumbList"]["itemListElement"][-1]["name"] == "QL Claw"


def test_product_page_hides_draft_articles(django_app, claw):
    draft = ArticleFactory(title="Secret draft", status=Article.Status.DRAFT)
    ArticleProduct.objects.create(article=draft, product=claw)
    assert "Secret draft" not in django_app.get(claw.get_absolute_url()).text


def test_tutorials_page_lists_videos_with_their_article_and_product(django_app, claw):
    page = django_app.get(reverse("content_pages:tutorial-list"))
    tutorials = page.html.select(".tutorial")
    assert len(tutorials) == 3
    assert all(
        t.select_one(f'a[href="{PSOAS}"]') and t.select_one(f'a[href="{claw.get_absolute_url()}"]') for t in tutorials
    )
    assert not page.html.select("iframe")


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_unpublished_articles_are_404_for_the_public_and_previewed_by_staff(django_app, staff_user, customer, state):
    if state == "draft":
        article = ArticleFactory(status=Article.Status.DRAFT)
    else:
        article = ArticleFactory(publish_at=timezone.now() + timedelta(days=2))
    url = article.get_absolute_url()
    assert django_app.get(url, expect_errors=True).status_code == 404
    assert django_app.get(url, user=customer, expect_errors=True).status_code == 404
    assert url not in django_app.get("/learn/").text
    assert url not in django_app.get("/sitemap.xml").text
    page = django_app.get(url, user=staff_user)
    assert page.status_code == 200
    banner = page.html.select_one(".draft-banner").text
    assert ("Draft" if state == "draft" else "Scheduled") in banner
    assert "no-cache" in page.headers["Cache-Control"] and "no-store" in page.headers["Cache-Control"]
    assert page.html.select_one('meta[name="robots"]')["content"] == "noindex"


def test_unknown_slug_is_404(django_app, db):
    response = django_app.get("/learn/no-such-article/", expect_errors=True)
    assert response.status_code == 404
    assert response.html.select_one(".site-header")


def test_sitemap_lists_articles(django_app, seeded):
    assert PSOAS in django_app.get("/sitemap.xml").text


def _article_page_queries(client, url):
    """What rendering the page costs: the whole-page cache is off (a hit costs none, see
    test_page_cache.py), the content caches are warm."""
    with override_settings(PAGE_CACHE_TIMEOUT=0):
        client.get(url)  # warm caches (thumbnails, site) the way a running store has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    assert response.status_code == 200
    # Savepoints come from ATOMIC_REQUESTS inside the test's transaction, not from the page.
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


def test_article_page_queries_do_not_grow_with_links(client, claw):
    article = Article.objects.get(slug="psoas-trigger-points")
    small = _article_page_queries(client, PSOAS)
    assert small <= 8, small
    for n in range(5):
        video = VideoFactory()
        ArticleVideo.objects.create(article=article, video=video, sort_order=10 + n)
        CitationFactory(article=article)
    from oscar.test.factories import create_product

    for n in range(3):
        ArticleProduct.objects.create(article=article, product=create_product(price=10 + n, num_in_stock=5))
    assert _article_page_queries(client, PSOAS) == small
    assert Citation.objects.filter(article=article).count() == 7


def test_product_page_queries_do_not_grow_with_videos(client, claw):
    url = claw.get_absolute_url()
    before = _article_page_queries(client, url)
    for _ in range(5):
        ProductVideo.objects.create(product=claw, video=VideoFactory())
    assert _article_page_queries(client, url) == before


def test_article_page_with_comments_stays_within_eight_queries(client, claw):
    from article_comments.models import Comment

    article = Article.objects.get(slug="psoas-trigger-points")
    for n in range(3):
        question = Comment.objects.create(
            article=article, name=f"Reader {n}", email=f"r{n}@example.com", body="Does it help?", status="approved"
        )
        Comment.objects.create(
            article=article, parent=question, name="Staff", email="staff@qlclaw.example", body="Yes.",
            status="approved", by_staff=True,
        )
    assert _article_page_queries(client, PSOAS) <= 8

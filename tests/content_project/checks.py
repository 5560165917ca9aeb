"""content_pages in a project that is not the store, run by
tests/integration/test_content_pages_reusable.py in a subprocess under settings.py (Oscar, with
Oscar's own catalogue) or settings_any_product.py (no Oscar, a plain product model).

Not named test_*.py: the store's own pytest run must not collect it under shop.settings.test.
"""

import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from content_pages.models import Article, ArticleProduct, ArticleVideo, TutorialVideo

from . import hooks

pytestmark = pytest.mark.django_db
OSCAR = apps.is_installed("oscar")


def poster():
    data = io.BytesIO()
    Image.new("RGB", (320, 180), "#336699").save(data, "PNG")
    return SimpleUploadedFile("poster.png", data.getvalue(), content_type="image/png")


def create_product():
    if OSCAR:
        from oscar.test.factories import create_product

        return create_product(title="Foam roller", price=Decimal("12.00"), num_in_stock=3)
    from .gadgets.models import Gadget

    return Gadget.objects.create(title="Foam roller")


@pytest.fixture
def article():
    article = Article.objects.create(
        title="Rolling the calves", slug="rolling-the-calves", summary="Two minutes a day.",
        body="<h2>Why</h2><p>Tight calves pull on the heel [1].</p>", status=Article.Status.PUBLISHED,
    )
    article.citations.create(authors="Doe, J.", title="Calves", year=2020)
    ArticleProduct.objects.create(article=article, product=create_product(), cta_text="Roll tonight")
    video = TutorialVideo.objects.create(
        title="Calf rolling", url="https://youtu.be/AbCdEfGhIjK", poster=poster(), description="Slowly."
    )
    ArticleVideo.objects.create(article=article, video=video)
    video.products.add(article.products.get())
    return article


def test_article_with_its_buy_box_and_a_video_facade(client, article):
    response = client.get("/learn/rolling-the-calves/")
    assert response.status_code == 200
    html = BeautifulSoup(response.content, "html.parser")
    assert html.h1.text == "Rolling the calves"
    assert html.select_one('a.citation[href="#ref-1"]')

    # The app's own buy box: the product's title, linked, and the call to action.
    product = article.products.get()
    box = html.select_one(f"#buy-{product.pk}")
    assert box.select_one(f'a[href="{product.get_absolute_url()}"]').text == "Foam roller"
    assert "Roll tonight" in box.text

    # The video: a local poster and a play button; no player, no iframe until a click.
    facade = html.select_one(".video-facade")
    assert facade["data-embed-url"].startswith("https://www.youtube-nocookie.com/embed/AbCdEfGhIjK")
    assert facade.select_one("img")["src"].startswith("/media/")
    assert facade.select_one(".video-facade__play")
    assert not html.select("iframe")
    assert hooks.video_pages == ["/learn/rolling-the-calves/"]
    script = html.select_one('script[src="/static/content_pages/video-facade.js"]')
    if OSCAR:  # django-csp's middleware is on: the script carries this response's nonce
        assert f"'nonce-{script['nonce']}'" in response["Content-Security-Policy"]
    else:
        assert not script.get("nonce")

    # Nothing of the store that the app was first written for.
    for store_word in ("QL Claw", "psoas", "trigger point", "medical"):
        assert store_word.lower() not in response.content.decode().lower()


def test_lists_of_articles_and_tutorials(client, article):
    learn = BeautifulSoup(client.get("/learn/").content, "html.parser")
    assert [a.text for a in learn.select(".article-card__title")] == ["Rolling the calves"]
    tutorials = BeautifulSoup(client.get("/tutorials/").content, "html.parser")
    links = [a["href"] for a in tutorials.select(".tutorial__links a")]
    assert links == [article.get_absolute_url(), article.products.get().get_absolute_url()]
    assert not tutorials.select("iframe")


@pytest.mark.skipif(not OSCAR, reason="the content dashboard is a section of Oscar's dashboard")
def test_staff_edit_the_article_in_oscars_dashboard(client, admin_user, article):
    client.force_login(admin_user)
    page = BeautifulSoup(client.get("/dashboard/content/articles/").content, "html.parser")
    assert [a.text for a in page.select("tbody a[href$='/']") if a.text == article.title]
    form = client.get(f"/dashboard/content/articles/{article.pk}/")
    assert form.status_code == 200 and b"Foam roller" in form.content

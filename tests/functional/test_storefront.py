"""The shopper's first steps: home, list, search, product page, basket, errors."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_the_claw_with_price_and_add_to_basket(django_app, claw):
    page = django_app.get("/")
    assert page.status_code == 200
    hero = page.html.select_one(".hero")
    assert "QL Claw" in hero.h1.text
    assert "$49.99" in hero.text
    assert hero.select_one(f'form[action="{reverse("basket:add", kwargs={"pk": claw.pk})}"]')
    nav = [a.text.strip() for a in page.html.select(".site-nav__list a")]
    assert "Shop" in nav


def test_catalogue_list_is_not_empty(django_app, seeded):
    page = django_app.get(reverse("catalogue:index"))
    assert "No products found" not in page.text
    titles = [el.text.strip() for el in page.html.select(".product-grid .product-card__title")]
    assert "QL Claw" in titles
    assert len(titles) == 3


def test_search_finds_the_claw(django_app, seeded):
    page = django_app.get(reverse("search:search"), {"q": "psoas"})
    titles = [el.text.strip() for el in page.html.select(".search-group--product .product-card__title")]
    assert titles == ["QL Claw"]


def test_search_for_nothing_says_so(django_app, seeded):
    page = django_app.get(reverse("search:search"), {"q": "snorkel"})
    assert page.status_code == 200
    assert not page.html.select(".search-group")


def test_product_page(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    assert page.html.h1.text.strip() == "QL Claw"
    assert "$49.99" in page.text
    assert "In stock" in page.text
    assert "Free standard shipping on orders over $75.00" in page.text
    images = page.html.select("#product_gallery .gallery__slide img")
    assert len(images) == 3
    # The first image is the page's largest paint: fetched first, never lazily; the others wait.
    assert images[0]["fetchpriority"] == "high" and not images[0].get("loading")
    assert all(img["loading"] == "lazy" for img in images[1:])
    assert len(page.html.select("#product_gallery button.gallery__thumb[aria-controls]")) == 3


def test_product_page_loads_no_bootstrap_or_jquery(django_app, claw):
    """The product page is on the light layout: Oscar's styles.css and scripts held up its first paint."""
    html = django_app.get(claw.get_absolute_url()).html
    sources = [tag.get("src") or tag.get("href") for tag in html.select('script[src], link[rel="stylesheet"]')]
    assert not [s for s in sources if "oscar/" in s], sources
    assert html.select_one('script[type="application/ld+json"]')
    assert html.select_one(".learn-section") and html.select_one("#reviews")


def test_product_page_shows_reviews_stars_and_links(django_app, django_user_model, claw):
    from oscar.core.loading import get_model

    ProductReview = get_model("reviews", "ProductReview")
    for n, score in enumerate((5, 4, 4, 3), start=1):
        ProductReview.objects.create(
            product=claw, score=score, title=f"Review {n}", body="Helps my back.", name=f"Buyer {n}",
            email=f"b{n}@example.com", status=ProductReview.APPROVED,
        )
    page = django_app.get(claw.get_absolute_url())
    rating = page.html.select_one(".product_main .product-rating")
    assert rating.select_one(".stars")["aria-label"] == "Rated 4.0 out of 5"
    assert rating.select_one('a[href="#reviews"]').text.strip() == "4.0 out of 5, 4 reviews"
    # The latest three, newest first; the rest behind "All 4 reviews".
    titles = [h.text for h in page.html.select(".review-list .review-item__title")]
    assert titles == ["Review 4", "Review 3", "Review 2"]
    all_reviews = reverse("catalogue:reviews-list", kwargs={"product_slug": claw.slug, "product_pk": claw.pk})
    assert page.html.select_one(f'.product-reviews a[href="{all_reviews}"]')

    user = django_user_model.objects.create_user(username="shopper", email="s@example.com", password="pw-123456!")
    page = django_app.get(claw.get_absolute_url(), user=user)
    add_review = reverse("catalogue:reviews-add", kwargs={"product_slug": claw.slug, "product_pk": claw.pk})
    assert page.forms["add_review_form"].action == f"{add_review}#addreview"
    assert page.forms["add_to_wishlist_form"]


def test_add_to_basket_from_home(django_app, claw):
    page = django_app.get("/")
    form = next(f for f in page.forms.values() if f.action.endswith(reverse("basket:add", kwargs={"pk": claw.pk})))
    form.submit().follow()
    basket = django_app.get(reverse("basket:summary"))
    assert "QL Claw" in basket.text
    assert basket.html.select_one(".basket-badge")["data-basket-count"] == "1"


@pytest.mark.parametrize("quantity", ["abc", "0", "-3", "101", "99999999999999999999"])
def test_bad_quantity_is_a_clear_message_not_a_500(django_app, claw, quantity):
    page = django_app.get(claw.get_absolute_url())
    form = page.forms["add_to_basket_form"]
    form["quantity"] = quantity
    response = form.submit(expect_errors=True)
    assert response.status_code in (200, 302)
    response = response.follow() if response.status_code == 302 else response
    assert response.html.select(".alert-danger, .alert-warning, .error-block, .invalid-feedback")
    assert django_app.get(reverse("basket:summary")).html.select_one(".basket-badge")["data-basket-count"] == "0"


def test_out_of_stock_product_cannot_be_added(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    form = page.forms["add_to_basket_form"]
    stockrecord = claw.stockrecords.get()
    stockrecord.num_in_stock = 0
    stockrecord.save()
    # The shopper had the page open before the last unit sold.
    response = form.submit().maybe_follow()
    assert response.html.select(".alert-danger, .alert-warning")
    assert django_app.get(reverse("basket:summary")).html.select_one(".basket-badge")["data-basket-count"] == "0"
    page = django_app.get(claw.get_absolute_url())
    assert "add_to_basket_form" not in page.forms
    assert "Notify me" in page.text


def test_unknown_url_is_a_styled_404(django_app, seeded):
    response = django_app.get("/no-such-page/", expect_errors=True)
    assert response.status_code == 404
    assert response.html.select_one(".site-header")
    assert "can't find that page" in response.text


def test_unknown_product_is_a_404(django_app, seeded):
    assert django_app.get("/catalogue/nothing_99999/", expect_errors=True).status_code == 404


def test_sitemap_and_robots(django_app, claw):
    sitemap = django_app.get("/sitemap.xml")
    assert claw.get_absolute_url() in sitemap.text
    robots = django_app.get("/robots.txt")
    assert "Disallow: /checkout/" in robots.text
    assert "sitemap.xml" in robots.text


def test_pages_load_no_third_party_assets(django_app, claw):
    for url in ("/", claw.get_absolute_url(), reverse("basket:summary"), "/learn/psoas-trigger-points/"):
        html = django_app.get(url).html
        assets = html.select('script[src], link[rel="stylesheet"], link[rel="icon"], img[src], iframe[src]')
        sources = [tag.get("src") or tag.get("href") for tag in assets]
        assert sources
        assert all(urlsplit(s).netloc in ("", "testserver") for s in sources), sources


def test_prices_say_tax_is_added_where_it_applies(django_app, claw, seeded):
    """Prices are shown before sales tax (a US store); the checkout adds it by destination."""
    for url in ("/", claw.get_absolute_url(), "/learn/psoas-trigger-points/"):
        page = django_app.get(url)
        assert "plus tax where applicable" in page.html.select_one(".price-tax-note").text, url


def test_the_cart_badge_counts_without_a_query_for_a_new_visitor(django_assert_num_queries, claw):
    from django.test import Client
    from oscar.core.loading import get_model

    from shop.templatetags.store_basket import basket_count

    Basket = get_model("basket", "Basket")
    with django_assert_num_queries(0):
        assert basket_count(Basket()) == 0  # never saved: nothing in it, and no query built to say so
    assert basket_count(None) == 0

    visitor = Client()
    page = visitor.get(claw.get_absolute_url())
    assert 'data-basket-count="0"' in page.content.decode()
    token = page.cookies["csrftoken"].value
    added = visitor.post(reverse("basket:add", kwargs={"pk": claw.pk}), {"quantity": 2, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    assert 'data-basket-count="2"' in visitor.get(claw.get_absolute_url()).content.decode()

"""The catalogue's product lists from the database (search/views.py CatalogueView): filters with real
labels and counts, and the same few queries whatever the number of products."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from oscar.test.factories import CategoryFactory, ProductImageFactory, create_product

pytestmark = pytest.mark.django_db
LIST = reverse("catalogue:index")


def cards(response):
    html = BeautifulSoup(response.content, "html.parser")
    return [el.text.strip() for el in html.select(".product-grid .product-card__title")]


def filter_labels(response):
    html = BeautifulSoup(response.content, "html.parser")
    return [" ".join(el.text.split()) for el in html.select(".list-filters .filter-link")]


def test_the_list_shows_every_product_with_real_filter_labels(client, seeded):
    response = client.get(LIST)
    assert response.status_code == 200
    assert sorted(cards(response)) == ["QL Claw", "QL Claw carry bag", "QL Claw replacement grip pads (set of 2)"]
    labels = filter_labels(response)
    assert "Massage tools 1 product" in labels
    assert "Accessories 2 products" in labels
    assert "Under $20 2 products" in labels
    assert "$20 to $50 1 product" in labels
    assert "In stock 3 products" in labels
    text = response.content.decode()
    assert "accessori " not in text and "massag " not in text and "Rating" not in text and "None" not in text


def test_the_list_is_on_the_light_layout(client, seeded):
    html = BeautifulSoup(client.get(LIST).content, "html.parser")
    sources = [tag.get("src") or tag.get("href") for tag in html.select('script[src], link[rel="stylesheet"]')]
    assert not [s for s in sources if "oscar/" in s], sources
    assert any(s.endswith("shop/css/search.css") for s in sources)


def test_a_price_range_narrows_the_list_and_can_be_removed(client, seeded):
    response = client.get(LIST, {"price": "under-20"})
    assert sorted(cards(response)) == ["QL Claw carry bag", "QL Claw replacement grip pads (set of 2)"]
    selected = BeautifulSoup(response.content, "html.parser").select_one(".filter-link.is-selected[href*='in_stock']")
    assert selected is None
    remove = BeautifulSoup(response.content, "html.parser").select(".filter-group .filter-link.is-selected")
    assert any("Under $20" in el.text and "price" not in el["href"] for el in remove)
    assert sorted(cards(client.get(LIST, {"price": "50-up"}))) == []


def test_in_stock_leaves_out_what_is_sold_out(client, db):
    create_product(title="Plenty", price=10, num_in_stock=5)
    create_product(title="Sold out", price=10, num_in_stock=0)
    assert sorted(cards(client.get(LIST))) == ["Plenty", "Sold out"]
    response = client.get(LIST, {"in_stock": "1"})
    assert cards(response) == ["Plenty"]
    assert "In stock 1 product" in filter_labels(client.get(LIST))


def test_sorting_by_price(client, seeded):
    ascending = cards(client.get(LIST, {"sort": "price-asc"}))
    assert ascending[0].startswith("QL Claw replacement") and ascending[-1] == "QL Claw"
    assert cards(client.get(LIST, {"sort": "price-desc"}))[0] == "QL Claw"


def test_a_category_page_lists_its_subtree_and_its_name(client, db):
    parent = CategoryFactory(name="Tools", slug="tools")
    child = parent.add_child(name="Balls", slug="balls")
    ball = create_product(title="Trigger ball", price=5, num_in_stock=1)
    ball.categories.add(child)
    other = create_product(title="Unrelated", price=5, num_in_stock=1)
    response = client.get(parent.get_absolute_url())
    assert response.status_code == 200
    assert cards(response) == ["Trigger ball"]
    assert "<h1>Tools</h1>" in response.content.decode()
    assert other.title not in cards(response)
    assert cards(client.get(child.get_absolute_url())) == ["Trigger ball"]


def test_a_category_at_an_old_address_redirects_to_its_own(client, db):
    category = CategoryFactory(name="Rollers", slug="rollers")
    wrong = reverse("catalogue:category", kwargs={"category_slug": "old-name", "pk": category.pk})
    response = client.get(wrong + "?price=under-20")
    assert response.status_code == 301
    assert response["Location"] == category.get_absolute_url() + "?price=under-20"
    assert client.get(reverse("catalogue:category", kwargs={"category_slug": "x", "pk": 99999})).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"price": "cheap"}, {"in_stock": "maybe"}, {"sort": "\x00"}, {"page": "999"}, {"page": "-3"}, {"page": "x"},
     {"price": ["cheap", "under-20"]}, {"junk": "x" * 5000}],
)
def test_junk_filters_are_ignored(client, seeded, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert cards(response)


def make_products(count, category):
    for n in range(count):
        product = create_product(title=f"Product {n}", price=5 + n, num_in_stock=n % 3)
        product.categories.add(category)
        ProductImageFactory(product=product)


@pytest.mark.parametrize("count", [3, 12])
def test_the_list_takes_at_most_ten_queries_whatever_the_number_of_products(
    client, db, settings, django_assert_max_num_queries, count
):
    settings.PAGE_CACHE_TIMEOUT = 0  # measure the render, not the page cache
    make_products(count, CategoryFactory(name="Tools"))
    assert len(cards(client.get(LIST))) == count  # warm: thumbnails made, caches filled
    with django_assert_max_num_queries(10):
        assert len(cards(client.get(LIST))) == count
    with django_assert_max_num_queries(10):
        assert len(cards(client.get(LIST, {"in_stock": "1", "price": "under-20", "sort": "price-desc"})))

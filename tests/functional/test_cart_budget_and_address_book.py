"""Needs shop/settings/base.py's INSTALLED_APPS to name shop.apps.address (the address book's US
form) and checkout.cart_app.CartConfig (the cart page's view): the address book and the checkout
agree on a US address, and the cart page costs at most 10 queries however many lines it has."""

import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout_helpers import add_to_basket
from tests.functional.test_checkout_pages import UK_LABELS, fill, visible_text

UserAddress = get_model("address", "UserAddress")


def test_the_address_book_uses_the_same_us_form(django_app, customer, seeded):
    page = django_app.get(reverse("customer:address-create"), user=customer)
    form = next(f for f in page.forms.values() if "line1" in f.fields)
    assert not {"line3", "notes", "country"} & set(form.fields)
    assert len(page.html.select("select[name=state] option")) == 52
    text = visible_text(page)
    assert not [label for label in UK_LABELS if label in text]
    fill(form, postcode="6270")
    page = form.submit(user=customer)
    assert page.status_code == 200
    assert "Enter a 5-digit ZIP code" in visible_text(page)
    form = next(f for f in page.forms.values() if "line1" in f.fields)
    assert form["postcode"].value == "6270"
    form["postcode"] = "62701-1234"
    form.submit(user=customer).follow(user=customer)
    address = UserAddress.objects.get(user=customer)
    assert (address.line4, address.state, address.postcode, address.country_id) == (
        "Springfield",
        "IL",
        "62701-1234",
        "US",
    )


# Issue 18's budget: the cart page in at most 10 queries, however many lines. What a render costs:
# the page cache, which keeps an anonymous shopper's cart per basket, is off.


@pytest.fixture
def no_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def cart_with_lines(app, products, user=None):
    for product in products:
        add_to_basket(app, product, user=user)
    app.get(reverse("basket:summary"), user=user)  # warm: thumbnails made, caches filled


@pytest.fixture
def three_products(claw):
    Product = get_model("catalogue", "Product")
    others = list(
        Product.objects.filter(is_public=True, stockrecords__num_in_stock__gt=0).exclude(pk=claw.pk).distinct()[:2]
    )
    assert len(others) == 2, "seed_demo has at least three products for sale"
    return [claw, *others]


def cart_queries(app, user=None):
    """The SQL one cart page costs. The test's own transaction adds a SAVEPOINT and its RELEASE
    around the request (ATOMIC_REQUESTS inside the test's atomic block): not the page's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = app.get(reverse("basket:summary"), user=user)
    queries = [q["sql"] for q in captured.captured_queries if not re.match(r"(RELEASE )?SAVEPOINT", q["sql"])]
    return page, queries


def test_the_anonymous_cart_page_is_at_most_10_queries_with_one_line_or_three(django_app, claw, three_products,
                                                                             no_page_cache):
    cart_with_lines(django_app, [claw])
    page, one_line = cart_queries(django_app)
    assert len(page.html.select(".cart-line")) == 1
    assert len(one_line) <= 10, "\n".join(one_line)
    cart_with_lines(django_app, three_products[1:])
    page, three_lines = cart_queries(django_app)
    assert len(page.html.select(".cart-line")) == 3
    assert len(three_lines) == len(one_line), "\n".join(three_lines)


def test_the_signed_in_cart_page_costs_the_same_with_one_line_or_three(django_app, claw, three_products, customer,
                                                                      no_page_cache):
    cart_with_lines(django_app, [claw], user=customer)
    page, one_line = cart_queries(django_app, user=customer)
    cart_with_lines(django_app, three_products[1:], user=customer)
    page, three_lines = cart_queries(django_app, user=customer)
    assert len(page.html.select(".cart-line")) == 3
    assert len(three_lines) == len(one_line), "\n".join(three_lines)
    # The cart's own share is the anonymous page's; a signed-in page adds the session, the user,
    # the saved-for-later basket, the header's permission check and Oscar's notification count.
    assert len(one_line) <= 16, "\n".join(one_line)

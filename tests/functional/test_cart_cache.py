"""The cart page kept per basket for anonymous shoppers (shop/pagecache.py, checkout/cart.py): a hit
costs no query, shows only that shopper's basket, and anything that changes what the cart says
(its lines, a voucher, a price, an offer starting or ending) shows on the next request."""

import time
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_offer, create_voucher

from checkout import cart
from shop import pagecache
from shop.pagecache import HEADER
from shop.pagedeps import bump_tags, tag_key

CART = "/basket/"
Basket = get_model("basket", "Basket")
Product = get_model("catalogue", "Product")


@pytest.fixture
def store(transactional_db, settings):
    """The demo store committed for real, as between two requests of a live site."""
    from django.core.management import call_command

    settings.PAGE_CACHE_CLOCK_SKEW = 0  # one process, one clock
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return Product.objects.get(upc="QLC-CLAW-01")


def shopper_with(product, quantity=1, **client_options):
    """A new anonymous shopper who added the product; its flash message read and gone."""
    shopper = Client(**client_options)
    shopper.get(product.get_absolute_url())  # the CSRF cookie, as a browser has it
    token = shopper.cookies["csrftoken"].value
    added = shopper.post(reverse("basket:add", kwargs={"pk": product.pk}),
                         {"quantity": quantity, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    shopper.cookies.pop("messages", None)
    return shopper


def shopper_with_a_cached_cart(product):
    """shopper_with(product), whose second look at the cart came from the cache."""
    shopper = shopper_with(product)
    shopper.get(CART)
    assert shopper.get(CART)[HEADER] == "hit"
    return shopper


def basket_of(shopper):
    return Basket.objects.get(pk=int(shopper.cookies["oscar_open_basket"].value.split(":")[0]))


def line_titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [title.get_text(strip=True) for title in soup.select(".cart-line__title")]


def line_quantities(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [int(box["value"]) for box in soup.select(".cart-line input[name$=quantity]")]


def test_a_shoppers_cart_is_a_hit_with_no_query_and_shows_only_their_basket(store, django_assert_num_queries):
    other = Product.objects.filter(is_public=True, stockrecords__num_in_stock__gt=0).exclude(pk=store.pk).first()
    first, second = shopper_with(store), shopper_with(other, quantity=2)
    assert first.get(CART)[HEADER] == "miss"
    with django_assert_num_queries(0):
        hit = first.get(CART)
    assert hit[HEADER] == "hit" and line_quantities(hit) == [1] and line_titles(hit) == [store.title]
    assert b'data-basket-count="1"' in hit.content

    theirs = second.get(CART)
    assert theirs[HEADER] == "miss"  # another basket, another entry
    assert line_quantities(theirs) == [2] and line_titles(theirs) == [other.title]
    assert b"Your cart is empty." in Client().get(CART).content


def test_the_csrf_token_of_a_cached_cart_works_and_a_quantity_change_shows_at_once(store):
    shopper = shopper_with(store, enforce_csrf_checks=True)
    shopper.get(CART)
    hit = shopper.get(CART)
    assert hit[HEADER] == "hit"
    form = BeautifulSoup(hit.content, "html.parser").select_one("#basket_formset")
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    quantity = next(name for name in data if name.endswith("quantity"))
    data[quantity] = "3"
    updated = shopper.post(CART, data)
    assert updated.status_code == 302
    shopper.cookies.pop("messages", None)
    after = shopper.get(CART)
    assert after[HEADER] == "miss" and line_quantities(after) == [3]
    assert b'data-basket-count="3"' in after.content


def test_a_line_removed_elsewhere_or_a_code_applied_shows_at_once(store):
    voucher = create_voucher(code="CART20")
    shopper = shopper_with_a_cached_cart(store)
    basket = basket_of(shopper)
    basket.vouchers.add(voucher)  # the link alone, with no save of a basket or voucher row
    with_code = shopper.get(CART)
    assert with_code[HEADER] == "miss" and b"Code CART20" in with_code.content
    assert shopper.get(CART)[HEADER] == "hit"
    basket.all_lines()[0].delete()
    empty = shopper.get(CART)
    assert empty[HEADER] == "miss" and b"Your cart is empty." in empty.content


def test_a_price_change_of_a_product_in_the_cart_shows_at_once(store):
    shopper = shopper_with_a_cached_cart(store)
    record = store.stockrecords.get()
    record.price = Decimal("41.17")
    record.save()
    response = shopper.get(CART)
    assert response[HEADER] == "miss" and b"$41.17" in response.content


def test_a_submitted_basket_is_never_shown_from_the_cache(store):
    shopper = shopper_with_a_cached_cart(store)
    basket_of(shopper).submit()  # its order was placed
    response = shopper.get(CART)
    assert HEADER not in response or response[HEADER] == "miss"
    assert b"Your cart is empty." in response.content


def test_the_cart_is_kept_only_until_an_offer_starts(store, monkeypatch):
    starts = timezone.now() + timedelta(seconds=120)  # sooner than the entry's own timeout
    create_offer(name="Launch week", start=starts)
    shopper = shopper_with_a_cached_cart(store)
    at_start = cart._ns(starts)
    monkeypatch.setattr(pagecache, "time", SimpleNamespace(time_ns=lambda: at_start, time=time.time))
    assert shopper.get(CART)[HEADER] == "miss"  # rendered again: the offer may apply from now on


def test_next_offer_change_is_the_first_start_or_end_after_now(store):
    now = timezone.now()
    create_offer(name="Ends soon", start=now - timedelta(days=1), end=now + timedelta(hours=2))
    create_voucher(code="LATER", start_datetime=now + timedelta(hours=1), end_datetime=now + timedelta(days=3))
    changes, complete = cart.offer_changes()
    assert complete and changes == sorted(changes)
    assert changes[0] == cart._ns(now + timedelta(hours=1))
    assert cart.next_offer_change(None, now=cart._ns(now)) == cart._ns(now + timedelta(hours=1))
    assert cart.next_offer_change(None, now=cart._ns(now + timedelta(hours=1))) == cart._ns(now + timedelta(hours=2))
    assert cart.next_offer_change(None, now=changes[-1]) is None


def test_more_changes_than_listed_are_never_taken_for_none(store, monkeypatch):
    monkeypatch.setattr(cart, "KNOWN_CHANGES", 2)
    now = timezone.now()
    for hours in (1, 2, 3):
        create_offer(name=f"Offer {hours}", start=now + timedelta(hours=hours), end=now + timedelta(days=9))
    changes, complete = cart.offer_changes()
    assert not complete and changes == [cart._ns(now + timedelta(hours=h)) for h in (1, 2)]
    beyond = cart._ns(now + timedelta(hours=2, minutes=30))
    assert cart.next_offer_change(None, now=beyond) == beyond  # not kept at all


def test_never_for_a_shopper_with_a_session_or_a_message(store, customer):
    signed_in = Client()
    signed_in.force_login(customer)
    for _ in range(2):
        assert HEADER not in signed_in.get(CART)
    shopper = shopper_with(store)
    shopper.cookies["messages"] = "x"
    for _ in range(2):
        assert HEADER not in shopper.get(CART)


def test_basket_tag_versions_expire_and_others_do_not(store):
    bump_tags({"basket:1", "site"})
    assert cache._expire_info[cache.make_key(tag_key("basket:1"))] is not None
    assert cache._expire_info[cache.make_key(tag_key("site"))] is None


def test_an_order_that_used_an_offer_renders_carts_again_and_leaves_the_other_pages_cached(store):
    """ConditionalOffer.record_usage saves the offer on every order that used it: only its usage
    counts changed, which only the cart shows (a capped offer may be used up). Before, the save
    bumped "site" and every cached page went stale with each such order."""
    offer = create_offer(name="Launch week")  # 20% off, for any basket with a product
    shopper = shopper_with(store)
    pages = ["/", store.get_absolute_url()]
    for path in pages:
        Client().get(path)
    shopper.get(CART)
    cart_page = shopper.get(CART)
    assert cart_page[HEADER] == "hit" and b"Launch week" in cart_page.content
    assert all(Client().get(path)[HEADER] == "hit" for path in pages)

    offer = get_model("offer", "ConditionalOffer").objects.get(pk=offer.pk)  # loaded, as the applicator's are
    offer.record_usage({"freq": 1, "discount": Decimal("10.00")})  # as order placement does
    assert [Client().get(path)[HEADER] for path in pages] == ["hit", "hit"]
    assert shopper.get(CART)[HEADER] == "miss"

    offer.name = "Launch fortnight"  # any other change of an offer is still every page's
    offer.save()
    assert [Client().get(path)[HEADER] for path in pages] == ["miss", "miss"]
    assert b"Launch fortnight" in shopper.get(CART).content

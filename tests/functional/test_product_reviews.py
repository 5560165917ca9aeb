"""Reviews on the product page: the form (Oscar's rules: signed-in customers, one review each,
moderated), the verified-buyer badge, stars only where there are reviews, and the product JSON-LD
(rating and reviews only with approved reviews; shipping and returns always)."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from fulfilment import statuses
from tests.factories import order_for

pytestmark = pytest.mark.django_db

ProductReview = get_model("reviews", "ProductReview")


@pytest.fixture
def shopper(django_user_model):
    return django_user_model.objects.create_user(
        username="maria", email="maria@example.com", password="maria-pass-123", first_name="Maria", last_name="Lopez"
    )


def review(product, user, *, score=5, title="Works for my back", status=ProductReview.APPROVED, **kwargs):
    return ProductReview.objects.create(
        product=product, user=user, score=score, title=title, body=kwargs.pop("body", "Two minutes a side."),
        status=status, **kwargs,
    )


def add_url(product):
    return reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})


def json_ld(page):
    blocks = [json.loads(tag.string) for tag in page.html.select('script[type="application/ld+json"]')]
    return next(block for block in blocks if block["@type"] == "Product")


# The form


def test_signed_in_customer_writes_a_review_from_the_product_page(django_app, claw, shopper):
    page = django_app.get(claw.get_absolute_url(), user=shopper)
    form = page.forms["add_review_form"]
    assert form.action.startswith(add_url(claw))
    form["score"] = "4"
    form["title"] = "Reaches the psoas"
    form["body"] = "I sit all day; this helps.\n\nStart gently."
    response = form.submit().follow()
    assert "It will appear here once we have read it" in response.text
    saved = ProductReview.objects.get(product=claw, user=shopper)
    assert (saved.score, saved.title, saved.status) == (4, "Reaches the psoas", ProductReview.FOR_MODERATION)
    # Moderated: not shown, and the form is gone (one review per customer).
    assert "Reaches the psoas" not in response.text
    assert "add_review_form" not in response.forms
    assert "You have reviewed this product" in response.html.select_one("#addreview").text


def test_anonymous_shopper_sees_a_sign_in_link_that_comes_back(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    assert "add_review_form" not in page.forms
    link = page.html.select_one("#addreview a")
    assert link.text.strip() == "Sign in to write a review"
    assert link["href"].startswith(reverse("customer:login") + "?next=" + claw.get_absolute_url())


def test_anonymous_get_or_post_to_the_add_url_goes_to_sign_in(django_app, claw):
    response = django_app.get(add_url(claw))
    assert response.status_code == 302 and response["Location"].startswith(reverse("customer:login"))
    assert "next=" in response["Location"]
    response = django_app.post(add_url(claw), {"score": "5", "title": "x", "body": "y"}, expect_errors=True)
    assert response.status_code in (302, 403)
    assert not ProductReview.objects.exists()


def test_signed_in_get_of_the_add_url_shows_the_form_on_the_product_page(django_app, claw, shopper):
    page = django_app.get(add_url(claw), user=shopper).follow()
    assert page.request.path == claw.get_absolute_url()
    assert "add_review_form" in page.forms


def test_a_second_review_is_refused(django_app, claw, shopper):
    review(claw, shopper)
    page = django_app.get(claw.get_absolute_url(), user=shopper)
    assert "add_review_form" not in page.forms
    token = page.forms["add_to_basket_form"]["csrfmiddlewaretoken"].value
    fields = {"score": "3", "title": "Again", "body": "Twice?", "csrfmiddlewaretoken": token}
    response = django_app.post(add_url(claw), fields, user=shopper).follow()
    assert "already reviewed" in response.text
    assert ProductReview.objects.filter(product=claw, user=shopper).count() == 1


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"score": "", "title": "Fine", "body": "Good tool."}, "Choose a rating"),
        ({"score": "9", "title": "Fine", "body": "Good tool."}, "Select a valid choice"),
        ({"score": "abc", "title": "Fine", "body": "Good tool."}, "Select a valid choice"),
        ({"score": "4", "title": "   ", "body": "Good tool."}, "headline"),
        ({"score": "4", "title": "Fine", "body": ""}, "Write a few words"),
        ({"score": "4", "title": "Fine", "body": "x" * 1_000_000}, "at most 5000 characters"),
        ({"score": "4", "title": "T" * 300, "body": "Good tool."}, "at most 120 characters"),
    ],
)
def test_bad_input_is_a_400_with_the_typed_text_kept(django_app, claw, shopper, fields, error):
    page = django_app.get(claw.get_absolute_url(), user=shopper)
    form = page.forms["add_review_form"]
    for name, value in fields.items():
        if name == "score":
            form.fields["score"][0].force_value(value)
        else:
            form[name] = value
    response = form.submit(status=400)
    assert error in response.text
    again = response.forms["add_review_form"]
    # What was typed is still there (a megabyte body included: the shopper can cut it down).
    assert again["body"].value == fields["body"]
    assert again["title"].value == fields["title"]
    assert response.html.h1.text.strip() == "QL Claw"
    assert not ProductReview.objects.exists()


def test_a_review_of_an_unknown_product_is_a_404(django_app, shopper):
    url = reverse("catalogue:reviews-add", kwargs={"product_slug": "nothing", "product_pk": 99999})
    assert django_app.get(url, user=shopper, expect_errors=True).status_code == 404


# Moderation and display


def test_pending_review_is_not_shown_until_approved(django_app, claw, shopper):
    pending = review(claw, shopper, title="Waiting for a person", status=ProductReview.FOR_MODERATION)
    page = django_app.get(claw.get_absolute_url())
    assert "Waiting for a person" not in page.text
    assert "No reviews yet" in page.text
    assert not page.html.select(".product_main .stars")
    pending.status = ProductReview.APPROVED
    pending.save()
    page = django_app.get(claw.get_absolute_url())
    assert "Waiting for a person" in page.html.select_one(".review-list").text
    assert "5.0 out of 5, 1 review" in page.html.select_one(".product-rating").text


def test_verified_badge_for_a_buyer_not_for_others(django_app, claw, shopper, django_user_model):
    other = django_user_model.objects.create_user(username="tom", email="tom@example.com", password="x-pass-123")
    cancelled_buyer = django_user_model.objects.create_user(username="kim", email="kim@example.com", password="y-123")
    order_for(claw, user=shopper)
    order_for(claw, user=cancelled_buyer, status=statuses.CANCELLED)
    review(claw, shopper, title="Bought it")
    review(claw, other, title="Borrowed one")
    review(claw, cancelled_buyer, title="Sent it back")
    page = django_app.get(claw.get_absolute_url())
    badges = {
        item.select_one(".review-item__title").text: bool(item.select_one(".badge-verified"))
        for item in page.html.select(".review-item")
    }
    assert badges == {"Bought it": True, "Borrowed one": False, "Sent it back": False}
    # Shown as first name and initial, never the email address.
    assert "Maria L." in page.text and "maria@example.com" not in page.text


def test_a_buyer_of_another_product_is_not_verified(django_app, claw, shopper):
    from oscar.core.loading import get_model as model

    bag = model("catalogue", "Product").objects.get(upc="QLC-BAG-01")
    order_for(bag, user=shopper)
    review(claw, shopper)
    page = django_app.get(claw.get_absolute_url())
    assert not page.html.select(".badge-verified")


def test_the_page_shows_the_latest_three_and_links_to_all(django_app, claw, django_user_model):
    for n in range(5):
        user = django_user_model.objects.create_user(username=f"u{n}", email=f"u{n}@example.com", password="pw-1234567")
        review(claw, user, title=f"Review {n}", score=3 + n % 3)
    page = django_app.get(claw.get_absolute_url())
    titles = [t.text for t in page.html.select(".review-item__title")]
    assert titles == ["Review 4", "Review 3", "Review 2"]
    all_reviews = reverse("catalogue:reviews-list", kwargs={"product_slug": claw.slug, "product_pk": claw.pk})
    assert page.html.select_one(f'.product-reviews a[href="{all_reviews}"]').text.strip() == "All 5 reviews"


# Stars only where there are reviews


def test_no_stars_anywhere_without_reviews(django_app, claw):
    from oscar.core.loading import get_model as model

    bag = model("catalogue", "Product").objects.get(upc="QLC-BAG-01")
    model("catalogue", "ProductRecommendation").objects.create(primary=claw, recommendation=bag, ranking=1)
    page = django_app.get(claw.get_absolute_url())
    assert not page.html.select(".stars, .star-rating")
    assert page.html.select(".product-card")  # the card is there, without stars


def test_stars_on_the_card_of_a_reviewed_product(django_app, claw, shopper):
    from oscar.core.loading import get_model as model

    bag = model("catalogue", "Product").objects.get(upc="QLC-BAG-01")
    model("catalogue", "ProductRecommendation").objects.create(primary=bag, recommendation=claw, ranking=1)
    review(claw, shopper, score=4)
    page = django_app.get(bag.get_absolute_url())
    card = page.html.select_one(".product-card")
    assert card.select_one(".stars")["aria-label"] == "Rated 4.0 out of 5"
    assert not page.html.select(".product_main .stars")  # the bag itself has no review


# JSON-LD


def test_json_ld_without_reviews_has_no_rating_but_shipping_and_returns(django_app, claw):
    data = json_ld(django_app.get(claw.get_absolute_url()))
    assert "aggregateRating" not in data and "review" not in data
    offer = data["offers"]
    returns = offer["hasMerchantReturnPolicy"]
    assert returns["@type"] == "MerchantReturnPolicy"
    assert returns["merchantReturnDays"] == 30 and returns["applicableCountry"] == "US"
    assert returns["returnFees"] == "https://schema.org/FreeReturn"
    shipping = offer["shippingDetails"]
    assert shipping and all(d["@type"] == "OfferShippingDetails" for d in shipping)
    standard = next(d for d in shipping if d["name"].startswith("Standard"))
    # $49.99 is under the free-shipping amount: the rate is what the method charges.
    assert Decimal(standard["shippingRate"]["value"]) > 0
    assert standard["shippingRate"]["currency"] == "USD"
    assert standard["shippingDestination"][0]["addressCountry"] == "US"


def test_json_ld_with_approved_reviews_only(django_app, claw, shopper, django_user_model):
    other = django_user_model.objects.create_user(username="tom", email="tom@example.com", password="x-pass-123")
    review(claw, shopper, score=5, title="Great")
    review(claw, other, score=2, title="Hidden", status=ProductReview.FOR_MODERATION)
    data = json_ld(django_app.get(claw.get_absolute_url()))
    assert data["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": "5.0", "reviewCount": 1, "bestRating": "5", "worstRating": "1",
    }
    assert [r["name"] for r in data["review"]] == ["Great"]
    assert data["review"][0]["author"] == {"@type": "Person", "name": "Maria L."}
    assert data["review"][0]["reviewRating"]["ratingValue"] == "5"


def test_json_ld_survives_a_review_that_tries_to_close_the_script(django_app, claw, shopper):
    review(claw, shopper, title="</script><script>alert(1)</script>", body="& <b>bold</b>")
    page = django_app.get(claw.get_absolute_url())
    assert json_ld(page)["review"][0]["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in page.text


# Product page fixes


def test_title_names_the_store_once(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    assert page.html.title.text.strip() == "QL Claw — Release your low back at home"
    from oscar.core.loading import get_model as model

    bag = model("catalogue", "Product").objects.get(upc="QLC-BAG-01")
    assert django_app.get(bag.get_absolute_url()).html.title.text.strip() == "QL Claw carry bag"


def test_summary_is_the_short_description_not_a_cut_excerpt(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    assert page.html.select_one(".product-summary").text.strip() == claw.meta_description
    assert "…" not in page.html.select_one(".product_main").text
    claw.meta_description = ""
    claw.save()
    page = django_app.get(claw.get_absolute_url())
    assert not page.html.select(".product-summary")
    assert "Three rounded contact points" in page.html.select_one(".product-description").text


def test_policies_are_linked_with_the_free_shipping_amount(django_app, claw):
    main = django_app.get(claw.get_absolute_url()).html.select_one(".product-assurances")
    shipping = main.select_one(f'a[href="{reverse("support:shipping")}"]')
    assert shipping.text.strip() == "Free standard shipping on orders over $75.00"
    assert main.select_one(f'a[href="{reverse("support:returns")}"]').text.strip() == "30-day returns"


def test_wish_list_is_a_real_button_for_everyone(django_app, claw, shopper):
    anonymous = django_app.get(claw.get_absolute_url()).html.select_one(".btn-wishlist")
    assert anonymous.name == "a" and "disabled" not in anonymous.attrs
    assert anonymous["href"].startswith(reverse("customer:login") + "?next=")
    signed_in = django_app.get(claw.get_absolute_url(), user=shopper)
    button = signed_in.html.select_one("#add_to_wishlist_form .btn-wishlist")
    assert "btn-outline-secondary" in button["class"]


def test_add_to_cart_says_so_in_one_message(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    back = page.forms["add_to_basket_form"].submit().follow()
    [alert] = back.html.select("#messages .alert")
    text = " ".join(alert.text.split())
    # What was added and the new total, with the way to the cart, in the one box.
    assert "QL Claw" in text and "$49.99" in text
    assert alert.select_one(f'a[href="{reverse("basket:summary")}"]')
    assert "alert-success" in alert["class"]


def test_a_reference_ending_with_an_initial_has_one_full_stop(django_app, seeded):
    page = django_app.get("/learn/psoas-trigger-points/")
    references = page.html.select_one("#references").text
    assert "Donnelly, Joseph M. " in references and "M.." not in references
    assert "Davies, Clair, and Amber Davies." in " ".join(references.split())

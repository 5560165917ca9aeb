"""support.policy: the store's shipping and return terms as data, read from the shipping methods
checkout offers, so the policy pages and the product page's JSON-LD cannot disagree with checkout."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from support import policy

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Country = get_model("address", "Country")


@pytest.fixture
def store(db):
    call_command("setup_store", verbosity=0)


def test_return_policy_is_30_free_days_in_the_us():
    terms = policy.return_policy()
    assert terms["days"] == 30
    assert terms["country"] == "US"
    assert terms["fees"] == "free"
    assert terms["method"]


def test_return_policy_follows_the_settings(settings):
    settings.STORE_RETURN_DAYS = 45
    settings.STORE_RETURN_FEES = "6.50"
    terms = policy.return_policy()
    assert terms["days"] == 45
    assert terms["fees"] == Decimal("6.50")


@pytest.mark.django_db
def test_return_policy_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        policy.return_policy()


def test_shipping_rates_are_the_methods_checkout_offers(store, django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = policy.shipping_rates()
    assert [rate["code"] for rate in rates] == ["standard", "express"]  # cheapest first, like checkout
    standard, express = rates
    assert standard["name"] == "Standard shipping"  # without "(3-5 business days)"
    assert standard["charge"] == Decimal("5.95")
    assert standard["free_over"] == Decimal("75.00")
    assert (standard["min_days"], standard["max_days"]) == (3, 5)
    assert standard["countries"] == ["US"]
    assert express["free_over"] is None
    assert (express["min_days"], express["max_days"]) == (1, 2)
    assert express["charge"] == Decimal("19.95")
    assert policy.free_shipping_over(rates) == Decimal("75.00")


def test_a_threshold_staff_change_is_what_shipping_rates_returns(store):
    OrderAndItemCharges.objects.filter(code="standard").update(free_shipping_threshold=Decimal("120.00"))
    assert policy.shipping_rates()[0]["free_over"] == Decimal("120.00")
    assert policy.free_shipping_over() == Decimal("120.00")
    OrderAndItemCharges.objects.update(free_shipping_threshold=None)
    assert policy.free_shipping_over() is None


def test_query_count_does_not_grow_with_methods_or_countries(store, django_assert_num_queries):
    canada = Country.objects.create(iso_3166_1_a2="CA", name="Canada", is_shipping_country=True)
    for n in range(5):
        method = OrderAndItemCharges.objects.create(
            code=f"extra-{n}", name=f"Extra {n}", price_per_order=Decimal("30") + n, delivery_time="2 business days"
        )
        method.countries.add(canada, Country.objects.get(iso_3166_1_a2="US"))
    with django_assert_num_queries(1):
        rates = policy.shipping_rates()
    assert len(rates) == 7
    assert sorted(rates[-1]["countries"]) == ["CA", "US"]
    assert (rates[-1]["min_days"], rates[-1]["max_days"]) == (2, 2)


@pytest.mark.django_db
def test_a_method_for_every_country_lists_none():
    OrderAndItemCharges.objects.create(code="pickup", name="Pick-up", price_per_order=Decimal("0"))
    (rate,) = policy.shipping_rates()
    assert rate["countries"] == []
    assert rate["charge"] == Decimal("0")
    assert (rate["min_days"], rate["max_days"]) == (None, None)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3-5 business days", (3, 5)),
        ("1–2 business days", (1, 2)),
        ("5 to 3 days", (3, 5)),
        ("Next day", (None, None)),
        ("2 days", (2, 2)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_days(text, days):
    assert policy.parse_days(text) == days

"""The rate lookup and the rounding: what the rate table (tax.backends.RateTable) decides for an
address, and the tax Oscar's basket, shipping charge and total carry once it is applied."""

from decimal import Decimal

import pytest
from oscar.test.factories import create_voucher

from tax.backends import RateTable, TaxLine, TaxRequest, round_cents, tax_at
from tax.models import LocalRate, StateRate
from tax.service import percent
from tax.states import state_code, zip5
from tests.fixtures.tax import CALIFORNIA, NOWHERE, NYC, OREGON, UPSTATE_NY

D = Decimal


@pytest.mark.parametrize(
    "typed, code",
    [
        ("NY", "NY"), ("ny", "NY"), (" N.Y. ", "NY"), ("New York", "NY"), ("new  york", "NY"),
        ("Washington", "WA"), ("Washington, D.C.", "DC"), ("District of Columbia", "DC"), ("PR", "PR"),
        ("ZZ", None), ("Nueva York", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_a_state_is_read_as_typed(typed, code):
    assert state_code(typed) == code


@pytest.mark.parametrize(
    "postcode, five",
    [("10118", "10118"), ("10118-0110", "10118"), (" 10118 ", "10118"), ("1011", None), ("ABCDE", None)],
)
def test_zip_codes(postcode, five):
    assert zip5(postcode) == five


def test_rounding_is_per_amount_to_the_cent_half_up():
    assert round_cents(D("0.005")) == D("0.01")  # banker's rounding would give 0.00
    assert round_cents(D("0.015")) == D("0.02")
    assert round_cents(D("4.4366125")) == D("4.44")
    assert tax_at(D("10.00"), D("0.05")).tax == D("0.01")
    assert tax_at(D("149.97"), D("8.875")).tax == D("13.31")
    assert percent(D("8.8750")) == "8.875%" and percent(D("4.0000")) == "4%" and percent(D("0")) == "0%"


def request_to(address, amount="49.99", shipping="5.95", country="US"):
    line = TaxLine(key=1, product_id=1, sku="QLC", quantity=1, amount=D(amount))
    return TaxRequest(
        currency="USD",
        country=country,
        state=address["state"],
        postcode=address["postcode"],
        lines=(line,),
        shipping=D(shipping),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address, collected, rate, jurisdiction, line_tax, shipping_tax",
    [
        (NYC, True, D("8.875"), "New York City, NY", D("4.44"), D("0.53")),
        (UPSTATE_NY, True, D("4"), "New York", D("2.00"), D("0.24")),
        (CALIFORNIA, True, D("7.25"), "California", D("3.62"), D("0.00")),  # shipping not taxed there
        (OREGON, False, None, "", D("0.00"), D("0.00")),
        (NOWHERE, False, None, "", D("0.00"), D("0.00")),
    ],
    ids=["new-york-city", "upstate-new-york", "california", "oregon", "no-such-state"],
)
def test_rate_lookup(seeded, address, collected, rate, jurisdiction, line_tax, shipping_tax):
    result = RateTable().calculate(request_to(address))
    assert (result.collected, result.rate, result.jurisdiction) == (collected, rate, jurisdiction)
    assert (result.for_line(1).tax, result.shipping.tax) == (line_tax, shipping_tax)
    assert result.total == line_tax + shipping_tax
    if not collected:
        assert result.note.startswith("No sales tax")


@pytest.mark.django_db
def test_why_there_is_no_tax(seeded):
    assert RateTable().calculate(request_to(OREGON)).note == "No sales tax: the store does not collect in Oregon."
    assert RateTable().calculate(request_to({"state": "TX", "postcode": "73301"})).state == "TX"
    assert "“ZZ” is not a US state" in RateTable().calculate(request_to(NOWHERE)).note
    abroad = RateTable().calculate(request_to(NYC, country="CA"))
    assert (abroad.collected, abroad.note) == (False, "Ships outside the United States: no US sales tax.")


@pytest.mark.django_db
def test_the_longest_zip_prefix_wins(seeded):
    new_york = StateRate.objects.get(state="NY")
    LocalRate.objects.create(state_rate=new_york, zip_prefix="1011", name="Midtown", rate=D("9.5"))
    assert RateTable().calculate(request_to(NYC)).rate == D("9.5")  # 10118 starts with 1011 and 101
    assert RateTable().calculate(request_to({"state": "NY", "postcode": "10001"})).rate == D("8.875")
    # A ZIP code that is no ZIP code gets the state's rate.
    assert RateTable().calculate(request_to({"state": "NY", "postcode": "n/a"})).rate == D("4")


# 8.875% on 1, 3 and 7 QL Claws ($49.99), standard shipping ($5.95, free from $75, taxed in New York).
@pytest.mark.django_db
@pytest.mark.parametrize(
    "quantity, line_tax, shipping, shipping_tax, total",
    [
        (1, D("4.44"), D("5.95"), D("0.53"), D("60.91")),
        # Rounded once per line: 149.97 x 8.875% = 13.3098 -> 13.31, not 3 x 4.44 = 13.32.
        (3, D("13.31"), D("0.00"), D("0.00"), D("163.28")),
        # 349.93 x 8.875% = 31.0563 -> 31.06, not 7 x 4.44 = 31.08.
        (7, D("31.06"), D("0.00"), D("0.00"), D("380.99")),
    ],
)
def test_new_york_city_tax_on_1_3_and_7_items(claw, price_for, quantity, line_tax, shipping, shipping_tax, total):
    basket, pricing = price_for(claw, quantity, NYC)
    (line,) = basket.all_lines()
    assert round_cents(line.line_tax) == line_tax
    assert round_cents(line.line_price_incl_tax_incl_discounts) == line.line_price_excl_tax + line_tax
    assert (pricing.shipping_charge.excl_tax, pricing.shipping_charge.tax) == (shipping, shipping_tax)
    assert basket.total_tax == line_tax
    assert pricing.total.incl_tax == total
    assert pricing.total.incl_tax - pricing.total.excl_tax == line_tax + shipping_tax == pricing.tax.total


@pytest.mark.django_db
def test_taxable_shipping_is_taxed_at_the_same_rate_and_only_where_taxable(claw, price_for):
    _basket, express = price_for(claw, 3, NYC, method="express")
    assert express.shipping_charge.tax == D("1.77")  # 19.95 x 8.875% = 1.7706
    assert express.total.incl_tax == D("149.97") + D("19.95") + D("13.31") + D("1.77")

    StateRate.objects.filter(state="NY").update(shipping_taxable=False)
    _basket, untaxed = price_for(claw, 1, NYC)
    assert (untaxed.shipping_charge.tax, untaxed.tax.total) == (D("0.00"), D("4.44"))
    assert untaxed.total.incl_tax == D("49.99") + D("5.95") + D("4.44")


@pytest.mark.django_db
def test_the_tax_is_on_the_price_after_a_voucher(claw, price_for):
    voucher = create_voucher(code="TWENTY")  # Oscar's test voucher: 20% off every product
    basket, pricing = price_for(claw, 3, NYC, voucher=voucher)
    (line,) = basket.all_lines()
    assert line.discount_value == D("29.994")
    # 149.97 - 29.994 = 119.976, charged as 119.98; 119.98 x 8.875% = 10.6482 -> 10.65.
    assert pricing.tax.for_line(line.pk).taxable_amount == D("119.98")
    assert pricing.tax.total == D("10.65")
    assert (pricing.total.excl_tax, pricing.total.incl_tax) == (D("119.98"), D("130.63"))


@pytest.mark.django_db
def test_free_shipping_is_decided_before_tax(claw, price_for):
    """$74.97 of goods stays under the $75 free-shipping threshold in New York City, where the
    tax takes it to $81.62: free shipping cannot depend on the state."""
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    StockRecord.objects.filter(product=claw).update(price=D("24.99"))
    basket, pricing = price_for(claw, 3, NYC)
    assert basket.total_excl_tax == D("74.97")
    assert pricing.shipping_charge.excl_tax == D("5.95")
    assert pricing.total.incl_tax == D("74.97") + D("5.95") + D("6.65") + D("0.53")
    # Again, as the shipping-method page asks each method in turn, with the basket now taxed.
    assert pricing.shipping_method.calculate(basket).excl_tax == D("5.95")


@pytest.mark.django_db
def test_asking_twice_sets_the_same_tax_and_asks_the_backend_once(claw, price_for, monkeypatch):
    from tax import service

    basket, pricing = price_for(claw, 1, NYC)
    calls = []
    real = RateTable.calculate
    monkeypatch.setattr(RateTable, "calculate", lambda self, request: calls.append(request) or real(self, request))
    again = service.apply_tax(basket, pricing.shipping_charge, pricing.shipping_method.shipping_address)
    assert again == pricing.tax and calls == []
    assert pricing.shipping_charge.tax == D("0.53") and basket.total_tax == D("4.44")

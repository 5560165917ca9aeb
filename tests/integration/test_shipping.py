from decimal import Decimal

import pytest
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_basket

pytestmark = pytest.mark.django_db

Repository = get_class("shipping.repository", "Repository")
Product = get_model("catalogue", "Product")


def basket_with(product, quantity):
    basket = create_basket(empty=True)
    basket.add_product(product, quantity)
    return basket


def charges(basket):
    return {m.code: m.calculate(basket).incl_tax for m in Repository().get_shipping_methods(basket)}


def test_standard_and_express_offered(claw):
    assert charges(basket_with(claw, 1)) == {"standard": Decimal("5.95"), "express": Decimal("19.95")}


def test_standard_is_free_over_the_threshold(claw):
    assert charges(basket_with(claw, 2))["standard"] == Decimal("0.00")
    assert charges(basket_with(claw, 2))["express"] == Decimal("19.95")

"""Fulfilment > Shipping charges lists and edits exactly the methods checkout offers."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_basket

pytestmark = pytest.mark.django_db

OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Repository = get_class("shipping.repository", "Repository")
LIST = reverse("dashboard:shipping-method-list")


def offered(product, quantity=1):
    """What checkout offers for a basket: {name: charge}."""
    basket = create_basket(empty=True)
    basket.add_product(product, quantity)
    return {m.name: m.calculate(basket).incl_tax for m in Repository().get_shipping_methods(basket)}


def forms_of(page):
    return [form for key, form in page.forms.items() if isinstance(key, int)]


def method_form(page):
    return next(f for f in forms_of(page) if "title" in f.fields)


def test_staff_see_the_methods_checkout_offers(django_app, staff_user, claw):
    page = django_app.get(LIST, user=staff_user)
    rows = [" ".join(row.get_text(" ").split()) for row in page.html.select("tbody tr")]
    assert rows[0].startswith(
        "Standard shipping Shoppers see: Standard shipping (3-5 business days) 3-5 business days $5.95 $75.00"
    )
    assert rows[1].startswith(
        "Express shipping Shoppers see: Express shipping (1-2 business days) 1-2 business days $19.95 never free"
    )
    assert set(offered(claw)) == {"Standard shipping (3-5 business days)", "Express shipping (1-2 business days)"}
    nav = django_app.get(reverse("dashboard:index"), user=staff_user)
    assert nav.html.find("a", string=lambda s: s and "Shipping charges" in s)["href"] == LIST


def test_a_price_changed_here_is_the_price_checkout_charges(django_app, staff_user, claw):
    standard = OrderAndItemCharges.objects.get(code="standard")
    form = method_form(django_app.get(reverse("dashboard:shipping-method-edit", args=[standard.pk]), user=staff_user))
    assert (form["title"].value, form["delivery_time"].value) == ("Standard shipping", "3-5 business days")
    form["price_per_order"] = "4.50"
    form["delivery_time"] = "2-4 business days"
    form["free_shipping_threshold"] = "100"
    page = form.submit(user=staff_user).follow(user=staff_user)
    assert "Saved “Standard shipping (2-4 business days)”" in page.text
    standard.refresh_from_db()
    assert standard.code == "standard"  # what unpaid payments remember never changes
    assert offered(claw, 2) == {
        "Standard shipping (2-4 business days)": Decimal("4.50"),  # $99.98 is under the new $100 threshold
        "Express shipping (1-2 business days)": Decimal("19.95"),
    }


def test_a_method_added_here_is_offered(django_app, staff_user, claw):
    form = method_form(django_app.get(reverse("dashboard:shipping-method-create"), user=staff_user))
    form["title"] = "Local pickup"
    form["price_per_order"] = "0"
    form["description"] = "From our Springfield workshop, weekdays 9-5."
    form.submit(user=staff_user).follow(user=staff_user)
    method = OrderAndItemCharges.objects.get(name="Local pickup")
    assert method.code == "local-pickup"
    assert offered(claw)["Local pickup"] == Decimal("0.00")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("price_per_order", "-1", "greater than or equal to 0"),
        ("price_per_order", "abc", "Enter a number."),
        ("description", "<script>alert(1)</script>", "Plain text only"),
        ("delivery_time", "(soon)", "Leave out the brackets"),
        ("title", "Express shipping", None),  # fine alone ...
    ],
)
def test_bad_input_is_a_form_error(django_app, staff_user, seeded, field, value, message):
    standard = OrderAndItemCharges.objects.get(code="standard")
    form = method_form(django_app.get(reverse("dashboard:shipping-method-edit", args=[standard.pk]), user=staff_user))
    form[field] = value
    if field == "title":
        form["delivery_time"] = "1-2 business days"  # ... but not with Express's delivery time too
        message = "Another shipping method already has this name and delivery time."
    page = form.submit(user=staff_user)
    assert page.status_code == 200 and message in page.text
    standard.refresh_from_db()
    assert standard.price_per_order == Decimal("5.95") and standard.name == "Standard shipping (3-5 business days)"


def test_the_last_method_cannot_be_removed(django_app, staff_user, seeded):
    express = OrderAndItemCharges.objects.get(code="express")
    page = django_app.get(reverse("dashboard:shipping-method-delete", args=[express.pk]), user=staff_user)
    next(f for f in forms_of(page) if f.method.lower() == "post" and "Remove" in f.text).submit(user=staff_user)
    assert list(OrderAndItemCharges.objects.values_list("code", flat=True)) == ["standard"]
    standard = OrderAndItemCharges.objects.get()
    page = django_app.get(reverse("dashboard:shipping-method-delete", args=[standard.pk]), user=staff_user)
    page = next(f for f in forms_of(page) if "Remove" in f.text).submit(user=staff_user).follow(user=staff_user)
    assert "This is the last shipping method" in page.text
    assert OrderAndItemCharges.objects.count() == 1


def test_staff_without_the_permission_cannot_edit(django_app, staff_without_permissions, seeded):
    standard = OrderAndItemCharges.objects.get(code="standard")
    for url in (LIST, reverse("dashboard:shipping-method-edit", args=[standard.pk])):
        assert django_app.get(url, user=staff_without_permissions, expect_errors=True).status_code in (302, 403)

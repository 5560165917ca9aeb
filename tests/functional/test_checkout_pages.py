"""The cart, the checkout steps, the thank-you and order status pages as a shopper reads them:
the US address form (checkout and address book), plain words for the payment, one word for the
cart, a focused checkout with an order summary on every step."""

import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment
from tests.checkout_helpers import ADDRESS, add_to_basket, walk_to_payment

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

UK_LABELS = ("State/County", "Post/Zip-code", "Third line of address", "First line of address")


def visible_text(page):
    """What a shopper reads: the page's text, without scripts, styles or attribute values."""
    html = page.html
    for tag in html(["script", "style", "noscript"]):
        tag.decompose()
    return " ".join(html.get_text(" ").split())


def address_step(app, product, user=None):
    add_to_basket(app, product, user=user)
    page = app.get(reverse("checkout:index"), user=user)
    if user is not None:
        return page.follow(user=user)
    form = next(f for f in page.forms.values() if "username" in f.fields)
    form["username"] = "ada@example.com"
    form["options"] = "anonymous"
    return form.submit().follow()


def fill(form, **values):
    for name, value in {**ADDRESS, **values}.items():
        form[name] = value
    return form


def pay_in_demo_mode(app, page, user=None):
    return page.forms["demo_payment_form"].submit(user=user).follow(user=user)


def guest_order_page(app, order):
    url = reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})
    page = app.get(url).follow()
    form = next(f for f in page.forms.values() if "email" in f.fields)
    form["email"] = order.email
    return form.submit().maybe_follow()


# The US address form


def test_the_address_step_asks_for_a_us_address(django_app, claw):
    page = address_step(django_app, claw)
    form = page.forms["new_shipping_address"]
    assert set(form.fields) >= {
        "first_name",
        "last_name",
        "line1",
        "line2",
        "line4",
        "state",
        "postcode",
        "phone_number",
    }
    assert not {"line3", "notes", "country"} & set(form.fields)
    labels = {
        label["for"]: " ".join(label.get_text(" ").split()) for label in page.html.select("#new_shipping_address label")
    }
    assert labels["id_line1"] == "Address line 1"
    assert labels["id_line2"] == "Address line 2 (optional)"
    assert labels["id_line4"] == "City"
    assert labels["id_state"] == "State"
    assert labels["id_postcode"] == "ZIP code"
    assert labels["id_phone_number"] == "Phone (optional)"
    text = visible_text(page)
    assert not [label for label in UK_LABELS if label in text]
    # The state is a list of the 50 states and DC, by name, stored as the two-letter code.
    options = [(o["value"], o.get_text()) for o in page.html.select("#id_state option")]
    assert options[0] == ("", "Choose a state")
    assert len(options) == 52 and ("DC", "District of Columbia") in options and ("IL", "Illinois") in options
    assert "PR" not in dict(options) and "AE" not in dict(options)
    assert page.html.select_one("#id_postcode")["autocomplete"] == "postal-code"


@pytest.mark.parametrize("typed", ["1234", "ABCDE", "62701-12"])
def test_a_bad_zip_code_is_refused_and_the_typed_text_kept(django_app, claw, typed):
    page = address_step(django_app, claw)
    page = fill(page.forms["new_shipping_address"], postcode=typed).submit()
    assert page.status_code == 200
    error = page.html.select_one("#id_postcode_error")
    assert error.get_text(strip=True) == "Enter a 5-digit ZIP code, like 62701, or ZIP+4, like 62701-1234."
    assert page.html.select_one("#id_postcode")["aria-invalid"] == "true"
    form = page.forms["new_shipping_address"]
    assert (form["postcode"].value, form["line1"].value, form["state"].value) == (typed, ADDRESS["line1"], "IL")
    # One message, beside the field: not a second one for the whole form.
    assert not page.html.select("#new_shipping_address .alert-danger")


def test_two_bad_zip_codes_in_a_row_then_a_good_one(django_app, claw):
    page = address_step(django_app, claw)
    page = fill(page.forms["new_shipping_address"], postcode="999").submit()
    page = fill(page.forms["new_shipping_address"], postcode="9999999").submit()
    assert page.forms["new_shipping_address"]["postcode"].value == "9999999"
    assert page.html.select_one("#id_postcode_error") is not None
    page = fill(page.forms["new_shipping_address"], postcode="62701").submit().follow()
    assert page.request.path == reverse("checkout:shipping-method")


@pytest.mark.parametrize(
    "typed, stored", [("62701-1234", "62701-1234"), ("627011234", "62701-1234"), (" 62701 ", "62701")]
)
def test_zip_plus_four_is_accepted_and_written_the_postal_way(django_app, claw, fake_stripe, typed, stored):
    page = address_step(django_app, claw)
    page = fill(page.forms["new_shipping_address"], postcode=typed).submit().follow()
    form = next(f for f in page.forms.values() if "method_code" in f.fields)
    form.submit().maybe_follow()
    payment = CheckoutPayment.objects.get()
    assert payment.shipping_address["postcode"] == stored
    assert payment.shipping_address["state"] == "IL"
    assert payment.shipping_address["country_id"] == "US"


def test_a_state_is_required(django_app, claw):
    page = address_step(django_app, claw)
    page = fill(page.forms["new_shipping_address"], state="").submit()
    assert page.html.select_one("#id_state_error").get_text(strip=True) == "This field is required."
    assert page.forms["new_shipping_address"]["postcode"].value == ADDRESS["postcode"]


@pytest.mark.parametrize("posted", ["ZZ", "PR", "New York"])
def test_a_state_outside_the_list_is_refused(django_app, claw, posted):
    page = address_step(django_app, claw)
    form = fill(page.forms["new_shipping_address"])
    form["state"].force_value(posted)  # what a hand-made request could send
    page = form.submit()
    assert page.status_code == 200
    assert "Select a valid choice" in page.html.select_one("#id_state_error").get_text()


def test_a_saved_address_is_offered_at_checkout_in_us_form(django_app, claw, customer):
    UserAddress.objects.create(user=customer, country_id="US", **ADDRESS)
    page = address_step(django_app, claw, user=customer)
    saved = " ".join(page.html.select_one(".saved-address address").get_text(" ").split())
    assert saved == "Ada Lovelace 12 Analytical Way Springfield, IL 62701"


# A focused checkout with an order summary on every step


def checkout_steps(app, product):
    """Each checkout page a guest sees, by name, ending on the payment page."""
    add_to_basket(app, product)
    gateway = app.get(reverse("checkout:index"))
    form = next(f for f in gateway.forms.values() if "username" in f.fields)
    form["username"] = "ada@example.com"
    form["options"] = "anonymous"
    address = form.submit().follow()
    methods = fill(address.forms["new_shipping_address"]).submit().follow()
    form = next(f for f in methods.forms.values() if "method_code" in f.fields and f["method_code"].value == "standard")
    payment = form.submit().maybe_follow()
    return {"email": gateway, "address": address, "shipping method": methods, "payment": payment}


def test_every_step_is_focused_with_one_heading_the_steps_and_the_order_summary(django_app, claw, demo_checkout):
    steps = checkout_steps(django_app, claw)
    headings = {name: [h.get_text(strip=True) for h in page.html.select("h1")] for name, page in steps.items()}
    assert headings == {
        "email": ["Checkout"],
        "address": ["Shipping address"],
        "shipping method": ["Shipping method"],
        "payment": ["Payment"],
    }
    current = {name: page.html.select_one(".checkout-steps [aria-current=step]") for name, page in steps.items()}
    assert current["email"] is None
    assert [current[n].get_text(" ", strip=True) for n in ("address", "shipping method", "payment")] == [
        "Address", "Shipping", "Payment",
    ]  # fmt: skip
    for name, page in steps.items():
        # No site navigation, search or newsletter around the steps: the logo, "Secure checkout", the cart.
        assert not page.html.select(".site-nav, .site-search, .site-footer, .newsletter-signup, form[role=search]"), (
            name
        )
        header = page.html.select_one(".checkout-header")
        assert "Secure checkout" in header.get_text(" "), name
        assert header.select_one(f"a[href='{reverse('basket:summary')}']").get_text(strip=True) == "Cart"
        summary = page.html.select_one(".order-summary")
        assert summary is not None, name
        assert "1 × QL Claw $49.99" in " ".join(summary.get_text(" ").split()), name
        assert summary.select_one("#order-summary-shipping") and summary.select_one("#order-summary-tax"), name
        assert summary.select_one(".order-summary__total"), name
    total = " ".join(steps["payment"].html.select_one(".order-summary__total").get_text(" ").split())
    assert total == "Total $55.94"  # Illinois: no sales tax collected; $5.95 standard shipping
    assert (
        " ".join(steps["address"].html.select_one("#order-summary-shipping").get_text(" ").split())
        == "Shipping Next step"
    )


def test_the_help_link_goes_to_the_contact_page(django_app, claw):
    page = address_step(django_app, claw)
    contact = reverse("support:contact")
    link = page.html.select_one(f".checkout-header a[href='{contact}']")
    assert link is not None and link.get_text(strip=True) == "Help"


# Plain words after payment


def test_a_demo_order_says_demo_payment_never_oscars_allocation(
    django_app, claw, demo_checkout, django_capture_on_commit_callbacks
):
    page = walk_to_payment(django_app, claw)
    with django_capture_on_commit_callbacks(execute=True):
        thank_you = pay_in_demo_mode(django_app, page)
    order = Order.objects.get()
    assert order.number in thank_you.html.select_one("h1").get_text()
    for name, shown in (("thank you", thank_you), ("order status", guest_order_page(django_app, order))):
        text = visible_text(shown)
        assert "Paid with Demo payment" in text, name
        assert "Allocation" not in text and "demo_pi_" not in text, name
        assert "Line price" not in text and "excl. tax" not in text and "incl. tax" not in text, name
        assert " ".join(shown.html.select_one(".order-line").get_text(" ").split()).startswith("QL Claw Quantity 1"), (
            name
        )
        total = " ".join(shown.html.select_one(".order-totals__total").get_text(" ").split())
        assert total == "Total $55.94", name


def test_a_card_order_says_which_card(django_app, claw, fake_stripe, customer):
    walk_to_payment(django_app, claw, user=customer)
    payment = CheckoutPayment.objects.get()
    fake_stripe.succeed(payment.intent_id)
    thank_you = django_app.get(
        reverse("checkout:payment-return"), {"payment_intent": payment.intent_id}, user=customer
    ).follow(user=customer)
    order = Order.objects.get()
    status = django_app.get(reverse("customer:order", kwargs={"order_number": order.number}), user=customer)
    for name, shown in (("thank you", thank_you), ("order status", status)):
        text = visible_text(shown)
        assert "Paid with Visa ending 4242" in text, name
        assert "Allocation" not in text and payment.intent_id not in text, name
    # The account's order page: where the order stands in words, not an empty "Status -".
    assert " ".join(status.html.select_one(".order-timeline__title").get_text(" ").split()) == "Status: Paid"
    assert not re.search(r"Status\s*-", visible_text(status))


# One word for the cart


def test_no_page_from_cart_to_order_status_says_basket(
    django_app, claw, demo_checkout, django_capture_on_commit_callbacks
):
    empty = django_app.get(reverse("basket:summary"))
    steps = checkout_steps(django_app, claw)
    cart = django_app.get(reverse("basket:summary"))  # the payment page's basket is given back here
    page = walk_to_payment(django_app, claw)
    with django_capture_on_commit_callbacks(execute=True):
        thank_you = pay_in_demo_mode(django_app, page)
    status = guest_order_page(django_app, Order.objects.get())
    pages = {"empty cart": empty, "cart": cart, **steps, "thank you": thank_you, "order status": status}
    for name, shown in pages.items():
        assert "basket" not in visible_text(shown).lower(), name
        assert "Log In" not in visible_text(shown), name


def test_adding_to_the_cart_says_cart(django_app, claw):
    page = django_app.get(claw.get_absolute_url())
    form = page.forms["add_to_basket_form"]
    page = form.submit().follow()
    messages = " ".join(m.get_text(" ") for m in page.html.select("#messages .alert"))
    assert "QL Claw is in your cart." in " ".join(messages.split())
    assert "basket" not in messages.lower()


# The cart works without JavaScript


def cart_form(page):
    return page.forms["basket_formset"]


def test_plus_minus_and_remove_are_real_buttons(django_app, claw):
    add_to_basket(django_app, claw)
    page = django_app.get(reverse("basket:summary"))
    assert not page.html.select(".qty-stepper__minus[name]")  # at 1, "-" would empty the line: Remove says so
    page = cart_form(page).submit("form-0-quantity", index=1).follow()  # "+" (the box is field 0)
    assert cart_form(page).get("form-0-quantity", index=0).value == "2"
    assert " ".join(page.html.select_one(".cart-line__price").get_text().split()) == "$99.98"
    page = cart_form(page).submit("form-0-quantity", index=1).follow()  # "-" comes first now
    assert cart_form(page).get("form-0-quantity", index=0).value == "1"
    page = cart_form(page).submit("form-0-DELETE").follow()
    assert page.html.select_one(".cart-empty") is not None
    assert "Your cart is empty." in visible_text(page)
    assert page.html.select_one(".cart-empty a.btn-primary")["href"] == claw.get_absolute_url()


def test_a_typed_quantity_is_updated_and_a_bad_one_explained(django_app, claw):
    add_to_basket(django_app, claw)
    page = django_app.get(reverse("basket:summary"))
    form = cart_form(page)
    form.set("form-0-quantity", "3", index=0)
    page = form.submit().follow()  # Enter in the box: the first button only updates
    assert cart_form(page).get("form-0-quantity", index=0).value == "3"
    form = cart_form(page)
    form.set("form-0-quantity", "-4", index=0)
    page = form.submit()
    assert page.status_code == 200
    assert cart_form(page).get("form-0-quantity", index=0).value == "-4"
    assert "Please check your cart" in visible_text(page)


def test_the_cart_shows_plain_prices_and_totals(django_app, claw):
    add_to_basket(django_app, claw, quantity=2)
    page = django_app.get(reverse("basket:summary"))
    text = visible_text(page)
    assert "excl. tax" not in text and "incl. tax" not in text
    totals = " ".join(page.html.select_one("#basket_totals").get_text(" ").split())
    assert totals.startswith("Subtotal $99.98")
    assert "Sales tax At checkout" in totals
    assert "Plus tax where applicable" in text
    assert page.html.select_one(".cart-summary__checkout").get_text(strip=True) == "Proceed to checkout"

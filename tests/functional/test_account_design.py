"""Sign in, register, password reset and the account pages: the store's one light layout, its
words ("Sign in", "cart"), forms that keep what was typed, and actions that work without the
JavaScript Oscar's templates relied on."""

import re

import pytest
from django.template import loader
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import order_for

UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")
WishList = get_model("wishlists", "WishList")
Notification = get_model("communication", "Notification")

ANONYMOUS_PAGES = ["customer:login", "customer:register", "password-reset", "password-reset-done"]
ACCOUNT_PAGES = [
    "customer:profile-view",
    "customer:profile-update",
    "customer:change-password",
    "customer:profile-delete",
    "customer:order-list",
    "customer:address-list",
    "customer:wishlists-list",
    "customer:wishlists-create",
    "customer:alerts-list",
    "customer:notifications-inbox",
    "customer:notifications-archive",
    "customer:email-list",
]


def words(page):
    """What a shopper reads: the visible text, scripts and styles left out."""
    html = page.html
    for tag in html(["script", "style", "noscript"]):
        tag.decompose()
    return " ".join(html.get_text(" ").split())


def assets(page):
    return [tag.get("src") or tag.get("href") for tag in page.html.select('script[src], link[rel="stylesheet"]')]


@pytest.fixture
def shopper(customer, claw):
    """A customer with an order, two addresses and a wish list."""
    customer.first_name, customer.last_name = "Sam", "Rivera"
    customer.save()
    us = Country.objects.get(iso_3166_1_a2="US")
    UserAddress.objects.create(
        user=customer,
        first_name="Sam",
        last_name="Rivera",
        line1="120 Market Street",
        line4="San Francisco",
        state="CA",
        postcode="94105",
        country=us,
        is_default_for_shipping=True,
        is_default_for_billing=True,
    )
    UserAddress.objects.create(
        user=customer,
        first_name="Sam",
        last_name="Rivera",
        line1="9 Elm Road",
        line4="Austin",
        state="TX",
        postcode="78701",
        country=us,
    )
    wishlist = WishList.objects.create(owner=customer, name="Gifts for Dad")
    wishlist.add(claw)
    order_for(claw, user=customer)
    return customer


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_sign_in_pages_speak_the_stores_words_on_the_light_layout(django_app, seeded, name):
    page = django_app.get(reverse(name))
    text = words(page)
    assert "Log In" not in text and "Login" not in text
    assert not re.search(r"\bbasket\b", text, re.I), text
    assert not [a for a in assets(page) if "oscar/" in a], assets(page)
    assert page.html.select_one('link[href*="shop/css/base.css"]')


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_speak_the_stores_words_on_the_light_layout(django_app, shopper, name):
    page = django_app.get(reverse(name), user=shopper)
    text = words(page)
    assert page.status_code == 200
    assert "Log In" not in text
    assert not re.search(r"\bbasket\b", text, re.I), text
    assert not [a for a in assets(page) if "oscar/" in a], assets(page)
    # The account menu is links: every page of it reachable without Bootstrap's JavaScript.
    menu = page.html.select_one("nav.account-nav")
    hrefs = [a["href"] for a in menu.select("a")]
    for target in ("customer:order-list", "customer:address-list", "customer:wishlists-list", "customer:logout"):
        assert reverse(target) in hrefs
    assert len(menu.select('[aria-current="page"]')) <= 1


def test_storefront_has_no_oscar_stylesheet_or_jquery_but_the_dashboard_keeps_them(django_app, shopper, staff_user):
    for url, user in (
        ("/", None),
        (reverse("basket:summary"), None),
        (reverse("customer:login"), None),
        (reverse("customer:summary"), shopper),
    ):
        page = django_app.get(url, user=user).maybe_follow()
        found = assets(page)
        assert not [a for a in found if "styles.css" in a or "jquery" in a or "ui.js" in a], (url, found)
        assert "oscar.init" not in page.text
    dashboard = django_app.get(reverse("dashboard:index"), user=staff_user)
    found = assets(dashboard)
    assert any("jquery" in a for a in found) and any("oscar/css/dashboard.css" in a for a in found), found


def test_header_offers_sign_in_then_an_account_menu(django_app, shopper):
    page = django_app.get("/")
    account = page.html.select_one(".site-nav__account")
    assert [a.get_text(strip=True) for a in account.select("a")] == ["Sign in"]
    assert page.html.select_one(".basket-link__label").get_text(strip=True) == "Cart"

    # WebTest's user= sends no session cookie, so "/" would come from the anonymous page cache.
    page = django_app.get(reverse("customer:profile-view"), user=shopper)
    menu = page.html.select_one(".account-menu details")
    assert menu.summary.get_text(strip=True) == "Account"
    links = {a.get_text(strip=True): a["href"] for a in menu.select("a")}
    assert links["Orders"] == reverse("customer:order-list")
    assert links["Sign out"] == reverse("customer:logout")
    assert "Sign in" not in [a.get_text(strip=True) for a in page.html.select(".site-header a")]


def test_failed_sign_in_keeps_the_email_and_says_why(django_app, shopper, frozen_rate_window):
    form = django_app.get(reverse("customer:login")).forms["login_form"]
    form["login-username"] = shopper.email
    form["login-password"] = "not-the-password"
    page = form.submit("login_submit")
    assert page.status_code == 200
    assert page.forms["login_form"]["login-username"].value == shopper.email
    alert = page.html.select_one("#login_form .alert-danger")
    assert alert and "password" in alert.get_text().lower()
    assert page.html.select_one("h1").get_text(strip=True) == "Sign in"


def test_registration_errors_are_tied_to_their_fields_and_keep_the_email(django_app, seeded, frozen_rate_window):
    form = django_app.get(reverse("customer:register")).forms["register_form"]
    form["email"] = "new@example.com"
    form["password1"] = "a-long-pass-phrase-7"
    form["password2"] = "a-different-phrase-8"
    page = form.submit("registration_submit")
    assert page.status_code == 200
    field = page.html.select_one("#id_password2")
    error = page.html.select_one("#id_password2_error")
    assert error and error.get_text(strip=True)
    assert field["aria-invalid"] == "true" and "id_password2_error" in field["aria-describedby"]
    assert "is-invalid" in field["class"]
    assert page.forms["register_form"]["email"].value == "new@example.com"


def test_password_reset_pages_link_back_to_sign_in(django_app, seeded):
    page = django_app.get(reverse("password-reset"))
    assert page.html.h1.get_text(strip=True) == "Reset your password"
    assert page.html.select_one(f'a[href="{reverse("customer:login")}"]')
    page = django_app.get(reverse("password-reset-confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))
    assert page.html.h1.get_text(strip=True) == "This link no longer works"
    assert page.html.select_one(f'a[href="{reverse("password-reset")}"]')
    page = django_app.get(reverse("password-reset-complete"))
    assert page.html.select_one(f'a.btn[href="{reverse("customer:login")}"]')


def test_order_history_shows_status_in_words_total_and_link(django_app, shopper):
    order = shopper.orders.get()
    page = django_app.get(reverse("customer:order-list"), user=shopper)
    card = page.html.select_one(".order-card")
    assert card.select_one(f'a[href="{reverse("customer:order", kwargs={"order_number": order.number})}"]')
    assert "Paid, being prepared" in card.get_text()
    assert f"{order.total_incl_tax:.2f}" in card.get_text()
    # A bad date in the search is an error on the field, not a 500.
    page = django_app.get(reverse("customer:order-list"), {"date_from": "yesterday-ish"}, user=shopper)
    assert page.status_code == 200
    assert page.html.select_one("#id_date_from.is-invalid")
    assert page.html.select_one("#id_date_from")["value"] == "yesterday-ish"


def test_address_book_actions_work_as_links(django_app, shopper):
    other = shopper.addresses.get(line1="9 Elm Road")
    page = django_app.get(reverse("customer:address-list"), user=shopper)
    assert page.html.select(".address-card .badge-success")[0].get_text(strip=True) == "Default shipping address"
    make_default = reverse("customer:address-change-status", kwargs={"pk": other.pk, "action": "default_for_shipping"})
    page = page.click(href=make_default).follow()
    other.refresh_from_db()
    assert other.is_default_for_shipping
    delete = page.click(href=reverse("customer:address-delete", kwargs={"pk": other.pk}))
    delete.forms[1].submit().follow()  # forms[0] is the header's search
    assert not shopper.addresses.filter(pk=other.pk).exists()


def test_wish_list_adds_to_cart_without_javascript(django_app, shopper, claw):
    wishlist = shopper.wishlists.get()
    page = django_app.get(wishlist.get_absolute_url(), user=shopper)
    line = wishlist.lines.get()
    button = page.html.select_one(f'button[form="wishlist-add-{line.pk}"]')
    assert button and "Add to cart" in button.get_text()
    add = page.forms[f"wishlist-add-{line.pk}"]
    assert add.action == reverse("basket:add", kwargs={"pk": claw.pk})
    add.submit().follow()
    page = django_app.get(reverse("basket:summary"), user=shopper)
    assert page.html.select_one(".basket-badge")["data-basket-count"] == "1"


def test_each_message_archives_and_deletes_with_its_own_form(django_app, shopper):
    first = Notification.objects.create(recipient=shopper, subject="Your order shipped")
    second = Notification.objects.create(recipient=shopper, subject="Back in stock")
    page = django_app.get(reverse("customer:notifications-inbox"), user=shopper)
    forms = [f for f in page.forms.values() if "selected_notification" in f.fields]
    assert len(forms) == 2
    form = next(f for f in forms if f["selected_notification"].value == str(first.pk))
    form.submit("action", value="archive").follow()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.location == Notification.ARCHIVE and second.location == Notification.INBOX


def test_not_found_page_is_in_the_store_layout(django_app, seeded):
    page = django_app.get("/no-such-page/", status=404)
    assert page.html.h1.get_text(strip=True) == "We can't find that page"
    assert page.html.select_one("form[role=search] input[name=q]")
    assert not [a for a in assets(page) if "oscar/" in a]


def test_server_error_page_renders_without_a_request_in_the_store_look():
    html = loader.get_template("500.html").render()
    assert "shop/css/base.css" in html and "shop/css/store.css" in html
    assert "cart is safe" in html and "basket" not in html.lower()


def test_messages_are_announced_and_dismissable_without_bootstrap(django_app, shopper):
    page = django_app.get(reverse("customer:address-list"), user=shopper)
    other = shopper.addresses.get(line1="9 Elm Road")
    page = page.click(href=reverse("customer:address-delete", kwargs={"pk": other.pk}))
    page = page.forms[1].submit().follow()
    alert = page.html.select_one("#messages .alert")
    assert alert["role"] in ("status", "alert")
    assert alert.select_one('button.close[data-dismiss="alert"][aria-label]')
    assert "address" in alert.get_text().lower()

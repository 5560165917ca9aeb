"""A shopper goes from the psoas article to a placed order in demo mode, in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .support import choose_standard_shipping, continue_as_guest, fill_shipping_address
from .test_people import link_in_last_email

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True  # demo payments exist only with DEBUG on and no Stripe key
    settings.STRIPE_SECRET_KEY = ""


def test_guest_checkout_from_the_article_to_the_order_status_page(page, demo_mode):
    page.goto("/learn/psoas-trigger-points/")
    page.locator(".buy-box").first.get_by_role("button", name="Add to cart").click()
    page.goto("/basket/")
    expect(page.locator(".video-panel")).to_be_visible()
    page.get_by_role("link", name=re.compile("Proceed to checkout", re.I)).first.click()

    continue_as_guest(page)
    fill_shipping_address(page)
    choose_standard_shipping(page)
    expect(page.locator(".video-panel")).to_be_visible()
    expect(page.locator("body")).to_contain_text("no card is asked for")
    assert not [url for url in page.network.external if "stripe" in url]
    page.get_by_role("button", name=re.compile("Demo payment, no card charged")).click()

    expect(page.locator("h1")).to_contain_text(re.compile(r"\d{5,}"))
    order_number = re.search(r"\d{5,}", page.locator("h1").inner_text()).group(0)
    expect(page.locator(".video-panel")).to_be_visible()
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "0")

    page.goto(link_in_last_email("guest@example.com", "order-status"))
    # Oscar asks a guest for the order's email address before it shows the order.
    page.locator("main #id_email").fill("guest@example.com")
    page.locator("main").get_by_role("button", name="See my order").click()
    expect(page.locator("body")).to_contain_text(order_number)
    expect(page.locator(".video-panel")).to_be_visible()
    assert page.console_errors == [] and page.dialogs == []
    assert any(order_number in m.subject or order_number in m.body for m in mail.outbox)


def walk_to_the_payment_page(page, email="guest@example.com"):
    """Home page -> basket -> guest checkout -> address -> standard shipping -> payment page."""
    page.goto("/")
    page.locator(".hero").get_by_role("button", name="Add to cart").click()
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")
    page.goto("/basket/")
    page.get_by_role("link", name=re.compile("Proceed to checkout", re.I)).first.click()
    continue_as_guest(page, email)
    fill_shipping_address(page)
    choose_standard_shipping(page)
    expect(page.locator("h1")).to_contain_text("Payment")


def test_a_declined_card_keeps_the_basket_and_the_shopper_pays_again(page, demo_mode):
    from oscar.core.loading import get_model

    from checkout.models import CheckoutPayment

    Order = get_model("order", "Order")
    walk_to_the_payment_page(page)
    page.get_by_role("button", name="Demo: decline the card").click()

    # Back on the payment page, told why, with nothing ordered.
    expect(page).to_have_url(re.compile("/checkout/payment-details/"))
    expect(page.get_by_role("alert").filter(has_text="Your card was declined.")).to_be_visible()
    assert not Order.objects.exists()
    payment = CheckoutPayment.objects.get()
    assert (payment.status, payment.last_error) == (CheckoutPayment.PENDING, "Your card was declined.")

    # The basket is still the shopper's, with its line.
    page.get_by_role("link", name=re.compile("Cart")).first.click()
    expect(page).to_have_url(re.compile("/basket/$"))
    expect(page.locator("#content_inner")).to_contain_text("QL Claw")
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "1")

    # Paying again (the demo's good card) places exactly one order, for that basket.
    page.get_by_role("link", name=re.compile("Proceed to checkout", re.I)).first.click()
    continue_as_guest(page)
    page.locator("#new_shipping_address button[type=submit]").click()  # the address typed before is kept
    choose_standard_shipping(page)
    expect(page.locator(".alert-danger")).to_have_count(0)  # the old error is not shown again
    page.get_by_role("button", name=re.compile("Demo payment, no card charged")).click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"\d{5,}"))
    order = Order.objects.get()
    assert order.number in page.locator("h1").inner_text()
    assert order.lines.get().quantity == 1 and order.guest_email == "guest@example.com"
    assert CheckoutPayment.objects.get().order_id == order.id  # the same payment, paid at last
    expect(page.locator(".basket-badge")).to_have_attribute("data-basket-count", "0")
    assert page.console_errors == [] and page.dialogs == []

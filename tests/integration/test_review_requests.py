"""The email asking for a review (product_reviews/requests.py): once per order, some days after
delivery, never before, never to an address that opted out; its opt-out link is signed and works."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment import services, statuses
from product_reviews import links, requests, tasks
from product_reviews.models import ReviewOptOut, ReviewRequest
from shop import signing
from tests.factories import order_for
from tests.fixtures.mail import html_part, link_in, path_of

pytestmark = pytest.mark.django_db

OrderStatusChange = get_model("order", "OrderStatusChange")
ProductReview = get_model("reviews", "ProductReview")


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="maria", email="Maria@Example.com", password="maria-pass-123", first_name="Maria"
    )


def delivered(order, days_ago):
    """Mark the order delivered `days_ago` days ago, as fulfilment records it (a status change)."""
    order.status = statuses.DELIVERED
    order.save()
    change = OrderStatusChange.objects.create(order=order, old_status=statuses.SHIPPED, new_status=statuses.DELIVERED)
    OrderStatusChange.objects.filter(pk=change.pk).update(date_created=timezone.now() - timedelta(days=days_ago))
    return order


def test_asked_once_after_the_days_set_with_a_review_link_and_an_opt_out(place_order, customer, claw):
    order = place_order(user=customer, email=customer.email)
    services.ship_order(order, carrier="usps", tracking_number="9400111899223856928499")
    services.mark_delivered(order)
    mail.outbox.clear()
    # The real status change, moved back in time.
    OrderStatusChange.objects.filter(order=order, new_status=statuses.DELIVERED).update(
        date_created=timezone.now() - timedelta(days=8)
    )

    assert requests.send_due_requests() == {"sent": 1}
    [message] = mail.outbox
    assert message.to == ["maria@example.com"]
    assert "QL Claw" in message.subject
    add = reverse("catalogue:reviews-add", kwargs={"product_slug": claw.slug, "product_pk": claw.pk})
    assert path_of(link_in(message, add)) == add
    assert "Write a review" in html_part(message) and order.number in message.body
    opt_out = link_in(message, "/reviews/opt-out/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{opt_out}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ReviewRequest.objects.get().order == order

    # Once per order: the next runs send nothing.
    assert requests.send_due_requests() == {}
    tasks.send_review_requests()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("days_ago", [0, 6, 7 + 14 + 1])
def test_not_before_the_days_nor_long_after(customer, claw, settings, days_ago):
    settings.REVIEW_REQUEST_AFTER_DAYS = 7
    settings.REVIEW_REQUEST_WINDOW_DAYS = 14
    delivered(order_for(claw, user=customer), days_ago)
    assert requests.send_due_requests() == {}
    assert not mail.outbox


def test_the_delay_is_a_setting(customer, claw, settings):
    settings.REVIEW_REQUEST_AFTER_DAYS = 2
    delivered(order_for(claw, user=customer), 3)
    assert requests.send_due_requests() == {"sent": 1}


def test_the_periodic_task_sends_them(customer, claw):
    delivered(order_for(claw, user=customer), 8)
    tasks.send_review_requests()
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]


def test_not_for_orders_that_are_not_delivered(customer, claw):
    order = delivered(order_for(claw, user=customer), 8)
    order.status = statuses.REFUNDED
    order.save()
    assert requests.send_due_requests() == {}


def test_not_for_guest_orders(claw):
    delivered(order_for(claw, guest_email="guest@example.com"), 8)
    assert requests.send_due_requests() == {}
    assert not mail.outbox


def test_not_when_everything_is_reviewed_already(customer, claw):
    delivered(order_for(claw, user=customer), 8)
    ProductReview.objects.create(product=claw, user=customer, score=5, title="Done", body="Yes.")
    assert requests.send_due_requests() == {"nothing to review": 1}
    assert not mail.outbox


def test_not_to_an_address_that_opted_out(customer, claw):
    ReviewOptOut.objects.create(email="maria@example.com")
    delivered(order_for(claw, user=customer), 8)
    assert requests.send_due_requests() == {"opted out": 1}
    assert not mail.outbox


def test_the_opt_out_link_asks_then_stops_future_requests(customer, claw):
    delivered(order_for(claw, user=customer), 8)
    requests.send_due_requests()
    path = path_of(link_in(mail.outbox[0], "/reviews/opt-out/"))
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and b"maria@example.com" in page.content
    assert not ReviewOptOut.objects.exists()  # a GET (a mail scanner) changes nothing
    done = browser.post(path)  # the button, or a mailbox provider's one-click POST: no cookie, no CSRF token
    assert done.status_code == 200 and b"No more review requests" in done.content
    assert ReviewOptOut.objects.filter(email="maria@example.com").exists()
    assert browser.post(path).status_code == 200  # twice is fine

    mail.outbox.clear()
    delivered(order_for(claw, user=customer), 9)
    assert requests.send_due_requests() == {"opted out": 1}
    assert not mail.outbox


@pytest.mark.parametrize("tamper", ["truncate", "swap-address", "garbage", "other-kind"])
def test_a_tampered_link_is_a_400_and_opts_nobody_out(customer, tamper):
    token = links.OPT_OUT.make({"e": "maria@example.com"})
    bad = {
        "truncate": token[:-3],
        "swap-address": token.replace(token.split(":")[0], links.OPT_OUT.make({"e": "x@example.com"}).split(":")[0]),
        "garbage": "not-a-token",
        "other-kind": signing.TokenKind("newsletter.opt-out", timestamped=False).make({"e": "maria@example.com"}),
    }[tamper]
    path = reverse("product_reviews:opt-out", args=[bad])
    for method in (Client().get, Client().post):
        response = method(path)
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert not ReviewOptOut.objects.exists()


def test_two_workers_at_once_send_one_email(customer, claw):
    order = delivered(order_for(claw, user=customer), 8)
    assert requests.send_request(order.pk) == "sent"
    assert requests.send_request(order.pk) == "already sent"
    assert len(mail.outbox) == 1

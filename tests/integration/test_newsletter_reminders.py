"""The abandoned-checkout reminder: one email for a checkout left on the payment page, and each
"never" of its rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from checkout import placement
from checkout.models import CheckoutPayment
from content_pages.models import TutorialVideo, VideoPlacement
from newsletter import reminders, services
from newsletter.models import CheckoutReminder, Subscriber, Suppression
from tests.checkout_helpers import start_payment_for
from tests.fixtures.mail import html_part, link_in, path_of

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")


@pytest.fixture
def left_checkout(claw, fake_stripe):
    """A shopper who ticked the marketing box, pressed Pay, and left five hours ago."""
    payment = start_payment_for(claw, 2, email="Shopper@Example.com")
    CheckoutPayment.objects.filter(pk=payment.pk).update(
        newsletter_opt_in=True, date_created=timezone.now() - timedelta(hours=5)
    )
    payment.refresh_from_db()
    return payment


@pytest.fixture
def basket_video(db):
    """Staff's choice for the basket page (replacing the demo's)."""
    VideoPlacement.objects.filter(placement=VideoPlacement.Placement.BASKET).delete()
    video = TutorialVideo.objects.create(title="Release the QL in two minutes", url="https://youtu.be/dQw4w9WgXcQ")
    VideoPlacement.objects.create(placement=VideoPlacement.Placement.BASKET, video=video)
    return video


def test_one_reminder_with_the_basket_a_link_back_the_video_and_an_opt_out(left_checkout, basket_video):
    assert reminders.send_due_reminders() == {"sent": 1}

    [message] = mail.outbox
    assert message.to == ["Shopper@Example.com"]
    html = html_part(message)
    assert "QL Claw" in html and "Quantity: 2" in html and "$" in html
    assert "Release the QL in two minutes" in html and "youtu" in html
    assert link_in(message, "/newsletter/basket/")
    opt_out = link_in(message, "/newsletter/opt-out/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{opt_out}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "100 Demo Street" in message.body and "100 Demo Street" in html
    reminder = CheckoutReminder.objects.get()
    assert (reminder.basket_id, reminder.payment, reminder.email) == (
        left_checkout.basket_id, left_checkout, "Shopper@Example.com"
    )
    # Never a second one for that basket.
    assert reminders.send_due_reminders() == {}
    assert len(mail.outbox) == 1


def test_not_before_the_delay(left_checkout, settings):
    settings.NEWSLETTER_CHECKOUT_REMINDER_DELAY = 6 * 3600
    assert reminders.send_due_reminders() == {}
    assert mail.outbox == []


def test_not_for_old_checkouts(left_checkout):
    CheckoutPayment.objects.filter(pk=left_checkout.pk).update(date_created=timezone.now() - timedelta(days=10))
    assert reminders.send_due_reminders() == {}


def test_never_when_the_shopper_paid(left_checkout, fake_stripe):
    fake_stripe.succeed(left_checkout.intent_id)
    placement.place_order_for_payment_intent(fake_stripe.intents[left_checkout.intent_id])
    assert CheckoutPayment.objects.get(pk=left_checkout.pk).status == CheckoutPayment.PLACED

    assert reminders.send_due_reminders() == {}
    assert mail.outbox == []


def test_never_when_the_address_ordered_with_another_basket(left_checkout, claw, fake_stripe):
    other = start_payment_for(claw, 1, email="shopper@example.com")
    fake_stripe.succeed(other.intent_id)
    placement.place_order_for_payment_intent(fake_stripe.intents[other.intent_id])
    mail.outbox.clear()

    assert reminders.send_due_reminders() == {"ordered": 1}
    assert mail.outbox == []


def test_never_without_the_marketing_box_unless_the_setting_allows_it(left_checkout, settings):
    CheckoutPayment.objects.filter(pk=left_checkout.pk).update(newsletter_opt_in=False)
    assert reminders.send_due_reminders() == {}

    settings.NEWSLETTER_REMIND_ALL_CHECKOUTS = True
    assert reminders.send_due_reminders() == {"sent": 1}


def test_never_to_an_unsubscribed_address(left_checkout):
    [subscriber] = Subscriber.objects.bulk_create([Subscriber(
        email="shopper@example.com", status="subscribed", source="footer", consent_version="2026-11",
        consent_text="x", signed_up_at=timezone.now(),
    )])
    services.mark_unsubscribed(subscriber)

    assert reminders.send_due_reminders() == {"unsubscribed": 1}
    assert mail.outbox == []


@pytest.mark.parametrize("reason", [Suppression.Reason.BOUNCE, Suppression.Reason.COMPLAINT])
def test_never_to_a_bounced_or_complaining_address(left_checkout, reason):
    services.suppress("SHOPPER@example.com", reason)

    assert reminders.send_due_reminders() == {"suppressed": 1}
    assert mail.outbox == []


def test_the_sweeps_canceled_checkout_still_gets_one(left_checkout):
    CheckoutPayment.objects.filter(pk=left_checkout.pk).update(status=CheckoutPayment.CANCELED)
    assert reminders.send_due_reminders() == {"sent": 1}


def test_the_opt_out_link_stops_every_marketing_email_to_the_address(left_checkout, claw):
    reminders.send_due_reminders()
    path = path_of(link_in(mail.outbox[0], "/newsletter/opt-out/"))

    page = Client().get(path)
    assert page.status_code == 200 and b"Shopper@Example.com" in page.content
    assert not Suppression.objects.exists()  # a GET (a mail scanner) changes nothing
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200

    assert Suppression.objects.for_email("shopper@example.com").get().reason == Suppression.Reason.UNSUBSCRIBED
    # Another checkout by the same address later: no reminder.
    second = start_payment_for(claw, 1, email="shopper@example.com")
    CheckoutPayment.objects.filter(pk=second.pk).update(
        newsletter_opt_in=True, date_created=timezone.now() - timedelta(hours=5)
    )
    assert reminders.send_due_reminders() == {"suppressed": 1}


def test_a_forged_opt_out_changes_nothing(left_checkout):
    reminders.send_due_reminders()
    path = path_of(link_in(mail.outbox[0], "/newsletter/opt-out/"))
    forged = path.replace("/opt-out/", "/opt-out/x")
    assert Client().post(forged).status_code == 400
    assert not Suppression.objects.exists()


def test_the_link_brings_the_basket_back_once_and_the_order_counts_as_recovered(
    left_checkout, fake_stripe, django_capture_on_commit_callbacks
):
    reminders.send_due_reminders()
    path = path_of(link_in(mail.outbox[0], "/newsletter/basket/"))
    browser = Client()  # another device: no session, no basket

    response = browser.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")
    reminder = CheckoutReminder.objects.get()
    restored = Basket.objects.get(pk=reminder.restored_basket_id)
    assert restored.pk != left_checkout.basket_id and restored.status == Basket.OPEN
    assert [(line.product.upc, line.quantity) for line in restored.all_lines()] == [("QLC-CLAW-01", 2)]
    # The reminded basket is untouched: its pending payment still points at it.
    assert Basket.objects.get(pk=left_checkout.basket_id).status == Basket.FROZEN

    browser.get(path)  # twice: topped up, never doubled
    assert [line.quantity for line in Basket.objects.get(pk=reminder.restored_basket_id).all_lines()] == [2]

    # The shopper pays for the restored basket: the order is credited to the reminder (order_paid).
    from checkout import flow
    from tests.checkout_helpers import ADDRESS

    restored.strategy = get_class("partner.strategy", "Selector")().strategy()
    paid, _intent = flow.begin_payment(
        basket=restored, user=AnonymousUser(), email="shopper@example.com",
        shipping_address=get_model("order", "ShippingAddress")(country_id="US", **ADDRESS), billing_address=None,
        shipping_method_code="standard", order_number="200001", client_ip="127.0.0.1",
    )
    fake_stripe.succeed(paid.intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(fake_stripe.intents[paid.intent_id])
    reminder.refresh_from_db()
    assert reminder.order == placed.order is not None


def test_an_expired_or_forged_basket_link_changes_nothing(left_checkout, settings):
    reminders.send_due_reminders()
    path = path_of(link_in(mail.outbox[0], "/newsletter/basket/"))

    assert Client().get(path.replace("/basket/", "/basket/x")).status_code == 400
    settings.NEWSLETTER_RESTORE_LINK_MAX_AGE = -1
    assert Client().get(path).status_code == 410
    assert CheckoutReminder.objects.get().restored_at is None


def test_two_sweeps_at_once_send_one(left_checkout):
    assert reminders.send_reminder(left_checkout.pk) == "sent"
    assert reminders.send_reminder(left_checkout.pk) == "already sent"
    assert len(mail.outbox) == 1

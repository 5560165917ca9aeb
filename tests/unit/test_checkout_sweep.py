"""The reconciliation sweep: what it takes, what it does to each payment, and its command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_model

from checkout import sweep
from checkout.models import CheckoutPayment
from tests.checkout_helpers import start_payment_for

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")


def later(**delta):
    return timezone.now() + timedelta(**delta)


def test_a_fresh_pending_payment_is_left_to_its_doors(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    fake_stripe.succeed(payment.intent_id)
    assert sweep.sweep() == {}  # not due yet: the shopper is probably on their way back
    assert sweep.sweep(now=later(hours=1)) == {"placed": 1}
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED and Order.objects.count() == 1


def test_an_unpaid_payment_stays_pending_until_it_is_abandoned(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    assert sweep.sweep(now=later(hours=1)) == {"pending": 1}
    assert sweep.sweep(now=later(days=3)) == {"canceled": 1}
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.CANCELED
    assert fake_stripe.intents[payment.intent_id]["status"] == "canceled"
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.OPEN
    assert sweep.sweep(now=later(days=4)) == {}  # closed rows are never looked at again


def test_an_intent_canceled_at_stripe_is_closed(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    fake_stripe.cancel_payment_intent(payment.intent_id)
    assert sweep.sweep(now=later(hours=1)) == {"canceled": 1}
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.CANCELED and not Order.objects.exists()


def test_a_payment_stripe_is_still_processing_is_left_pending(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    fake_stripe.intents[payment.intent_id]["status"] = "processing"
    assert sweep.sweep(now=later(days=3)) == {"pending": 1}


def test_one_payment_that_fails_does_not_stop_the_others(claw, fake_stripe, monkeypatch):
    broken = start_payment_for(claw, 1, email="a@example.com")
    fine = start_payment_for(claw, 1, email="b@example.com")
    fake_stripe.succeed(fine.intent_id)
    retrieve = fake_stripe.retrieve_payment_intent

    def flaky(intent_id):
        if intent_id == broken.intent_id:
            raise RuntimeError("Stripe answered nonsense")
        return retrieve(intent_id)

    monkeypatch.setattr("checkout.stripe_gateway.retrieve_payment_intent", flaky)
    assert sweep.sweep(now=later(hours=1)) == {"failed": 1, "placed": 1}


def test_demo_payments_are_not_swept_outside_demo_mode(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    CheckoutPayment.objects.filter(pk=payment.pk).update(intent_id="demo_pi_abc")
    assert sweep.sweep(now=later(days=3)) == {}


def test_the_command_reports_what_it_did(claw, fake_stripe, capsys):
    call_command("reconcile_payments")
    assert "No payment needed reconciling." in capsys.readouterr().out
    payment = start_payment_for(claw, 1)
    fake_stripe.succeed(payment.intent_id)
    CheckoutPayment.objects.filter(pk=payment.pk).update(date_updated=later(hours=-1))
    call_command("reconcile_payments")
    assert "placed: 1" in capsys.readouterr().out
    assert Order.objects.count() == 1

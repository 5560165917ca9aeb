"""The Stripe webhook: signed events built from Stripe's own fixtures (fixtures3.json)."""

import copy
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from checkout.models import CheckoutPayment, WebhookEvent
from tests.checkout_helpers import FIXTURES, event_payload, post_event, sign, start_payment_for

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
Source = get_model("payment", "Source")
Transaction = get_model("payment", "Transaction")


@pytest.fixture
def paid(claw, fake_stripe):
    """A shopper's payment that Stripe reports as succeeded; no door has placed it yet."""
    payment = start_payment_for(claw, 1)
    return payment, fake_stripe.succeed(payment.intent_id)


def succeeded_event(intent, event_id="evt_succeeded"):
    return event_payload("payment_intent.succeeded", intent, event_id=event_id)


def test_the_fixture_event_shape_is_used(paid):
    _, intent = paid
    event = json.loads(succeeded_event(intent))
    assert set(FIXTURES["event"]) <= set(event)
    assert isinstance(event["data"]["object"]["latest_charge"], str)  # an id, as the real API sends


def test_missing_signature_header_is_400(client, paid):
    _, intent = paid
    response = post_event(client, succeeded_event(intent), header=False)
    assert response.status_code == 400
    assert not Order.objects.exists() and not WebhookEvent.objects.exists()


def test_bad_signature_is_400(client, paid):
    _, intent = paid
    payload = succeeded_event(intent)
    response = post_event(client, payload, signature=sign(payload, secret="whsec_somebody_else"))
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_signature_over_another_body_is_400(client, paid):
    _, intent = paid
    response = post_event(client, succeeded_event(intent), signature=sign(succeeded_event(intent, "evt_other")))
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_replayed_event_older_than_five_minutes_is_400(client, paid):
    _, intent = paid
    payload = succeeded_event(intent)
    response = post_event(client, payload, signature=sign(payload, timestamp=int(time.time()) - 301))
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_signed_garbage_is_400(client, db, fake_stripe):
    response = post_event(client, "{not json")
    assert response.status_code == 400


@pytest.mark.parametrize("damage", ["no object id", "no data", "object is a list"])
def test_signed_but_malformed_event_is_400_and_not_recorded(client, db, fake_stripe, damage):
    event = json.loads(event_payload("payment_intent.succeeded", copy.deepcopy(FIXTURES["payment_intent"])))
    if damage == "no object id":
        del event["data"]["object"]["id"]
    elif damage == "no data":
        del event["data"]
    else:
        event["data"]["object"] = []
    assert post_event(client, json.dumps(event)).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_get_is_not_allowed(client, db):
    assert client.get(reverse("payments:stripe-webhook")).status_code == 405


def test_unknown_event_type_is_accepted_and_recorded(client, db, fake_stripe):
    payload = event_payload("plan.created", FIXTURES["plan"], event_id="evt_plan")
    assert post_event(client, payload).status_code == 200
    assert WebhookEvent.objects.get().type == "plan.created"


def test_succeeded_for_an_intent_we_never_made_is_accepted_and_ignored(client, db, fake_stripe):
    payload = event_payload("payment_intent.succeeded", copy.deepcopy(FIXTURES["payment_intent"]))
    assert post_event(client, payload).status_code == 200
    assert not Order.objects.exists()


def test_the_same_event_five_times_places_one_order(client, paid, django_capture_on_commit_callbacks):
    payment, intent = paid
    payload = succeeded_event(intent)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [post_event(client, payload).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert Order.objects.count() == 1
    assert Source.objects.count() == 1
    assert WebhookEvent.objects.count() == 1
    confirmations = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert len(confirmations) == 1
    assert payment.order_number in confirmations[0].body


def test_different_events_for_the_same_payment_place_one_order(client, paid, django_capture_on_commit_callbacks):
    _, intent = paid
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):  # Stripe can send an event again under a new id (e.g. resent by hand)
            assert post_event(client, succeeded_event(intent, f"evt_{number}")).status_code == 200
    assert Order.objects.count() == 1 and Source.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["ada@example.com"]]) == 1


def test_webhook_before_the_shoppers_return(client, django_app, paid, django_capture_on_commit_callbacks):
    payment, intent = paid
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, succeeded_event(intent)).status_code == 200
        page = django_app.get(
            reverse("checkout:payment-return"),
            {"payment_intent": intent["id"], "payment_intent_client_secret": intent["client_secret"]},
        ).follow()
    order = Order.objects.get()
    assert order.number in page.text
    assert Source.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["ada@example.com"]]) == 1


def test_return_before_the_webhook(client, django_app, paid, django_capture_on_commit_callbacks):
    payment, intent = paid
    with django_capture_on_commit_callbacks(execute=True):
        page = django_app.get(
            reverse("checkout:payment-return"),
            {"payment_intent": intent["id"], "payment_intent_client_secret": intent["client_secret"]},
        ).follow()
        assert post_event(client, succeeded_event(intent)).status_code == 200
    order = Order.objects.get()
    assert order.number in page.text
    assert Source.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == ["ada@example.com"]]) == 1


def test_the_return_view_needs_the_session_or_the_client_secret(django_app, paid):
    _, intent = paid
    response = django_app.get(
        reverse("checkout:payment-return"),
        {"payment_intent": intent["id"], "payment_intent_client_secret": "pi_guess_secret_wrong"},
        expect_errors=True,
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_payment_failed_is_recorded_and_the_basket_stays_usable(client, claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    intent = fake_stripe.fail(payment.intent_id, "Your card has insufficient funds.")
    payload = event_payload("payment_intent.payment_failed", intent, event_id="evt_failed")
    assert post_event(client, payload).status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PENDING
    assert payment.last_error == "Your card has insufficient funds."
    basket = Basket.objects.get(pk=payment.basket_id)
    assert basket.status == Basket.OPEN and basket.num_items == 1
    assert not Order.objects.exists()


def test_events_out_of_order_failed_after_succeeded_changes_nothing(client, paid):
    payment, intent = paid
    assert post_event(client, succeeded_event(intent)).status_code == 200
    earlier_failure = dict(intent, status="requires_payment_method", last_payment_error={"message": "Declined"})
    payload = event_payload("payment_intent.payment_failed", earlier_failure, event_id="evt_failed_late")
    assert post_event(client, payload).status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED and payment.last_error == ""
    assert Order.objects.count() == 1
    assert Order.objects.get().basket.status == Basket.SUBMITTED


def charge_refunded(intent, refunds, *, embed=True):
    charge = copy.deepcopy(FIXTURES["charge"])
    charge.update(
        id=intent["latest_charge"],
        amount=intent["amount"],
        amount_captured=intent["amount"],
        amount_refunded=sum(r["amount"] for r in refunds),
        refunded=sum(r["amount"] for r in refunds) >= intent["amount"],
        payment_intent=intent["id"],
        captured=True,
    )
    if embed:
        charge["refunds"] = {"object": "list", "data": refunds, "has_more": False, "url": "/v1/refunds"}
    else:
        del charge["refunds"]  # what API versions since 2022-11-15 send
    return charge


def stripe_dashboard_refund(intent, amount, refund_id="re_dashboard_1"):
    refund = copy.deepcopy(FIXTURES["refund"])
    refund.update(id=refund_id, amount=amount, charge=intent["latest_charge"], payment_intent=intent["id"])
    return refund


def test_refund_made_in_stripes_dashboard_is_recorded_once(client, paid):
    payment, intent = paid
    assert post_event(client, succeeded_event(intent)).status_code == 200
    refund = stripe_dashboard_refund(intent, 1000)
    for number in range(3):
        payload = event_payload("charge.refunded", charge_refunded(intent, [refund]), event_id=f"evt_refund_{number}")
        assert post_event(client, payload).status_code == 200
    source = Source.objects.get()
    assert str(source.amount_refunded) == "10.00"
    refund_txn = Transaction.objects.get(txn_type="Refund")
    assert refund_txn.reference == "re_dashboard_1"
    order = Order.objects.get()
    assert order.payment_events.filter(event_type__name="Refunded", amount="10.00").count() == 1
    assert "re_dashboard_1" in order.notes.get().message


def test_charge_without_embedded_refunds_asks_stripe_for_them(client, paid, fake_stripe):
    payment, intent = paid
    assert post_event(client, succeeded_event(intent)).status_code == 200
    fake_stripe.refunds.append(dict(stripe_dashboard_refund(intent, 2500), idempotency_key=None))
    payload = event_payload(
        "charge.refunded", charge_refunded(intent, fake_stripe.refunds, embed=False), event_id="evt_r"
    )
    assert post_event(client, payload).status_code == 200
    assert str(Source.objects.get().amount_refunded) == "25.00"


def test_a_partial_refund_at_stripe_before_placement_refunds_the_rest_and_places_nothing(
    client, paid, fake_stripe, django_capture_on_commit_callbacks
):
    payment, intent = paid
    refund = stripe_dashboard_refund(intent, 500)
    payload = event_payload("charge.refunded", charge_refunded(intent, [refund]), event_id="evt_refund_first")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, payload).status_code == 200
        assert post_event(client, succeeded_event(intent)).status_code == 200
    assert not Order.objects.exists() and not Source.objects.exists()
    payment.refresh_from_db()
    assert (payment.status, payment.unplaced_reason) == (CheckoutPayment.REFUNDED, CheckoutPayment.REFUNDED_AT_STRIPE)
    assert [r["amount"] for r in fake_stripe.refunds] == [intent["amount"] - 500]  # the rest, by the store


def test_a_full_refund_at_stripe_before_placement_never_becomes_an_order(
    client, claw, paid, fake_stripe, django_capture_on_commit_callbacks
):
    """Scenario 2 of the money-integrity issue: Paid 55.94, Refunded 55.94 in Stripe's dashboard
    before the order was placed; payment_intent.succeeded (or its retry) arrives after."""
    payment, intent = paid
    refund = stripe_dashboard_refund(intent, intent["amount"])
    payload = event_payload("charge.refunded", charge_refunded(intent, [refund]), event_id="evt_full_refund")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, payload).status_code == 200
        assert post_event(client, succeeded_event(intent)).status_code == 200
        assert post_event(client, succeeded_event(intent, event_id="evt_retry")).status_code == 200
    assert not Order.objects.exists()
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (CheckoutPayment.REFUNDED, Decimal("55.94"))
    assert not fake_stripe.refunds  # Stripe already gave it back: the store asks for nothing more
    assert claw.stockrecords.get().num_allocated in (0, None)
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.OPEN


def test_the_succeeded_event_alone_sees_a_refund_made_at_stripe(client, claw, paid, fake_stripe):
    """The charge.refunded event may be lost or late: placement asks Stripe for the charge and
    refuses a refunded one, although the intent still says succeeded."""
    payment, intent = paid
    fake_stripe.refunds.append(dict(stripe_dashboard_refund(intent, intent["amount"]), idempotency_key=None))
    assert post_event(client, succeeded_event(intent)).status_code == 200
    assert not Order.objects.exists()
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDED


def test_a_failure_while_handling_is_a_500_and_the_retry_is_processed(client, claw, fake_stripe, monkeypatch):
    from checkout import stripe_gateway

    payment = start_payment_for(claw, 1)
    intent = fake_stripe.succeed(payment.intent_id)

    def unreachable(intent_id):
        raise stripe_gateway.PaymentGatewayError("Stripe is down")

    monkeypatch.setattr(stripe_gateway, "retrieve_payment_intent", unreachable)
    client.raise_request_exception = False
    assert post_event(client, succeeded_event(intent)).status_code == 500
    assert not WebhookEvent.objects.exists()  # not marked processed: Stripe retries
    monkeypatch.setattr(stripe_gateway, "retrieve_payment_intent", fake_stripe.retrieve_payment_intent)
    assert post_event(client, succeeded_event(intent)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED and Order.objects.count() == 1


def test_a_refund_stripe_refuses_leaves_the_payment_refunding_and_the_sweep_finishes_it(
    client, claw, fake_stripe, django_capture_on_commit_callbacks
):
    from checkout import sweep

    payment = start_payment_for(claw, 2)
    get_model("partner", "StockRecord").objects.filter(product=claw).update(num_in_stock=1)
    intent = fake_stripe.succeed(payment.intent_id)
    fake_stripe.fail_refunds = True
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, succeeded_event(intent)).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.unplaced_reason) == (CheckoutPayment.REFUNDING, CheckoutPayment.OUT_OF_STOCK)
    fake_stripe.fail_refunds = False
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = sweep.sweep(now=timezone.now() + timedelta(hours=1))
    assert outcomes == {"refunded": 1}
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDED
    assert len(fake_stripe.refunds) == 1 and not Order.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"x"', "123", "null", "true"])
def test_a_signed_body_that_is_not_an_event_object_is_400(client, db, fake_stripe, body):
    assert post_event(client, body).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_event_id_longer_than_the_column_is_400(client, db, fake_stripe):
    payload = event_payload("plan.created", FIXTURES["plan"], event_id="evt_" + "x" * 300)
    assert post_event(client, payload).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("status", [None, "processing", "requires_payment_method"])
def test_succeeded_event_for_an_intent_that_is_not_succeeded_is_2xx_and_places_nothing(
    client, claw, fake_stripe, status
):
    payment = start_payment_for(claw, 1)
    intent = dict(fake_stripe.intents[payment.intent_id])
    if status is None:
        del intent["status"]
    else:
        intent["status"] = status
    assert post_event(client, succeeded_event(intent)).status_code == 200
    assert not Order.objects.exists()
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PENDING  # the sweep asks Stripe later


def test_succeeded_event_without_amount_places_nothing(client, claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    intent = dict(fake_stripe.succeed(payment.intent_id), latest_charge=None)
    del intent["amount"]
    assert post_event(client, succeeded_event(intent)).status_code == 200
    assert not Order.objects.exists()


def dispute_event(intent, status, event_type, event_id):
    dispute = copy.deepcopy(FIXTURES["dispute"])
    dispute.update(id="dp_test_1", amount=intent["amount"], payment_intent=intent["id"], status=status)
    dispute["reason"] = "fraudulent"
    return event_payload(event_type, dispute, event_id=event_id)


def test_a_dispute_is_noted_on_the_order_mailed_to_staff_and_closed(
    client, paid, django_capture_on_commit_callbacks
):
    from checkout.models import PaymentDispute

    payment, intent = paid
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, succeeded_event(intent)).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = dispute_event(intent, "needs_response", "charge.dispute.created", "evt_dp_1")
        assert post_event(client, created).status_code == 200
    dispute = PaymentDispute.objects.get()
    assert (dispute.amount, dispute.reason, dispute.is_open) == (Decimal("55.94"), "fraudulent", True)
    order = Order.objects.get()
    assert "Chargeback dp_test_1 opened: $55.94" in order.notes.get().message
    [staff_mail] = mail.outbox
    assert staff_mail.to == ["orders@qlclaw.example"] and "Chargeback opened" in staff_mail.subject
    assert order.number in staff_mail.body
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, dispute_event(intent, "lost", "charge.dispute.closed", "evt_dp_2")).status_code == 200
    dispute.refresh_from_db()
    assert dispute.status == "lost" and not dispute.is_open
    assert order.notes.count() == 2 and PaymentDispute.objects.count() == 1


def test_a_dispute_for_another_integrations_payment_is_ignored(client, db, fake_stripe):
    from checkout.models import PaymentDispute

    intent = {"id": "pi_not_ours", "amount": 1000}
    payload = dispute_event(intent, "needs_response", "charge.dispute.created", "evt_x")
    assert post_event(client, payload).status_code == 200
    assert not PaymentDispute.objects.exists()

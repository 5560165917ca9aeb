"""Money under faults, with the real stripe SDK against localstripe.

A fault is injected at each step of the order flow (a worker killed, a Stripe call that never
answers); then the sweep runs, and the books must balance: every paid PaymentIntent has exactly
one order or one full refund, never both, never neither, and the stock allocated is what was
ordered. A worker killed with SIGKILL runs nothing more: here it is a BaseException raised at
the step, which rolls back the open transaction and skips every handler that catches Exception.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from checkout import placement, refunds, stripe_gateway, sweep, webhooks
from checkout.models import CheckoutPayment
from tests.checkout_helpers import event_payload, pay_with, post_event, start_payment_for, stripe_client

pytestmark = pytest.mark.django_db(transaction=True)

Order = get_model("order", "Order")
Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")


class Killed(BaseException):
    """The worker died here: nothing after this point runs, the open transaction rolls back."""


def killed(*args, **kwargs):
    raise Killed


def paid_at_stripe(settings, product, quantity=1):
    payment = start_payment_for(product, quantity)
    pay_with(settings, payment.intent_id)
    return payment


def run_sweep():
    """The periodic sweep, late enough that every payment is due."""
    return sweep.sweep(now=timezone.now() + timedelta(hours=2))


def unbalanced_books():
    """What is wrong with the books (an empty list when they balance)."""
    problems = []
    for payment in CheckoutPayment.objects.all():
        intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
        if intent["status"] != "succeeded":
            continue
        refunded = sum(r["amount"] for r in stripe_gateway.list_refunds(payment.intent_id))
        orders = Order.objects.filter(number=payment.order_number).count()
        if orders and refunded:
            problems.append(f"{payment.intent_id}: an order and {refunded} cents refunded")
        elif not orders and refunded != intent["amount"]:
            problems.append(f"{payment.intent_id}: no order and {refunded} of {intent['amount']} cents refunded")
        elif orders > 1:
            problems.append(f"{payment.intent_id}: {orders} orders")
    for record in StockRecord.objects.all():
        ordered = sum(line.quantity for line in Line.objects.filter(stockrecord=record))
        if (record.num_allocated or 0) != ordered:
            problems.append(f"{record.product}: {record.num_allocated} allocated, {ordered} ordered")
    return problems


def succeeded_webhook(intent_id, event_id):
    """What Stripe posts: the intent with its charge as an id."""
    intent = stripe_gateway.retrieve_payment_intent(intent_id)
    intent["latest_charge"] = stripe_gateway.charge_id(intent)
    payload = event_payload("payment_intent.succeeded", intent, event_id=event_id)
    return post_event(Client(raise_request_exception=False), payload)


def sell_out(product, left):
    StockRecord.objects.filter(product=product).update(num_in_stock=left, num_allocated=0)


def test_killed_after_paying_before_either_door_the_sweep_places_the_order(claw, stripe_settings):
    payment = paid_at_stripe(stripe_settings, claw)  # neither the return nor the webhook arrives
    assert run_sweep() == {"placed": 1}
    assert run_sweep() == {}  # nothing left to do, and nothing done twice
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED
    assert unbalanced_books() == []


def test_killed_inside_placement_the_sweep_places_one_order(claw, stripe_settings, monkeypatch):
    payment = paid_at_stripe(stripe_settings, claw)
    create_order = placement._create_order

    def allocate_then_die(*args):
        create_order(*args)  # order written, stock allocated ...
        raise Killed  # ... and the worker dies before the commit

    monkeypatch.setattr(placement, "_create_order", allocate_then_die)
    with pytest.raises(Killed):
        placement.place_order_for_payment_intent(stripe_gateway.retrieve_payment_intent(payment.intent_id))
    assert not Order.objects.exists() and claw.stockrecords.get().num_allocated in (0, None)
    monkeypatch.setattr(placement, "_create_order", create_order)
    assert run_sweep() == {"placed": 1}
    assert unbalanced_books() == []


def test_a_refund_call_that_never_answers_is_finished_by_the_sweep(claw, stripe_settings, monkeypatch):
    payment = paid_at_stripe(stripe_settings, claw, quantity=2)
    sell_out(claw, 1)

    def never_answers(**kwargs):
        raise stripe_gateway.PaymentGatewayError("Our payment provider could not be reached.")  # the timeout

    monkeypatch.setattr(stripe_gateway, "create_refund", never_answers)
    assert succeeded_webhook(payment.intent_id, "evt_f3").status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDING and not Order.objects.exists()
    monkeypatch.undo()
    assert run_sweep() == {"refunded": 1}
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDED
    assert unbalanced_books() == []


def test_killed_after_the_refund_before_it_is_recorded_refunds_once(claw, stripe_settings, monkeypatch):
    """Scenario 1 of the money-integrity issue, with the worker dying after Stripe refunded: the
    row stays refunding; Stripe's retry of payment_intent.succeeded, with stock back on the
    shelf, places nothing; the sweep records the one refund Stripe made."""
    payment = paid_at_stripe(stripe_settings, claw, quantity=2)
    sell_out(claw, 1)
    create_refund = stripe_gateway.create_refund

    def refund_then_die(**kwargs):
        create_refund(**kwargs)
        raise Killed

    monkeypatch.setattr(stripe_gateway, "create_refund", refund_then_die)
    with pytest.raises(Killed):
        succeeded_webhook(payment.intent_id, "evt_f4")
    monkeypatch.undo()
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDING
    sell_out(claw, 100)  # restocked in between
    assert succeeded_webhook(payment.intent_id, "evt_f4_retry").status_code == 200
    assert not Order.objects.exists()
    assert run_sweep() == {"refunded": 1}
    assert [r["amount"] for r in stripe_gateway.list_refunds(payment.intent_id)] == [9998]
    assert unbalanced_books() == []


def test_killed_before_the_refund_intention_commits_refunds_nothing_and_the_retry_places(
    claw, stripe_settings, monkeypatch
):
    """Scenario 1 with the worker dying before its transaction commits: the refund was not asked
    of Stripe (it waits for the commit), so the retry with stock back places a paid order."""
    payment = paid_at_stripe(stripe_settings, claw, quantity=2)
    sell_out(claw, 1)
    begin = refunds.begin_refund_without_order

    def record_then_die(*args, **kwargs):
        begin(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(refunds, "begin_refund_without_order", record_then_die)
    with pytest.raises(Killed):
        succeeded_webhook(payment.intent_id, "evt_f5")
    monkeypatch.undo()
    assert stripe_gateway.list_refunds(payment.intent_id) == []
    sell_out(claw, 100)
    assert succeeded_webhook(payment.intent_id, "evt_f5_retry").status_code == 200
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.PLACED
    assert run_sweep() == {}
    assert unbalanced_books() == []


def test_killed_before_the_webhook_records_its_event_the_sweep_places(claw, stripe_settings, monkeypatch):
    payment = paid_at_stripe(stripe_settings, claw)
    monkeypatch.setattr(webhooks, "handle_event", killed)
    with pytest.raises(Killed):
        succeeded_webhook(payment.intent_id, "evt_f6")
    monkeypatch.undo()
    assert run_sweep() == {"placed": 1}
    # Stripe's retry of the same event changes nothing.
    assert succeeded_webhook(payment.intent_id, "evt_f6").status_code == 200
    assert Order.objects.count() == 1
    assert unbalanced_books() == []


def test_a_full_refund_in_stripes_dashboard_before_placement_is_never_placed(claw, stripe_settings):
    """Scenario 2: staff refund a paid, unplaced payment in Stripe's dashboard; the delayed
    payment_intent.succeeded and the sweep find the charge refunded and place nothing."""
    payment = paid_at_stripe(stripe_settings, claw)
    stripe_client(stripe_settings).v1.refunds.create(params={"payment_intent": payment.intent_id})
    assert succeeded_webhook(payment.intent_id, "evt_f7").status_code == 200
    assert run_sweep() == {}
    payment.refresh_from_db()
    assert (payment.status, payment.unplaced_reason) == (CheckoutPayment.REFUNDED, CheckoutPayment.REFUNDED_AT_STRIPE)
    assert not Order.objects.exists() and claw.stockrecords.get().num_allocated in (0, None)
    assert unbalanced_books() == []


def test_every_fault_at_once_balances_after_the_sweep(claw, stripe_settings, monkeypatch):
    """Several shoppers, each hit by a different fault, one sweep: the books balance."""
    untouched = paid_at_stripe(stripe_settings, claw)
    placed_by_webhook = paid_at_stripe(stripe_settings, claw)
    assert succeeded_webhook(placed_by_webhook.intent_id, "evt_all_1").status_code == 200
    unpaid = start_payment_for(claw, 1)  # never paid: the sweep leaves it alone
    monkeypatch.setattr(webhooks, "handle_event", killed)
    crashed = paid_at_stripe(stripe_settings, claw)
    with pytest.raises(Killed):
        succeeded_webhook(crashed.intent_id, "evt_all_2")
    monkeypatch.undo()
    outcomes = run_sweep()
    assert outcomes == {"placed": 2, "pending": 1}
    unpaid.refresh_from_db()
    assert unpaid.status == CheckoutPayment.PENDING
    assert Order.objects.count() == 3
    assert {untouched.order_number, placed_by_webhook.order_number, crashed.order_number} == set(
        Order.objects.values_list("number", flat=True)
    )
    assert unbalanced_books() == []

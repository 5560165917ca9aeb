"""place_order_for_payment_intent: one order per payment, the right amount, stock or a refund."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from oscar.core.loading import get_model

from checkout import flow, placement, refunds
from checkout.models import CheckoutPayment
from tests.checkout_helpers import start_payment_for

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
Source = get_model("payment", "Source")
Transaction = get_model("payment", "Transaction")
ShippingAddress = get_model("order", "ShippingAddress")


class ExplodingEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_start_payment_prices_the_basket_on_the_server(claw, fake_stripe):
    payment = start_payment_for(claw, 1)
    assert payment.amount == Decimal("55.94")  # 49.99 + 5.95 standard shipping
    assert fake_stripe.intents[payment.intent_id]["amount"] == 5594
    assert fake_stripe.intents[payment.intent_id]["currency"] == "usd"
    assert payment.shipping_address["state"] == "IL"
    assert payment.order_number == str(100000 + payment.basket_id)
    assert payment.newsletter_opt_in is False


def test_same_basket_and_total_reuses_the_intent_a_new_total_gets_a_new_one(claw, fake_stripe):
    payment = start_payment_for(claw, 1)

    def show_payment_page_again():
        return flow.begin_payment(
            basket=Basket.objects.get(pk=payment.basket_id),
            user=AnonymousUser(),
            email=payment.email,
            shipping_address=ShippingAddress(**payment.shipping_address),
            billing_address=None,
            shipping_method_code="standard",
            order_number=payment.order_number,
            client_ip=None,
        )

    again, intent = show_payment_page_again()
    assert again.pk == payment.pk and intent["id"] == payment.intent_id
    basket = payment.basket
    basket.thaw()
    basket.add_product(claw, 1)
    basket.freeze()
    bigger, intent = show_payment_page_again()
    assert bigger.intent_id != payment.intent_id
    assert (bigger.amount, intent["amount"]) == (Decimal("99.98"), 9998)
    keys = fake_stripe.created_with_keys
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(key.startswith(f"qlclaw-checkout-{basket.id}-") and key.endswith("-usd-0") for key in keys)
    assert "-5594-" in keys[0] and "-9998-" in keys[1]


def test_placing_twice_makes_one_order(claw, fake_stripe, django_capture_on_commit_callbacks):
    payment = start_payment_for(claw, 2)
    intent = fake_stripe.succeed(payment.intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        first = placement.place_order_for_payment_intent(intent)
        second = placement.place_order_for_payment_intent(intent)
    assert first.placed_now and not second.placed_now
    assert first.order == second.order == Order.objects.get()
    order = first.order
    assert order.number == payment.order_number
    assert order.total_incl_tax == Decimal("99.98")
    assert Source.objects.get().amount_debited == Decimal("99.98")
    debit = Transaction.objects.get()
    assert (debit.txn_type, debit.reference) == ("Debit", f"ch_{payment.intent_id}")
    assert order.payment_events.get().reference == payment.intent_id
    assert order.basket.status == Basket.SUBMITTED
    assert claw.stockrecords.get().num_allocated == 2
    assert len(mail.outbox) == 2  # the shopper's confirmation and the staff notification, once
    assert not fake_stripe.refunds


def test_an_unpaid_intent_places_nothing(claw, fake_stripe):
    payment = start_payment_for(claw)
    with pytest.raises(placement.PaymentNotSucceeded):
        placement.place_order_for_payment_intent(fake_stripe.intents[payment.intent_id])
    assert not Order.objects.exists()


def test_an_unknown_intent_places_nothing(db):
    with pytest.raises(placement.UnknownPaymentIntent):
        placement.place_order_for_payment_intent({"id": "pi_someone_else", "status": "succeeded", "amount": 100})


def test_out_of_stock_after_payment_refunds_and_keeps_no_half_order(
    claw, fake_stripe, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 2)
    record = claw.stockrecords.get()
    record.num_in_stock = 1  # someone else bought the rest while this shopper paid
    record.save()
    intent = fake_stripe.succeed(payment.intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(intent)
    assert placed.order is None
    payment.refresh_from_db()
    assert (payment.status, payment.unplaced_reason) == (CheckoutPayment.REFUNDED, CheckoutPayment.OUT_OF_STOCK)
    assert "Only 1 of QL Claw left" in payment.last_error
    [refund] = fake_stripe.refunds
    assert refund["amount"] == 9998 and refund["idempotency_key"] == f"qlclaw-unplaced-{payment.intent_id}"
    assert payment.refund_id == refund["id"]
    assert not Order.objects.exists()
    assert not Source.objects.exists()
    assert claw.stockrecords.get().num_allocated in (0, None)
    assert Basket.objects.get(pk=payment.basket_id).status == Basket.OPEN  # the shopper can adjust it
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("ada@example.com",), ("orders@qlclaw.example",)]
    assert "refunded" in mail.outbox[0].body
    # The return view and the webhook both arrive: still one refund, still no order.
    assert placement.place_order_for_payment_intent(intent).order is None
    assert len(fake_stripe.refunds) == 1


def test_a_paid_amount_that_differs_from_the_total_is_refunded_not_placed(
    claw, fake_stripe, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 1)
    intent = fake_stripe.succeed(payment.intent_id, amount=100)  # $1.00 instead of $55.94
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(intent)
    assert placed.order is None and not Order.objects.exists()
    payment.refresh_from_db()
    assert payment.unplaced_reason == CheckoutPayment.AMOUNT_MISMATCH
    assert fake_stripe.refunds[0]["amount"] == 100


def test_a_price_change_after_payment_is_refunded_not_placed_at_the_wrong_price(
    claw, fake_stripe, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 1)
    record = claw.stockrecords.get()
    record.price = Decimal("59.99")
    record.save()
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    assert placed.order is None and not Order.objects.exists()
    payment.refresh_from_db()
    assert payment.unplaced_reason == CheckoutPayment.AMOUNT_MISMATCH
    assert "$65.94" in payment.last_error
    assert fake_stripe.refunds[0]["amount"] == 5594


def test_a_second_payment_for_an_ordered_basket_is_refunded(claw, fake_stripe, django_capture_on_commit_callbacks):
    payment = start_payment_for(claw, 1)
    placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    second = CheckoutPayment.objects.create(
        **{
            field.name: getattr(payment, field.name)
            for field in CheckoutPayment._meta.concrete_fields
            if field.name not in ("id", "intent_id", "order", "status")
        },
        intent_id="pi_second_tab",
    )
    fake_stripe.intents["pi_second_tab"] = dict(fake_stripe.intents[payment.intent_id], id="pi_second_tab")
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(fake_stripe.intents["pi_second_tab"])
    assert placed.order is None
    second.refresh_from_db()
    assert second.unplaced_reason == CheckoutPayment.DUPLICATE
    assert Order.objects.count() == 1
    assert [r["payment_intent"] for r in fake_stripe.refunds] == ["pi_second_tab"]


def test_a_failed_refund_leaves_the_payment_refunding_for_the_sweep(
    claw, fake_stripe, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 2)
    StockRecordModel = get_model("partner", "StockRecord")
    StockRecordModel.objects.filter(product=claw).update(num_in_stock=1)
    fake_stripe.fail_refunds = True
    intent = fake_stripe.succeed(payment.intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        placement.place_order_for_payment_intent(intent)
    payment.refresh_from_db()
    # The intention is recorded: never an order for this payment, whatever arrives next.
    assert (payment.status, payment.refund_amount) == (CheckoutPayment.REFUNDING, Decimal("99.98"))
    StockRecordModel.objects.filter(product=claw).update(num_in_stock=10)
    assert placement.place_order_for_payment_intent(intent).order is None
    fake_stripe.fail_refunds = False
    with django_capture_on_commit_callbacks(execute=True):
        refunds.finish_refund_without_order(payment.pk)
        refunds.finish_refund_without_order(payment.pk)
    payment.refresh_from_db()
    assert payment.status == CheckoutPayment.REFUNDED
    assert [r["amount"] for r in fake_stripe.refunds] == [9998]
    assert not Order.objects.exists()


def test_email_failure_after_payment_keeps_the_order_and_charges_nothing_more(
    claw, fake_stripe, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.unit.test_checkout_placement.ExplodingEmailBackend"
    payment = start_payment_for(claw, 1)
    intent = fake_stripe.succeed(payment.intent_id)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        placement.place_order_for_payment_intent(intent)
    assert callbacks  # the mail was attempted, after the order was written
    with django_capture_on_commit_callbacks(execute=True):
        placement.place_order_for_payment_intent(intent)  # the webhook, arriving after
    assert Order.objects.count() == 1
    assert CheckoutPayment.objects.get().status == CheckoutPayment.PLACED
    assert not fake_stripe.refunds
    assert len(fake_stripe.created_with_keys) == 1


@pytest.fixture
def subscriptions(monkeypatch):
    import newsletter.services

    calls = []
    monkeypatch.setattr(newsletter.services, "request_subscription", lambda email, **kw: calls.append((email, kw)))
    return calls


def test_newsletter_opt_in_is_passed_on_after_the_order(
    claw, fake_stripe, subscriptions, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 1)
    flow.prepare_payment(payment, marketing_opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    assert subscriptions == [("ada@example.com", {"source": "checkout", "ip": "127.0.0.1"})]


def test_no_newsletter_without_opt_in(claw, fake_stripe, subscriptions, django_capture_on_commit_callbacks):
    payment = start_payment_for(claw, 1)
    with django_capture_on_commit_callbacks(execute=True):
        placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    assert subscriptions == []


@pytest.fixture
def without_newsletter_receiver():
    """As if the newsletter app were not installed: nobody listens to the checkout's signal."""
    from checkout.signals import order_paid
    from newsletter.receivers import subscribe_after_checkout

    order_paid.disconnect(dispatch_uid="newsletter-subscribe-after-checkout")
    yield
    order_paid.connect(subscribe_after_checkout, dispatch_uid="newsletter-subscribe-after-checkout")


def test_without_the_newsletter_app_the_order_is_still_placed(
    claw, fake_stripe, subscriptions, without_newsletter_receiver, django_capture_on_commit_callbacks
):
    payment = start_payment_for(claw, 1)
    flow.prepare_payment(payment, marketing_opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    assert placed.order is not None
    assert subscriptions == []


def test_a_failing_newsletter_never_undoes_the_order(
    claw, fake_stripe, monkeypatch, django_capture_on_commit_callbacks
):
    import newsletter.services

    def explode(email, **kwargs):
        raise RuntimeError("newsletter down")

    monkeypatch.setattr(newsletter.services, "request_subscription", explode)
    payment = start_payment_for(claw, 1)
    flow.prepare_payment(payment, marketing_opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        placed = placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id))
    assert placed.order is not None
    assert Order.objects.filter(number=payment.order_number).exists()


def test_order_email_links_start_from_site_url(claw, fake_stripe, settings, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    # What `make run PORT=8123` gives: SITE_URL, the scheme Oscar's emails use, and the Site's
    # domain, which setup_store writes on every run.
    settings.SITE_URL, settings.OSCAR_URL_SCHEMA = "http://127.0.0.1:8123", "http"
    call_command("setup_store", verbosity=0)
    payment = start_payment_for(claw, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order = placement.place_order_for_payment_intent(fake_stripe.succeed(payment.intent_id)).order
    confirmation = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    status_link = f"http://127.0.0.1:8123/accounts/order-status/{order.number}/{order.verification_hash()}/"
    assert status_link in confirmation.body
    staff = next(m for m in mail.outbox if m.to == ["orders@qlclaw.example"])
    assert f"http://127.0.0.1:8123/dashboard/orders/{order.number}/" in staff.body

"""Fulfilment's steps one by one (fulfilment.services): statuses, stock figures, refunds, emails."""

from decimal import Decimal

import pytest
from django.core import mail
from oscar.core.loading import get_model
from oscar.test.factories import create_basket, create_order

from checkout import refunds
from fulfilment import emails, services, statuses
from fulfilment.models import Shipment
from tests.fixtures.fulfilment import Stock, stock_of

pytestmark = pytest.mark.django_db

OrderNote = get_model("order", "OrderNote")
StockAlert = get_model("partner", "StockAlert")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (emails) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ship(order, number="1Z999AA10123456784", carrier="ups", **kwargs):
    return services.ship_order(order, carrier=carrier, tracking_number=number, **kwargs)


def test_an_order_is_paid_when_placed(paid_order, claw):
    assert paid_order.status == statuses.PAID
    assert {line.status for line in paid_order.lines.all()} == {statuses.PAID}
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)


def test_shipping_consumes_the_allocation_and_tells_the_customer(paid_order, claw, staff_user, on_commit):
    with on_commit():
        shipment = ship(paid_order, "1z 999 aa1-0123456784", user=staff_user)

    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.SHIPPED
    line = paid_order.lines.get()
    assert (line.status, line.num_allocated) == (statuses.SHIPPED, 0)
    assert shipment.tracking_number == "1Z999AA10123456784"  # spaces and dashes dropped, upper case
    assert shipment.tracking_url == "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"
    assert shipment.event.event_type.name == "Shipped"
    assert shipment.event.line_quantities.get().quantity == 1
    assert paid_order.shipping_status == "Shipped"  # Oscar's own reading of its events
    assert "Shipped with UPS, tracking number 1Z999AA10123456784." in paid_order.notes.get().message
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == f"Your QL Claw order {paid_order.number} is on its way"
    assert "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784" in message.body
    assert "Tracking number: 1Z999AA10123456784" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://www.ups.com/track?loc=en_US&amp;tracknum=1Z999AA10123456784"' in html
    assert paid_order.communication_events.get().event_type.code == emails.SHIPPED


def test_shipping_twice(paid_order, claw):
    ship(paid_order)
    with pytest.raises(services.AlreadyDone):
        ship(paid_order)
    with pytest.raises(services.FulfilmentError, match="has already shipped .UPS 1Z999AA10123456784"):
        ship(paid_order, "9400111899223100000000", carrier="usps")
    assert Shipment.objects.count() == 1
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)


@pytest.mark.parametrize(
    "number, message",
    [
        ("<script>alert(1)</script>", "only letters and digits"),
        ("A" * 500, "at most 34 letters and digits; this one has 500"),
        ("12345", "at least 8"),
        ("", "Enter the tracking number"),
    ],
)
def test_a_bad_tracking_number_changes_nothing(paid_order, claw, number, message):
    with pytest.raises(services.FulfilmentError, match=message):
        ship(paid_order, number)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID
    assert not Shipment.objects.exists() and not paid_order.shipping_events.exists()
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)


def test_another_carrier_needs_a_plain_name(paid_order):
    with pytest.raises(services.FulfilmentError, match="Name the carrier"):
        ship(paid_order, carrier="other")
    with pytest.raises(services.FulfilmentError, match="letters, digits"):
        ship(paid_order, carrier="other", carrier_name="<b>Evil</b>")
    shipment = ship(paid_order, carrier="other", carrier_name="OnTrac")
    assert (shipment.carrier_display, shipment.tracking_url) == ("OnTrac", "")


def test_a_shelf_count_below_the_allocation_refuses_shipping(paid_order, claw):
    """Staff counted the shelf and typed 0 while an order still holds a unit: say so, change nothing."""
    claw.stockrecords.update(num_in_stock=0)
    with pytest.raises(services.FulfilmentError, match="shows 0 in stock and 1 allocated"):
        ship(paid_order)
    assert stock_of(claw) == Stock(in_stock=0, allocated=1)
    assert not paid_order.shipping_events.exists()


def test_cancelling_releases_the_stock_and_refunds_the_payment(paid_order, claw, fake_stripe, staff_user, on_commit):
    with on_commit():
        cancellation = services.cancel_order(paid_order, user=staff_user, reason="Out of the delivery area")

    assert cancellation.refunded == Decimal("55.94")
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.CANCELLED
    assert paid_order.lines.get().status == statuses.CANCELLED
    assert [r["amount"] for r in fake_stripe.refunds] == [5594]
    assert fake_stripe.refunds[0]["idempotency_key"].endswith(f"-cancel-{paid_order.number}-5594")
    assert paid_order.sources.get().amount_refunded == Decimal("55.94")
    [message] = mail.outbox  # the cancellation's email says the refund too: not a second email
    assert message.subject == f"Your QL Claw order {paid_order.number} has been cancelled"
    assert "We have refunded $55.94" in message.body
    assert "Why: Out of the delivery area" in message.body
    with pytest.raises(services.FulfilmentError, match="is Cancelled: it cannot be cancelled"):
        services.cancel_order(paid_order, user=staff_user)
    with pytest.raises(services.FulfilmentError, match="is Cancelled: it cannot be shipped"):
        ship(paid_order)


def test_stripe_refusing_the_refund_leaves_the_order_as_it_was(paid_order, claw, fake_stripe, staff_user, on_commit):
    fake_stripe.fail_refunds = True
    with on_commit(), pytest.raises(services.FulfilmentError, match="Stripe did not refund .* so it was not cancelled"):
        services.cancel_order(paid_order, user=staff_user)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)
    assert not mail.outbox


def test_cancelling_an_order_not_paid_through_the_checkout(claw, staff_user, on_commit):
    basket = create_basket(empty=True)
    basket.add_product(claw)
    order = create_order(basket=basket, guest_email="bo@example.com")
    assert (order.status, stock_of(claw)) == (statuses.PAID, Stock(in_stock=100, allocated=1))
    with on_commit():
        cancellation = services.cancel_order(order, user=staff_user)
    assert cancellation.refunded is None
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    assert "If you were charged for it, we will refund you" in mail.outbox[0].body


def test_a_full_refund_before_shipping_releases_the_stock(paid_order, claw, staff_user, on_commit):
    with on_commit():
        refunds.refund_order(paid_order, Decimal("55.94"), user=staff_user, token="t1")
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.REFUNDED
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    [message] = mail.outbox
    assert message.subject == f"We refunded $55.94 for your QL Claw order {paid_order.number}"
    assert "That is the whole order" in message.body


def test_a_partial_refund_keeps_the_order_going(paid_order, claw, staff_user, on_commit):
    with on_commit():
        refunds.refund_order(paid_order, Decimal("10.00"), user=staff_user, token="t1")
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID
    assert stock_of(claw) == Stock(in_stock=100, allocated=1)
    assert "This is a partial refund" in mail.outbox[0].body
    assert paid_order.notes.count() == 1  # the checkout's own note, nothing more


def test_a_refund_made_in_stripes_dashboard_releases_the_stock_too(paid_order, claw, fake_stripe):
    refund = fake_stripe.create_refund(
        intent_id=paid_order.checkout_payment.intent_id, amount_cents=5594, idempotency_key="dashboard"
    )
    charge = {"payment_intent": paid_order.checkout_payment.intent_id, "refunds": {"data": [refund], "has_more": False}}
    assert refunds.record_refunds_for_charge(charge) == 1
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.REFUNDED
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)


def test_a_return_puts_items_back_only_when_staff_say_so(place_order, claw, staff_user, on_commit):
    order = place_order(quantity=3)
    ship(order)
    assert stock_of(claw) == Stock(in_stock=97, allocated=0)
    line = order.lines.get()

    services.record_return(order, [(line, 1)], restock=False, user=staff_user)
    assert stock_of(claw) == Stock(in_stock=97, allocated=0)
    order.refresh_from_db()
    assert order.status == statuses.SHIPPED  # two still with the customer

    with on_commit():
        services.record_return(
            order, [(line, 2)], restock=True, user=staff_user, refund_amount=Decimal("20.00"), refund_token="r1"
        )
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    order.refresh_from_db()
    assert order.status == statuses.RETURNED
    assert "This is a partial refund" in mail.outbox[-1].body

    with pytest.raises(services.FulfilmentError, match="0 can be returned, not 1"):
        services.record_return(order, [(line, 1)], restock=True, user=staff_user)


def test_a_return_refunded_in_full_ends_refunded(paid_order, claw, fake_stripe, staff_user):
    ship(paid_order)
    services.mark_delivered(paid_order)
    services.record_return(
        paid_order,
        [(paid_order.lines.get(), 1)],
        restock=True,
        user=staff_user,
        refund_amount=Decimal("55.94"),
        refund_token="r1",
    )
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.REFUNDED
    assert stock_of(claw) == Stock(in_stock=100, allocated=0)
    assert [r["amount"] for r in fake_stripe.refunds] == [5594]


def test_a_refused_refund_records_no_return(paid_order, claw, fake_stripe, staff_user):
    ship(paid_order)
    fake_stripe.fail_refunds = True
    with pytest.raises(services.FulfilmentError, match="nothing was recorded"):
        services.record_return(
            paid_order, [(paid_order.lines.get(), 1)], restock=True, user=staff_user, refund_amount=Decimal("5"),
            refund_token="r",
        )
    assert stock_of(claw) == Stock(in_stock=99, allocated=0)
    assert not paid_order.shipping_events.filter(event_type__name="Returned").exists()


def test_an_unshipped_order_cannot_be_returned(paid_order, staff_user):
    with pytest.raises(services.FulfilmentError, match="has not shipped: cancel it instead"):
        services.record_return(paid_order, [(paid_order.lines.get(), 1)], restock=True, user=staff_user)


@pytest.mark.parametrize(
    "status, message",
    [
        ("Lost in space", "'Lost in space' is not an order status"),
        ("<b>x</b>", "'<b>x</b>' is not an order status"),
        ("Delivered", "is Paid: it can become Processing, Shipped, Cancelled or Refunded, not Delivered"),
        ("Shipped", "ship it with its carrier and tracking number"),
        ("Refunded", "refund it on its page's Payment tab"),
        ("Paid", "is Paid already"),
    ],
)
def test_the_status_change_refuses_what_the_pipeline_does_not_allow(paid_order, status, message):
    with pytest.raises(services.FulfilmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.change_status(paid_order, status)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.PAID


def test_processing_then_delivered_only_after_shipping(paid_order, on_commit):
    services.change_status(paid_order, statuses.PROCESSING)
    with pytest.raises(services.FulfilmentError, match="is Processing: it can become Shipped, Cancelled or Refunded"):
        services.change_status(paid_order, statuses.DELIVERED)
    ship(paid_order)
    with on_commit():
        services.change_status(paid_order, statuses.DELIVERED)
    paid_order.refresh_from_db()
    assert paid_order.status == statuses.DELIVERED
    assert [c.new_status for c in paid_order.status_changes.order_by("pk")] == ["Processing", "Shipped", "Delivered"]
    assert mail.outbox[-1].subject == f"Your QL Claw order {paid_order.number} has been delivered"


def low_stock_emails():
    return [m for m in mail.outbox if m.subject.startswith("Low stock")]


def test_staff_hear_once_when_stock_falls_below_its_threshold(place_order, claw, settings, on_commit):
    settings.STORE_STAFF_EMAILS = ["stock@qlclaw.example"]
    claw.stockrecords.update(num_in_stock=12, low_stock_threshold=10)
    with on_commit():
        place_order(quantity=2)  # 10 left to sell: not below 10
    assert not low_stock_emails()
    with on_commit():
        place_order(quantity=1)  # 9: crossed
    with on_commit():
        place_order(quantity=1)  # 8: still below, no second email
    [alert] = low_stock_emails()
    assert alert.to == ["stock@qlclaw.example"]
    assert alert.subject == "Low stock: 9 of QL Claw left to sell"
    assert "/dashboard/catalogue/products/" in alert.body
    assert StockAlert.objects.filter(status=StockAlert.OPEN).count() == 1

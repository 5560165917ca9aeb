"""What placing an order costs the database: the placement, its stock allocation and everything it
does after the commit (the two emails, the counters, the cart reminder), counted, so that a change
that adds a query to every order shows here. And the back-in-stock alerts an allocation no longer
checks still go out when stock comes back."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from tests.checkout_helpers import start_payment_for

ProductAlert = get_model("customer", "ProductAlert")
StockRecord = get_model("partner", "StockRecord")

# Measured on SQLite, a shop's second order: 57 before pricing read the lines with their product
# class and stock record (checkout/pricing.py, shop/apps/partner/strategy.py), 55 after; the emails
# reading the order once and allocations checking no back-in-stock alert had saved 10 before that.
PLACEMENT_QUERIES = 55


def test_an_order_with_its_emails_and_counters_stays_within_its_query_budget(
    claw, fake_stripe, django_capture_on_commit_callbacks
):
    from checkout import placement

    # A first order makes the rows every later one reuses (payment source and event types, the
    # product's counters) and fills the per-process caches (the Site): the second is measured.
    first = start_payment_for(claw, 1, email="first@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        placement.place_order_for_payment_intent(fake_stripe.succeed(first.intent_id))
    payment = start_payment_for(claw, 1, email="budget@example.com")
    intent = fake_stripe.succeed(payment.intent_id)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            order = placement.place_order_for_payment_intent(intent).order
    assert order is not None
    assert [m.to for m in mail.outbox if "budget@example.com" in m.to], "the confirmation email was sent"
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "customer_productalert" in s], "an allocation checks no back-in-stock alert"
    assert len(sql) <= PLACEMENT_QUERIES, "\n".join(sql)


def test_a_restock_still_sends_the_back_in_stock_alert(claw, customer):
    record = StockRecord.objects.get(product=claw)
    record.num_in_stock = record.num_allocated or 0  # sold out
    record.save()
    alert = ProductAlert.objects.create(product=claw, user=customer, status=ProductAlert.ACTIVE)
    mail.outbox.clear()

    record.refresh_from_db()
    record.num_in_stock += 5
    record.save()

    [message] = [m for m in mail.outbox if m.to == [customer.email]]
    assert claw.get_title() in message.body
    alert.refresh_from_db()
    assert alert.status == ProductAlert.CLOSED


def test_an_order_sends_no_alert_even_with_alerts_waiting(claw, customer, place_order):
    alert = ProductAlert.objects.create(product=claw, user=customer, status=ProductAlert.ACTIVE)
    mail.outbox.clear()
    place_order()
    assert not [m for m in mail.outbox if m.to == [customer.email]]
    alert.refresh_from_db()
    assert alert.status == ProductAlert.ACTIVE

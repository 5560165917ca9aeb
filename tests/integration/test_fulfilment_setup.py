"""What setup_store and seed_demo set up for fulfilment: the customer emails staff can reword, the
shipping methods' delivery times, and (demo mode only) orders to ship."""

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from fulfilment import emails, statuses
from tests.fixtures.fulfilment import Stock, stock_of

pytestmark = pytest.mark.django_db

CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderAndItemCharges = get_model("shipping", "OrderAndItemCharges")
Order = get_model("order", "Order")


def setup_store():
    call_command("setup_store", verbosity=0)


def test_setup_store_creates_the_order_emails_with_their_wording():
    setup_store()
    types = {t.code: t for t in CommunicationEventType.objects.filter(code__in=emails.EVENT_TYPES)}
    assert set(types) == set(emails.EVENT_TYPES)
    shipped = types[emails.SHIPPED]
    assert shipped.category == CommunicationEventType.ORDER_RELATED
    assert "{{ shipment.tracking_url }}" in shipped.email_body_template
    assert "url=shipment.tracking_url" in shipped.email_body_html_template  # the button include
    assert shipped.email_subject_template.startswith("{% autoescape off %}Your {{ site.name }} order")
    assert shipped.sms_template is None  # Oscar cannot send text messages


def test_setup_store_keeps_what_staff_wrote():
    setup_store()
    CommunicationEventType.objects.filter(code=emails.DELIVERED).update(email_subject_template="It's there!")
    setup_store()
    assert CommunicationEventType.objects.get(code=emails.DELIVERED).email_subject_template == "It's there!"
    assert CommunicationEventType.objects.filter(code__in=emails.EVENT_TYPES).count() == 4


def test_shipping_methods_have_their_delivery_time():
    setup_store()
    standard = OrderAndItemCharges.objects.get(code="standard")
    assert (standard.title, standard.delivery_time) == ("Standard shipping", "3-5 business days")
    assert standard.name == "Standard shipping (3-5 business days)"  # what checkout shows and orders record


def test_seed_demo_places_orders_to_ship_in_demo_mode_only(settings, seeded, claw):
    assert not Order.objects.exists()  # the tests' settings are not demo mode
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    orders = list(Order.objects.order_by("number"))
    assert len(orders) == 3
    assert {order.status for order in orders} == {statuses.PAID}
    assert all(order.checkout_payment.intent_id.startswith("demo_") for order in orders)
    assert stock_of(claw) == Stock(in_stock=100, allocated=4)
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Order.objects.count() == 3

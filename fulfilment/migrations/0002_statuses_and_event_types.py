"""The shipping event types fulfilment records, and a status for orders placed before there was a
pipeline (Oscar left them blank, and a blank status can go nowhere)."""

from django.db import migrations

EVENT_TYPES = [("Shipped", "shipped"), ("Delivered", "delivered"), ("Returned", "returned")]


def forwards(apps, schema_editor):
    ShippingEventType = apps.get_model("order", "ShippingEventType")
    for name, code in EVENT_TYPES:
        if not ShippingEventType.objects.filter(name=name).exists():
            ShippingEventType.objects.create(name=name, code=code)
    Order = apps.get_model("order", "Order")
    Line = apps.get_model("order", "Line")
    Order.objects.filter(status="").update(status="Paid")
    Line.objects.filter(status="").update(status="Paid")


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0001_initial"), ("order", "0021_billingaddress_code_shippingaddress_code")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

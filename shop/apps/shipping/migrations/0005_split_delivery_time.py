"""Methods named "Standard shipping (3-5 business days)" get that delivery time in its own field;
the name stays what shoppers see and what orders record."""

import re

from django.db import migrations

DELIVERY_TIME = re.compile(r"^.+ \(([^()]{1,40})\)$")


def forwards(apps, schema_editor):
    OrderAndItemCharges = apps.get_model("shipping", "OrderAndItemCharges")
    for method in OrderAndItemCharges.objects.filter(delivery_time=""):
        match = DELIVERY_TIME.match(method.name)
        if match:
            method.delivery_time = match.group(1)
            method.save(update_fields=["delivery_time"])


class Migration(migrations.Migration):
    dependencies = [("shipping", "0004_orderanditemcharges_delivery_time")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

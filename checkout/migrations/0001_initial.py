"""The payment tables, now the checkout app's.

They were the `payments` app's (payments_checkoutpayment, payments_webhookevent) before checkout
and payment became one app. A database made before the move has them: they are renamed and keep
every row. A new database gets them created. Either way the model state is the same.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ["WebhookEvent", "CheckoutPayment"]


def create_or_adopt(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in MODELS:
        model = apps.get_model("checkout", name)
        old_table = f"payments_{name.lower()}"
        if old_table in existing:
            schema_editor.alter_db_table(model, old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)


def drop(apps, schema_editor):
    for name in reversed(MODELS):
        schema_editor.delete_model(apps.get_model("checkout", name))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('basket', '0012_line_code'),
        ('order', '0021_billingaddress_code_shippingaddress_code'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event_id', models.CharField(max_length=255, unique=True)),
                        ('type', models.CharField(max_length=100)),
                        ('date_received', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'ordering': ['-date_received'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckoutPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('intent_id', models.CharField(help_text="Stripe's pi_… id, or demo_… in demo mode.", max_length=255, unique=True, verbose_name='PaymentIntent id')),
                        ('order_number', models.CharField(max_length=128)),
                        ('amount', models.DecimalField(decimal_places=2, help_text='The total the server computed; the PaymentIntent is for this.', max_digits=12)),
                        ('currency', models.CharField(help_text="ISO code in Stripe's lower case, e.g. usd.", max_length=3)),
                        ('email', models.EmailField(max_length=254)),
                        ('shipping_address', models.JSONField(help_text="Fields of the order's ShippingAddress.")),
                        ('billing_address', models.JSONField(blank=True, null=True)),
                        ('shipping_method_code', models.CharField(max_length=128)),
                        ('shipping_charge_excl_tax', models.DecimalField(decimal_places=2, max_digits=12)),
                        ('shipping_charge_incl_tax', models.DecimalField(decimal_places=2, max_digits=12)),
                        ('newsletter_opt_in', models.BooleanField(default=False)),
                        ('client_ip', models.GenericIPAddressField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('pending', 'Waiting for payment'), ('placed', 'Order placed'), ('refunded', 'Paid, then refunded without an order')], default='pending', max_length=20)),
                        ('unplaced_reason', models.CharField(blank=True, choices=[('out_of_stock', 'Stock ran out between payment and placement'), ('amount_mismatch', 'The amount paid differs from the basket total'), ('duplicate', 'The basket had already been ordered with another payment')], max_length=20)),
                        ('refund_id', models.CharField(blank=True, help_text='The automatic refund when no order was placed.', max_length=255)),
                        ('last_error', models.TextField(blank=True, help_text="Stripe's message for the last failed attempt.")),
                        ('date_created', models.DateTimeField(auto_now_add=True)),
                        ('date_updated', models.DateTimeField(auto_now=True)),
                        ('basket', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkout_payments', to='basket.basket')),
                        ('order', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checkout_payment', to='order.order')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-date_created'],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_or_adopt, drop),
    ]

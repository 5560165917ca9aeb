from django.apps import AppConfig


class TaxConfig(AppConfig):
    """US sales tax: the rates staff keep, the one module that decides the tax (service.py over
    backends.py), what each order was charged and refunded, and the report (docs/tax.md)."""

    name = "tax"
    verbose_name = "Sales tax"
    default_auto_field = "django.db.models.BigAutoField"

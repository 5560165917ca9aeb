from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    """After an order is placed: statuses, shipping with tracking, stock consumption and release,
    returns, and the emails that tell the customer (docs/fulfilment.md)."""

    name = "fulfilment"
    verbose_name = "Fulfilment"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from fulfilment import receivers  # noqa: F401  (connects the signal receivers)

from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # Registers the system checks, subscribes shoppers who opted in at checkout, and hears the
        # email provider's bounces and complaints (anymail's tracking signal).
        from . import checks, receivers, webhooks  # noqa: F401

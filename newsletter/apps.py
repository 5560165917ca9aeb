from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # Registers the system checks, and subscribes shoppers who opted in at checkout.
        from . import checks, receivers  # noqa: F401

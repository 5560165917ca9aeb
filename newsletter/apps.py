from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from . import receivers  # noqa: F401  (subscribes shoppers who opted in at checkout)

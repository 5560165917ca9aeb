from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Shipping, returns, FAQ, about and contact pages; the store's terms as data (policy.py)."""

    name = "support"
    verbose_name = "Support pages"

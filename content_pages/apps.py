from django.apps import AppConfig


class ContentPagesConfig(AppConfig):
    name = "content_pages"
    verbose_name = "Content pages"
    default_auto_field = "django.db.models.BigAutoField"

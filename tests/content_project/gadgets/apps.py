from django.apps import AppConfig


class GadgetsConfig(AppConfig):
    name = "tests.content_project.gadgets"
    label = "gadgets"
    default_auto_field = "django.db.models.AutoField"

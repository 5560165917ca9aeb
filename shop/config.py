from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save


class ShopConfig(AppConfig):
    name = "shop"
    label = "shop"

    def ready(self):
        from .pagecache import bump_page_version

        # Any change to what the cached pages show makes every cached page stale.
        for label in settings.PAGE_CACHE_APPS:
            for model in apps.get_app_config(label).get_models():
                uid = f"pagecache-{model._meta.label_lower}"
                post_save.connect(bump_page_version, sender=model, dispatch_uid=f"{uid}-save")
                post_delete.connect(bump_page_version, sender=model, dispatch_uid=f"{uid}-delete")

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save


class ShopConfig(AppConfig):
    name = "shop"
    label = "shop"

    def ready(self):
        from . import csrf_tokens
        from .pagecache import bump_page_version
        from .pagedeps import connect_page_dependencies

        csrf_tokens.install()  # a CSRF secret from one read of the random source, not 32 (shop/csrf_tokens.py)

        connect_page_dependencies()  # what a page is rendered from: the rows it loads name their tags
        # A change to what the cached pages show makes the pages that show it stale (shop/pagedeps.py).
        for label in settings.PAGE_CACHE_APPS:
            for model in apps.get_app_config(label).get_models():
                uid = f"pagecache-{model._meta.label_lower}"
                post_save.connect(bump_page_version, sender=model, dispatch_uid=f"{uid}-save")
                post_delete.connect(bump_page_version, sender=model, dispatch_uid=f"{uid}-delete")

from django.apps import AppConfig


class ContentPagesConfig(AppConfig):
    name = "content_pages"
    verbose_name = "Content pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import models
        from .cache import bump_content_version

        for model in (
            models.Article, models.Citation, models.TutorialVideo, models.ArticleProduct,
            models.ArticleVideo, models.ProductVideo, models.VideoPlacement,
        ):
            uid = f"content-version-{model.__name__}"
            post_save.connect(bump_content_version, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"{uid}-delete")

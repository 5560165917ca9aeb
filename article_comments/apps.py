from django.apps import AppConfig


class ArticleCommentsConfig(AppConfig):
    name = "article_comments"
    label = "article_comments"
    verbose_name = "Article comments"
    default_auto_field = "django.db.models.BigAutoField"

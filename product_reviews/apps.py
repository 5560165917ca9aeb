from django.apps import AppConfig


class ProductReviewsConfig(AppConfig):
    name = "product_reviews"
    verbose_name = "Review requests"
    default_auto_field = "django.db.models.BigAutoField"

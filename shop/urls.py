from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.static import serve

from shop import views
from shop.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("content_pages.urls")),
    path("dashboard/content/", apps.get_app_config("content_pages_dashboard").urls),
    path("newsletter/", include("newsletter.urls")),
    path("", include("support.urls")),  # /shipping/ /returns/ /faq/ /about/ /contact/
    path("dashboard/store-pages/", apps.get_app_config("support_dashboard").urls),
    path("dashboard/newsletter/", apps.get_app_config("newsletter_dashboard").urls),
    path("dashboard/payments/", apps.get_app_config("checkout_dashboard").urls),
    path("dashboard/tax/", apps.get_app_config("tax_dashboard").urls),
    path("", include("checkout.urls")),  # the Stripe webhook and dashboard refunds
    path("", include("article_comments.urls")),
    path("", include("product_reviews.urls")),
    path("dashboard/comments/", apps.get_app_config("article_comments_dashboard").urls),
    path("", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_MEDIA:
    # One-machine deploys without a web server in front (make prod-local): Django serves the
    # uploads. Behind nginx or with S3 storage this stays off.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"

from django.apps import apps
from django.urls import include, path

urlpatterns = [path("", include("content_pages.urls"))]

if apps.is_installed("oscar"):
    urlpatterns += [
        path("dashboard/content/", apps.get_app_config("content_pages_dashboard").urls),
        path("", include(apps.get_app_config("oscar").urls[0])),
    ]
else:
    from .gadgets.views import gadget_detail

    urlpatterns += [path("gadgets/<int:pk>/", gadget_detail, name="gadget-detail")]

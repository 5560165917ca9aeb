"""content_pages in a project without Oscar: its products are a plain model with a title and
get_absolute_url() (gadgets.Gadget). No dashboard here: that part of the app is an Oscar
dashboard section."""

from .common_settings import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "sorl.thumbnail",
    "content_pages",
    "tests.content_project.gadgets",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
CONTENT_PAGES_PRODUCT_MODEL = "gadgets.Gadget"

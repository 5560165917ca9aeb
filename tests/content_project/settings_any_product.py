"""content_pages in a project without Oscar: its products are a plain model with a title and
get_absolute_url() (gadgets.Gadget). No dashboard here: that part of the app is an Oscar
dashboard section."""

import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "content-project-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "tests.content_project.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = tempfile.mkdtemp(prefix="content-project-media-")

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
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

CONTENT_PAGES_PRODUCT_MODEL = "gadgets.Gadget"
CONTENT_PAGES_VIDEO_SHOWN = "tests.content_project.hooks.video_shown"

"""Production: every secret comes from the environment, with no default, or the process stops."""

import copy

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
for _name in ("SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
    if not globals()[_name].strip():
        raise ImproperlyConfigured(f"{_name} is set but empty; production needs a real value.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the store's host(s) in production.")
# The store's public https address: the Site's domain and every link in an email start from it
# (shop/links.py). Its host must be in ALLOWED_HOSTS too (system check newsletter.W001).
SITE_URL = env("SITE_URL").rstrip("/")
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(f"SITE_URL must be the store's https:// address in production, not {SITE_URL!r}.")
# CAN-SPAM: the store's real postal address in every marketing email. No demo default here; without
# it campaigns refuse to send and the dashboard's Campaigns page says so.
NEWSLETTER_POSTAL_ADDRESS = env("NEWSLETTER_POSTAL_ADDRESS", default="")

# Redis is shared by every gunicorn worker and every app server: the cache, the sessions and the
# rate limits (django-ratelimit counts in the default cache) must be, or each worker counts alone.
CACHES = {
    "default": {
        "BACKEND": "shop.cache.StoreRedisCache",
        "LOCATION": env("REDIS_URL"),
        "KEY_PREFIX": "qlclaw",
    }
}
# The email queue (shop/mail.py) lives in Redis too, so any app server may queue and any worker
# (`manage.py run_huey`, docs/deploy.md) deliver. HUEY_REDIS_URL can put it in a Redis database of its
# own, out of reach of a cache.clear() (FLUSHDB) on the cache's database.
HUEY = {
    **HUEY,  # noqa: F405
    "huey_class": "huey.RedisHuey",
    "url": env("HUEY_REDIS_URL", default=env("REDIS_URL")),
    "consumer": {**HUEY["consumer"], "workers": env.int("HUEY_WORKERS", default=2)},  # noqa: F405
}
del HUEY["filename"]

# Sessions live in PostgreSQL only (Django's default engine), never in Redis: a Redis restart or
# outage logs nobody out and loses no checkout in progress, and no worker can read a copy older than
# the database's (a read-through cache did that to shoppers in the seconds after an outage, when
# workers' cache breakers closed at different times). One indexed query per request with a session;
# anonymous page-cache hits have no session and make none.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Uploads (product images, video posters): local disk on one server; S3-compatible storage
# (django-storages) when several app servers must see the same files. Static files are always
# WhiteNoise's: compressed (gzip, brotli when installed) with hashed names, cached for a year.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    _media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }  # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are read by boto3 from the environment.
elif MEDIA_STORAGE == "local":
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _media,
    "staticfiles": {"BACKEND": "shop.staticstorage.StaticStorage"},  # WhiteNoise's, URLs worked out once
}

# Structured logs: one JSON object per line on stderr, for journald or any log shipper.
LOGGING = copy.deepcopy(LOGGING)  # noqa: F405  (base's dict stays as it was)
LOGGING["formatters"] = {
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }
}
LOGGING["handlers"]["console"]["formatter"] = "json"

# Production runs behind one TLS proxy (docs/deploy.md), which sets X-Forwarded-Proto and appends
# the client's address to X-Forwarded-For; with a load balancer in front of it as well, say 2.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer probes /health/ over plain HTTP, from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
OSCAR_BASKET_COOKIE_SECURE = True
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

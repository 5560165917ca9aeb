"""Test settings: fast hashing, email kept in memory, nothing written outside temp folders."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# As in production: https, and a host in ALLOWED_HOSTS (the test client's).
os.environ.setdefault("SITE_URL", "https://testserver")
_tmp = tempfile.mkdtemp(prefix="qlclaw-test-")
os.environ.setdefault("MEDIA_ROOT", os.path.join(_tmp, "media"))

from .base import *  # noqa: E402,F403

DEBUG = False
STATIC_ROOT = os.path.join(_tmp, "static")  # the browser tests collect into it
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests that use shop.mail.QueuedEmailBackend see its deliveries in mail.outbox, and huey runs a
# task as soon as it is queued (immediate mode, in memory: no file, no worker).
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {"huey_class": "huey.MemoryHuey", "name": "qlclaw-test", "immediate": True, "results": False}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STRIPE_SECRET_KEY = ""
STRIPE_PUBLISHABLE_KEY = ""
STRIPE_WEBHOOK_SECRET = ""
# Nothing in tests may reach Stripe: a test that forgets the localstripe fixture gets a
# refused connection on loopback instead of api.stripe.com.
STRIPE_API_BASE = "http://127.0.0.1:9"
# localstripe refuses automatic_payment_methods; the real API gets the Dashboard's choice.
STRIPE_PAYMENT_METHOD_TYPES = ["card"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["huey"]["level"] = "WARNING"  # noqa: F405

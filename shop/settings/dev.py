"""Local development: DEBUG on, SQLite, console email, demo payments when no Stripe keys."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

from .base import *  # noqa: E402,F403

# The email queue's SQLite file (settings.HUEY) lives in var/; huey opens it when Django starts.
VAR_DIR.mkdir(exist_ok=True)  # noqa: F405

"""Production settings refuse to start without their secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "STRIPE_SECRET_KEY": "sk_test_123",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_123",
    "STRIPE_WEBHOOK_SECRET": "whsec_123",
    "SITE_URL": "https://shop.example.com",
}


def load_production_settings(show="settings.DEBUG", **overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.production"
    code = f"import django; from django.conf import settings; django.setup(); print({show})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_starts_with_everything_set():
    result = load_production_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "SITE_URL",
    ],
)
def test_production_without_a_required_setting_fails_loudly(missing):
    result = load_production_settings(**{missing: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize("site_url", ["http://shop.example.com", "shop.example.com", "https://", ""])
def test_production_refuses_a_site_url_that_is_not_https(site_url):
    result = load_production_settings(SITE_URL=site_url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL" in result.stderr


def test_links_and_oscar_follow_site_url():
    result = load_production_settings("settings.SITE_URL, settings.OSCAR_URL_SCHEMA", SITE_URL="https://shop.example.com/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://shop.example.com", "https"]


def test_production_rejects_an_empty_secret():
    result = load_production_settings(SECRET_KEY="  ")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_has_nothing_to_say_about_production():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    # A secret as random as a real one: check --deploy rightly flags "xxx...".
    env["SECRET_KEY"] = "k3Yq-9vTz_Lw2bRj7NcHx4pGm8sAeU1oDfWi6tKy0QlZ5VnBr-Ju_MhOaXgPeSdC"
    env["ALLOWED_HOSTS"] = "shop.example.com"
    env["SITE_URL"] = "https://shop.example.com"
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_media_storage_is_a_setting():
    local = load_production_settings(MEDIA_STORAGE="local")
    assert local.returncode == 0, local.stderr
    unknown = load_production_settings(MEDIA_STORAGE="ftp")
    assert unknown.returncode != 0
    assert "MEDIA_STORAGE" in unknown.stderr
    s3_without_bucket = load_production_settings(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME=None)
    assert s3_without_bucket.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in s3_without_bucket.stderr

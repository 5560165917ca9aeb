#!/usr/bin/env python
"""Run the production profile on this machine: shop.settings.production under gunicorn.

Used by `make prod-local`, `make lighthouse` and the benchmark. It prepares what a deploy
prepares (collectstatic with compressed files, migrate, demo data) and then runs gunicorn and
the email worker (`manage.py run_huey`) together, stopping both when either ends or on a signal.
Secrets that a real deploy gets from its environment are made up here, per run, unless set.
"""

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from processes import run_together

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKER_NICENESS = "10"  # the email worker's `nice` (systemd's Nice= in docs/deploy.md)


def production_env(port):
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'production-local.sqlite3'}")
    # The cache, sessions and rate limits live in Redis in production (make prod-local: db 1).
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    # No TLS on loopback: a real deploy keeps the redirect on, behind its TLS proxy.
    env.setdefault("SECURE_SSL_REDIRECT", "false")
    env.setdefault("SERVE_MEDIA", "true")
    # Production requires an https SITE_URL; email links here point at a TLS proxy that is not there.
    env.setdefault("SITE_URL", f"https://127.0.0.1:{port}")
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.setdefault(name, f"{name.lower()}_local_{secrets.token_hex(8)}")
    return env


def create_database(url):
    """Create the PostgreSQL database DATABASE_URL names if it is missing (like `createdb`)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def wait_for(url, timeout=300):
    """Return once url answers 200 (the first start collects static files and migrates)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {timeout} s")


def prepare(env):
    create_database(env["DATABASE_URL"])
    manage = [str(BIN / "python"), "manage.py"]
    for args in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(manage + args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def gunicorn_command(port, workers=None):
    workers = workers or int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
    return [
        str(BIN / "gunicorn"), "shop.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--access-logfile", "-" if os.environ.get("ACCESS_LOG") else "/dev/null",
        "--log-level", "warning",
    ]


def main():
    port = int(os.environ.get("PORT", "8001"))
    env = production_env(port)
    prepare(env)
    print(f"Production profile on http://127.0.0.1:{port}/ with the email worker (Ctrl-C to stop)", flush=True)
    # The huey consumer renders and delivers the queued email (Redis); it starts and stops with
    # gunicorn, at a lower CPU priority, as docs/deploy.md runs it: on a busy machine shoppers' pages
    # come first and email waits a few seconds.
    worker = ["nice", "-n", WORKER_NICENESS, str(BIN / "python"), "manage.py", "run_huey"]
    sys.exit(run_together([gunicorn_command(port), worker], env=env, cwd=ROOT))


if __name__ == "__main__":
    main()

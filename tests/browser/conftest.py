"""Browser tests: Debian's Chromium driven by Playwright against the store served the way
production serves it (WhiteNoise with compressed static files, gzip for pages).

They run whenever /usr/bin/chromium and the npm tools (axe-core) are installed; CI installs
both. Screenshots of failing tests land in test-artifacts/.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from .support import AXE

# Playwright's sync API keeps an event loop on the main thread; Django then refuses database
# calls from the test itself (seeding, checking orders). The calls are synchronous and on the
# test's own thread, so they are safe: tell Django so, for the test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(config, items):
    missing = [what for what, path in (("Chromium", Path(CHROMIUM)), ("axe-core (npm ci)", AXE)) if not path.exists()]
    if not missing:
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        raise pytest.UsageError(f"REQUIRE_BROWSER_TESTS is set but {' and '.join(missing)} is missing")
    skip = pytest.mark.skip(reason=f"browser tests need {' and '.join(missing)}; CI installs them")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


@pytest.fixture(scope="session")
def collected_static(django_db_blocker, tmp_path_factory):
    """Collect and gzip the static files once, as `collectstatic` does for production."""
    from django.conf import settings

    with override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture
def store(transactional_db, collected_static):
    """The store with its demo data, served on a free loopback port by a live server thread.

    Unlike pytest-django's live_server, static files are not intercepted by the test static
    handler: WhiteNoise serves them, compressed, as in production. Media are served by
    Django's test media handler.
    """
    from django.db import connections
    from django.test.testcases import LiveServerThread

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    overrides = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for conn in overrides.values():
        conn.inc_thread_sharing()
    thread = LiveServerThread(
        "127.0.0.1", static_handler=lambda handler: handler, connections_override=overrides, port=0
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Network:
    """What the page asked for: local responses with their sizes, and every attempt to reach
    another host (refused, since nothing here may depend on the internet)."""

    def __init__(self, origin):
        self.origin = origin
        self.external = []
        self.responses = []

    def route(self, route):
        if urlsplit(route.request.url).netloc != urlsplit(self.origin).netloc:
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()


def _new_page(browser, store, request, **context_options):
    context = browser.new_context(base_url=store, **context_options)
    network = Network(store)
    context.route("**/*", network.route)
    page = context.new_page()
    page.network = network
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

    def no_dialogs(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.dialogs = []
    page.on("dialog", no_dialogs)
    return context, page


@pytest.fixture
def new_page(browser, store, request):
    """Factory for pages (desktop by default); a failing test leaves a screenshot of each."""
    opened = []

    def make(**context_options):
        context_options.setdefault("viewport", {"width": 1280, "height": 900})
        context, page = _new_page(browser, store, request, **context_options)
        opened.append((context, page))
        return page

    yield make
    for n, (context, page) in enumerate(opened):
        if getattr(request.node, "failed_call", False):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()

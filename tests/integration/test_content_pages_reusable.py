"""content_pages is a reusable app: it runs, articles with their buy box and videos included, in
a project that has none of the store (tests/content_project).

A Django process has one settings module and this one is shop.settings.test, so the other
project runs in a subprocess: pytest on tests/content_project/checks.py under its own settings.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "settings_module, options, outcome",
    [
        # Oscar's own catalogue. Tables made from the models: Oscar's 150 migrations cost 15 s.
        ("tests.content_project.settings", ["--nomigrations"], "3 passed"),
        # A plain product model; content_pages' migration runs against it. No Oscar dashboard.
        ("tests.content_project.settings_any_product", [], "2 passed, 1 skipped"),
    ],
)
def test_content_pages_in_a_project_without_the_store(settings_module, options, outcome):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "tests/content_project/checks.py", f"--ds={settings_module}",
            "--noconftest", "-p", "no:cacheprovider", "-p", "no:warnings", *options,
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert outcome in result.stdout, result.stdout

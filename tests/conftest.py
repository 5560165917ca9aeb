import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command

pytest_plugins = [
    "tests.fixtures.mail",
    "tests.fixtures.checkout",
    "tests.fixtures.redis",
    "tests.fixtures.tax",
    "tests.fixtures.fulfilment",
    "tests.fixtures.newsletter",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The locmem cache outlives a test's database rollback: rate-limit counters and cached
    content from one test must not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _forget_test_client_receivers():
    """With DEBUG on (the demo-payment tests), Signal.connect checks each receiver's signature
    through django.utils.inspect's lru_cache (512 entries). The test client connects a new
    partial per request, holding every template context the response rendered: the cache kept
    the last 512 responses' contexts alive, and the suite grew to about 7 GB and spent minutes
    in garbage collection. Emptied after each test."""
    yield
    from django.utils.inspect import _get_func_parameters

    _get_func_parameters.cache_clear()


@pytest.fixture(autouse=True)
def _forget_batched_views():
    """Views counted through a Redis backend wait up to a second in shop.analytics' batch, sent
    from a timer thread: a test's must not reach the next test's cache."""
    yield
    from shop import analytics

    analytics.view_batch.discard()


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def committed(transactional_db, settings):
    """The demo store committed for real (pages and caches see a change after its commit, not
    pending on the test's connection)."""
    from oscar.core.loading import get_model

    settings.PAGE_CACHE_CLOCK_SKEW = 0  # one process, one clock
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return get_model("catalogue", "Product").objects.get(upc="QLC-CLAW-01")


@pytest.fixture
def claw(seeded):
    from oscar.core.loading import get_model

    return get_model("catalogue", "Product").objects.get(upc="QLC-CLAW-01")


@pytest.fixture
def staff_user(django_user_model, seeded):
    """A store manager: staff, in the group seed_demo sets up, not a superuser."""
    from django.conf import settings
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="staff", email="staff@qlclaw.example", password="staff-pass-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=settings.STORE_STAFF_GROUP))
    return user


@pytest.fixture
def staff_without_permissions(django_user_model):
    """Staff (is_staff) in no group: Oscar's dashboard shows them nothing they may not use."""
    return django_user_model.objects.create_user(
        username="clerk", email="clerk@qlclaw.example", password="clerk-pass-123", is_staff=True
    )


@pytest.fixture(autouse=True)
def _same_schedule_bucket(monkeypatch):
    """Pages, fragments and content pieces turn over when the five-minute schedule bucket turns
    (content_pages.cache.schedule_bucket): never in the middle of a test, where it made a hit a
    miss or added a render's queries to a count. A test of the turnover sets it itself."""
    from content_pages import cache as content_cache

    monkeypatch.setattr(content_cache, "schedule_bucket", lambda: 1)


@pytest.fixture
def frozen_rate_window(monkeypatch):
    """django-ratelimit counts in fixed time windows; freeze its clock so no test straddles two."""
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="customer", email="customer@example.com", password="customer-pass-123"
    )

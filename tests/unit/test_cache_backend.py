"""shop.cache.StoreRedisCache against the local Redis: one client per pool, and a working cache."""

import os

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from shop.cache import StoreRedisCache

REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture
def store_cache():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):  # CI starts Redis and sets this: never skipped there
            pytest.fail(f"REQUIRE_REDIS is set but Redis is not running at {REDIS_URL}")
        pytest.skip(f"needs the production cache's server, Redis, at {REDIS_URL}; CI runs it")
    backend = StoreRedisCache(REDIS_URL, {"KEY_PREFIX": "test-store-cache"})
    yield backend
    backend.clear()


def test_one_client_per_pool_where_django_builds_one_per_call(store_cache):
    assert store_cache._cache.get_client() is store_cache._cache.get_client()
    assert store_cache._cache.get_client(write=True) is store_cache._cache.get_client(write=True)
    django_cache = RedisCache(REDIS_URL, {})
    assert django_cache._cache.get_client() is not django_cache._cache.get_client()


def test_it_is_still_a_cache(store_cache):
    store_cache.set("a", {"x": 1}, 30)
    store_cache.set_many({"b": 2, "c": 3})
    assert store_cache.get("a") == {"x": 1}
    assert store_cache.get_many(["b", "c", "missing"]) == {"b": 2, "c": 3}
    assert store_cache.incr("b") == 3
    store_cache.delete("a")
    assert store_cache.get("a") is None

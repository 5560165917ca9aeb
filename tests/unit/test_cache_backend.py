"""shop.cache.StoreRedisCache: one client per pool, a working cache against the local Redis, and a
miss (never an exception) when Redis is down or hangs."""

import logging
import os
import pickle
import socket
import time

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from shop.cache import StoreRedisCache, forget_outages
from tests.redis_support import DOWN_SECONDS, free_port, wait_for_breaker

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


def test_any_key_redis_takes_is_taken_without_a_memcached_warning(store_cache, recwarn):
    keys = ["with space", "x" * 300, "tab\tand\nnewline"]
    store_cache.set_many({key: index for index, key in enumerate(keys)})
    assert store_cache.get_many(keys) == {key: index for index, key in enumerate(keys)}
    assert not [warning for warning in recwarn if "memcached" in str(warning.message)]


def test_counters_are_made_and_added_to_in_one_round_trip(store_cache, monkeypatch):
    sent = []
    client = store_cache._cache.get_client(write=True)
    real = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *args, **kw: sent.append(args[0]) or real(*args, **kw))
    store_cache.count_many({"views": 1, "other": 2})  # no EXISTS first, no error for a missing key
    assert sent == []  # pipelined: not one command at a time
    store_cache.count_many({"views": 4})
    assert store_cache.get_many(["views", "other"]) == {"views": 5, "other": 2}
    assert store_cache.decr("views", 5) == 0


def test_views_go_to_redis_in_batches(store_cache, monkeypatch):
    from shop import analytics

    monkeypatch.setattr(analytics, "cache", store_cache)
    monkeypatch.setattr(analytics, "VIEW_BATCH_SECONDS", 0.2)
    batch = analytics.ViewBatch()
    monkeypatch.setattr(analytics, "view_batch", batch)
    for _ in range(3):
        analytics.count_view("product", 7)
    analytics.count_view("article", 2)
    assert store_cache.get("analytics:views:product:7") is None  # not sent yet
    deadline = time.monotonic() + 10
    while store_cache.get("analytics:views:product:7") is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the batch's timer sends it, with no further view
    assert store_cache.get_many(["analytics:views:product:7", "analytics:views:article:2"]) == {
        "analytics:views:product:7": 3, "analytics:views:article:2": 1}
    analytics.count_view("product", 7)
    batch.send()  # as at exit
    assert store_cache.get("analytics:views:product:7") == 4


# -- Redis down: a miss and a log line, never an exception ------------------------------------


@pytest.fixture
def breakers():
    forget_outages()
    yield
    forget_outages()


def backend_at(url, **options):
    return StoreRedisCache(url, {"KEY_PREFIX": "t", "OPTIONS": {"DOWN_SECONDS": DOWN_SECONDS, **options}})


def test_without_a_server_every_operation_is_a_miss(breakers):
    backend = backend_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    assert backend.get("a") is None and backend.get("a", "default") == "default"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.set("a", 1) is None
    assert backend.add("a", 1) is False
    assert backend.touch("a") is False and backend.delete("a") is False and backend.has_key("a") is False
    assert "a" not in backend
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]  # Django's contract: the keys not stored
    assert backend.delete_many(["a", "b"]) is None
    assert backend.get_or_set("a", 5) == 5
    with pytest.raises(ValueError):  # Django's contract for a key that is not there
        backend.incr("a")
    with pytest.raises(ValueError):
        backend.decr("a")
    assert backend.clear() is False
    assert backend.count_many({"a": 1}) is None  # a view not counted, no error
    assert not backend.is_available()
    with pytest.raises(redis.ConnectionError):
        backend.check_health()  # the health check sees the truth, not the fallback


def test_a_hung_server_costs_one_timeout_then_nothing_until_the_next_try(breakers, monkeypatch):
    """Counted, not timed: each call that waits on the hung server ends in Outage.failed."""
    from shop.cache import Outage

    waited = []
    failed = Outage.failed
    monkeypatch.setattr(Outage, "failed", lambda self, error, keys: waited.append(error) or failed(self, error, keys))
    with socket.socket() as hung:  # accepts connections (the kernel does), never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        backend = backend_at(f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
        assert backend.get("a", "default") == "default"
        assert [type(error) for error in waited] == [redis.TimeoutError]  # the read timed out, no retry
        for _ in range(500):
            backend.set("a", 1)
            backend.get("a")
        assert len(waited) == 1  # the breaker: 1,000 calls and no network at all
        time.sleep(DOWN_SECONDS)  # the breaker's pause (waited for, not measured)
        assert backend.get("a", "default") == "default"
        assert len(waited) == 2  # tried again after the pause


def test_one_line_when_redis_goes_one_when_it_is_back(breakers, redis_server, caplog):
    backend = backend_at(redis_server.url)
    backend.set("a", 1)
    redis_server.kill()
    with caplog.at_level(logging.INFO, logger="shop.cache"):
        for _ in range(3):
            for _ in range(100):
                assert backend.get("a") is None
            time.sleep(DOWN_SECONDS)
        redis_server.start()
        wait_for_breaker()
        backend.set("a", 2)
        assert backend.get("a") == 2
    lines = [record.getMessage() for record in caplog.records if record.name == "shop.cache"]
    assert len(lines) == 2, lines  # not one per call, nor one per try
    assert "unreachable" in lines[0] and redis_server.url in lines[0]
    assert "is back after" in lines[1]


def test_the_redis_password_stays_out_of_the_logs(breakers, caplog):
    port = free_port()
    for url in (f"redis://:s3cret-pass@127.0.0.1:{port}/0", f"redis://127.0.0.1:{port}/1?password=s3cret-pass"):
        with caplog.at_level(logging.WARNING, logger="shop.cache"):
            backend_at(url).get("a")
    assert len(caplog.records) == 2 and "s3cret-pass" not in caplog.text


def test_a_write_lost_in_an_outage_is_deleted_before_redis_is_trusted_again(breakers, redis_server, monkeypatch):
    """A cached_db session changed (or ended) in the database while Redis was away, or a page
    version that could not be bumped: the entry Redis kept from before must not come back."""
    backend = backend_at(redis_server.url)
    backend.set("session", "before the outage")
    backend.set("untouched", "kept")

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(redis.Redis, "set", unreachable)
        backend.set("session", "changed during the outage")  # lost: Redis still holds the old value
    backend.delete("other")  # skipped by the breaker: owed too
    assert pickle.loads(redis_server.client().get("t:1:session")) == "before the outage"

    wait_for_breaker()
    assert backend.get("session") is None  # deleted first, then read: a miss, never the old value
    assert backend.get("untouched") == "kept"
    assert backend.is_available()


def test_the_health_check_brings_the_process_back_at_once(breakers, redis_server):
    backend = backend_at(redis_server.url, DOWN_SECONDS=60)
    redis_server.pause()  # hung
    try:
        backend.set("a", 1)
        assert not backend.is_available()
        with pytest.raises(redis.TimeoutError):
            backend.check_health()
    finally:
        redis_server.resume()
    assert backend.check_health() is True
    assert backend.is_available()  # without waiting out the 60 s
    assert backend.get("a") is None  # the lost write was paid for first


# -- the lean MGET (shop.cache.ManyReader) -----------------------------------------------------


def test_get_many_reads_on_one_kept_connection_without_redis_py_per_command(store_cache, monkeypatch):
    store_cache.set_many({"n": 7, "text": "psoas", "obj": {"a": [1, 2]}, "big": b"x" * 200_000})
    with monkeypatch.context() as patched:
        patched.setattr(redis.Redis, "execute_command", lambda *args, **kwargs: pytest.fail("redis-py was used"))
        assert store_cache.get_many(["n", "missing", "text", "obj", "big"]) == {
            "n": 7, "text": "psoas", "obj": {"a": [1, 2]}, "big": b"x" * 200_000}
        reader = next(iter(store_cache._cache._readers.values()))
        kept = reader.local.connection
        assert store_cache.get_many([]) == {}
        assert store_cache.get_many(["n"]) == {"n": 7}
        assert reader.local.connection is kept


def test_a_connection_redis_closed_is_replaced_at_once(store_cache):
    store_cache.set("a", 1)
    assert store_cache.get_many(["a"]) == {"a": 1}
    reader = next(iter(store_cache._cache._readers.values()))
    kept = reader.local.connection
    kept.send_command("CLIENT", "ID")
    client_id = kept.read_response()
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=client_id)  # as Redis's idle timeout would
    assert store_cache.get_many(["a"]) == {"a": 1}  # no miss, no breaker
    assert store_cache.is_available()
    assert reader.local.connection is not kept


def test_a_reply_not_read_in_time_is_never_read_by_the_next_call(breakers, redis_server):
    """A hung Redis answers late: the late reply must not be taken for the next call's."""
    backend = backend_at(redis_server.url)
    backend.set_many({"a": "A", "b": "B"})
    assert backend.get_many(["a"]) == {"a": "A"}  # the reader's connection is made
    redis_server.pause()
    try:
        assert backend.get_many(["a"]) == {}  # timed out: a miss
        assert not backend.is_available()
    finally:
        redis_server.resume()
    wait_for_breaker()
    assert backend.get_many(["b", "a"]) == {"b": "B", "a": "A"}  # not the late ["A"] of the call before


def test_an_error_reply_is_a_failure_and_the_connection_stays_in_step(breakers, redis_server):
    backend = backend_at(redis_server.url)
    backend.set("a", 1)
    redis_server.client().config_set("requirepass", "now-required")  # every command is refused (NOAUTH)
    try:
        assert backend.get_many(["a"]) == {}
        assert not backend.is_available()
    finally:
        client = redis.Redis(port=redis_server.port, password="now-required")
        client.config_set("requirepass", "")
    wait_for_breaker()
    assert backend.get_many(["a"]) == {"a": 1}

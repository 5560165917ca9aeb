"""The store's Redis cache: an accelerator that a sale never depends on.

StoreRedisCache is Django's Redis cache with two changes.

One redis-py client per connection pool. Django's RedisCacheClient.get_client() builds a new
redis.Redis object for every cache operation; its constructor fills a table of ~250 response
callbacks, which cost more than the round trip to Redis itself (a third of a cached page's time in
the benchmark). A redis.Redis client is thread-safe and holds nothing but its pool, so one per pool
serves every call.

Fail soft. When Redis is down, hangs, or refuses a command, every operation behaves as a miss
instead of raising: get -> the default, get_many -> {}, has_key/add/touch/delete -> False,
set/set_many/delete_many -> nothing stored (set_many reports every key as not stored), and
incr/decr -> ValueError, which is what Django's contract says for a key that is not there (every
caller handles it; django-ratelimit then applies RATELIMIT_FAIL_OPEN). So the page cache, the
content cache, rate limits and the page-cache
version bumps inside the order placement all carry on without Redis.

- Small socket timeouts (connect 0.25 s, read/write 0.5 s; OPTIONS socket_connect_timeout and
  socket_timeout override them) and no retry: a Redis that hangs holds a request, and the database
  transaction it may be in, for half a second at most.
- A breaker: after a failure this process skips Redis for DOWN_SECONDS (5 s; OPTIONS
  "DOWN_SECONDS"), so a dead Redis costs no connect attempt per call; then one call tries again.
- The logs get one warning when Redis goes away, at most one line a minute while it stays away, and
  one when it is back; not a line per call.
- Writes that were lost are owed: while Redis is away the process remembers the keys it could not
  set or delete, and deletes them before anything else once Redis answers again. An entry written
  before the outage (a session since changed or ended in the database, a page version that should
  have been bumped) is therefore never served after it.

Health checks must not see the fallback: check_health() goes to Redis itself and raises.

A lean MGET. get_many is what every cached page's hit costs (one MGET of the page and its tags:
shop/pagecache.py), and redis-py spends more CPU around that one command than Redis and the
socket do: a pid check and a poll() of the socket as the pool hands the connection out, the
retry wrapper, the argument packing, the pool's lock on the way back. ManyReader sends the MGET on
a connection of its own (per thread, connected by redis-py, so AUTH, TLS, the database and the
timeouts are redis-py's) and reads the reply with hiredis: about 30 µs instead of 60. Any error on
that socket closes it (a reply half read is never read by the next call) and is a failure like any
other: the breaker opens, get_many returns {}.
"""

import logging
import os
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import hiredis
import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.25  # seconds
SOCKET_TIMEOUT = 0.5  # seconds, for each read or write on the socket
DOWN_SECONDS = 5.0  # how long a process leaves Redis alone after a failure
LOG_EVERY = 60.0  # seconds between "still down" lines
MAX_OWED = 10_000  # keys remembered per process during one outage
FAILURES = (redis.RedisError, OSError)  # connection refused or reset, timeouts, errors from Redis


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ManyReader:
    """MGET on one connection of its own (per thread), read with hiredis: see the module's docstring."""

    RECEIVE = 65536

    def __init__(self, pool):
        self.pool = pool
        self.local = threading.local()

    def _connection(self):
        """(connection, reader, whether it was made just now)."""
        local = self.local
        connection = getattr(local, "connection", None)
        if connection is not None and local.pid == os.getpid():  # a forked child never uses its parent's socket
            return connection, local.reader, False
        pool = self.pool
        connection = pool.connection_class(**pool.connection_kwargs)
        connection.connect()
        local.connection, local.pid, local.reader = connection, os.getpid(), hiredis.Reader()
        return connection, local.reader, True

    def close(self):
        connection = getattr(self.local, "connection", None)
        self.local.connection = None
        if connection is not None:
            connection.disconnect()

    def mget(self, keys):
        """The values of `keys` (None for a missing one). A connection kept from an earlier call that
        Redis has since closed (its idle timeout, a restart) is replaced once, at once; a timeout or
        a second failure is the caller's failure."""
        for last in (False, True):
            new = True  # a connection that cannot be made is not tried twice
            try:
                connection, reader, new = self._connection()
                return self._mget(connection, reader, keys)
            except (redis.ConnectionError, ConnectionError):
                self.close()
                if new or last:
                    raise
            except BaseException:
                self.close()
                raise

    def _mget(self, connection, reader, keys):
        sock = connection._sock
        sock.sendall(hiredis.pack_command(("MGET", *keys)))
        reply = reader.gets()
        while reply is False:
            data = sock.recv(self.RECEIVE)
            if not data:
                raise redis.ConnectionError("Redis closed the connection")
            reader.feed(data)
            reply = reader.gets()
        if isinstance(reply, hiredis.ReplyError):  # read whole: the connection is still in step
            raise redis.ResponseError(str(reply))
        if not isinstance(reply, list) or len(reply) != len(keys):
            raise redis.ResponseError(f"MGET of {len(keys)} keys answered {reply!r:.80}")
        return reply


class Outage:
    """What one process knows about one Redis server: whether to leave it alone, what it has
    told the logs, and the keys whose writes it lost. Shared by every thread of the process
    (Django builds a cache object per thread)."""

    def __init__(self, name, down_seconds):
        self.name = name
        self.down_seconds = down_seconds
        self.lock = threading.Lock()
        self.skip_until = 0.0  # time.monotonic(): Redis is not asked before this
        self.since = None  # time.monotonic() of the first failure; None while Redis answers
        self.skipped = 0
        self.logged_at = 0.0
        self.owed = set()
        self.owed_overflow = False

    @property
    def open(self):
        return self.skip_until > time.monotonic()

    def owe(self, keys):
        if not keys:
            return
        with self.lock:
            room = MAX_OWED - len(self.owed)
            if len(keys) > room:
                self.owed_overflow = True
                keys = list(keys)[: max(room, 0)]
            self.owed.update(keys)

    def failed(self, error, keys):
        self.owe(keys)
        now = time.monotonic()
        with self.lock:
            self.skip_until = now + self.down_seconds
            first = self.since is None
            if first:
                self.since = now
            log = first or now - self.logged_at >= LOG_EVERY
            if log:
                self.logged_at = now
        if first:
            logger.warning(
                "Cache %s unreachable (%s: %s): serving without it, trying again every %g s",
                self.name, type(error).__name__, error, self.down_seconds,
            )
        elif log:
            logger.warning("Cache %s still unreachable (%s: %s)", self.name, type(error).__name__, error)

    def skip(self, keys):
        self.owe(keys)
        with self.lock:
            self.skipped += 1

    def recovered(self, dropped):
        with self.lock:
            if self.since is None:
                return
            seconds, skipped = time.monotonic() - self.since, self.skipped
            self.since, self.skipped, self.skip_until = None, 0, 0.0
            overflow, self.owed_overflow = self.owed_overflow, False
        logger.info(
            "Cache %s is back after %.1f s: %d calls skipped, %d stale keys deleted%s",
            self.name, seconds, skipped, dropped,
            f" (more than {MAX_OWED} writes lost: some entries may be stale until they expire)" if overflow else "",
        )


_outages = {}
_outages_lock = threading.Lock()


def outage_for(servers, down_seconds):
    name = ",".join(_without_password(server) for server in servers)
    with _outages_lock:
        if name not in _outages:
            _outages[name] = Outage(name, down_seconds)
        return _outages[name]


def _without_password(url):
    """The server as the logs may show it: a redis:// URL can carry a password, before the host
    or in the query string (?password=), so both go."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc, query=""))


def forget_outages():
    """For tests: every process-wide breaker closed, nothing owed."""
    with _outages_lock:
        _outages.clear()


def _miss(default):
    return lambda: default


def _no_counter():
    raise ValueError("Key not found: the cache is unavailable")


class FailSoftRedisCacheClient(ReusedClientRedisCacheClient):
    """Every operation through _attempt(): a Redis failure is a miss, never an exception."""

    def __init__(self, servers, down_seconds=DOWN_SECONDS, **options):
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(servers, **options)
        self.outage = outage_for(servers, down_seconds)
        self._readers = {}

    def _attempt(self, operation, fallback, writes=()):
        outage = self.outage
        if outage.open:
            outage.skip(writes)
            return fallback()
        try:
            dropped = self._pay_owed() if outage.since is not None else 0
            result = operation()
        except FAILURES as error:
            outage.failed(error, writes)
            return fallback()
        if outage.since is not None:
            outage.recovered(dropped)
        return result

    def _pay_owed(self):
        """Delete what this process could not write while Redis was away, before trusting Redis."""
        with self.outage.lock:
            keys = list(self.outage.owed)
        client = self.get_client(write=True)
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        with self.outage.lock:
            self.outage.owed.difference_update(keys)
        return len(keys)

    def check(self, key):
        """A real round trip (SET and GET of `key` on the write server); raises when Redis does not
        answer properly. A success also pays what this process owes and closes its breaker."""
        client = self.get_client(write=True)
        token = str(time.time_ns()).encode()
        client.set(key, token, ex=10)
        if client.get(key) != token:
            raise redis.RedisError("the health-check key did not read back")
        if self.outage.since is not None:
            self.outage.recovered(self._pay_owed())
        return True

    def add(self, key, value, timeout):
        parent = super()
        return self._attempt(lambda: parent.add(key, value, timeout), _miss(False), [key])

    def get(self, key, default):
        parent = super()
        return self._attempt(lambda: parent.get(key, default), _miss(default))

    def set(self, key, value, timeout):
        parent = super()
        self._attempt(lambda: parent.set(key, value, timeout), _miss(None), [key])

    def touch(self, key, timeout):
        parent = super()
        return self._attempt(lambda: parent.touch(key, timeout), _miss(False), [key])

    def delete(self, key):
        parent = super()
        return self._attempt(lambda: parent.delete(key), _miss(False), [key])

    def get_many(self, keys):
        return self._attempt(lambda: self._get_many(keys), _miss({}))

    def _get_many(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        index = self._get_connection_pool_index(False)
        reader = self._readers.get(index)
        if reader is None:
            reader = self._readers[index] = ManyReader(self._get_connection_pool(False))
        loads = self._serializer.loads
        return {key: loads(value) for key, value in zip(keys, reader.mget(keys), strict=True) if value is not None}

    def has_key(self, key):
        parent = super()
        return self._attempt(lambda: parent.has_key(key), _miss(False))

    def incr(self, key, delta):
        parent = super()
        return self._attempt(lambda: parent.incr(key, delta), _no_counter, [key])

    def count_many(self, amounts):
        """INCRBY for each {key: delta}, in one pipelined round trip. Redis down: not counted."""

        def send():
            pipe = self.get_client(write=True).pipeline(transaction=False)
            for key, delta in amounts.items():
                pipe.incrby(key, delta)
            return pipe.execute()

        return self._attempt(send, _miss(None))

    def set_many(self, data, timeout):
        """True when stored (Django's client returns nothing)."""
        parent = super()
        return self._attempt(lambda: parent.set_many(data, timeout) or True, _miss(False), list(data))

    def delete_many(self, keys):
        keys = list(keys)
        parent = super()
        self._attempt(lambda: parent.delete_many(keys), _miss(None), keys)

    def clear(self):
        parent = super()
        return self._attempt(lambda: parent.clear(), _miss(False))


class StoreRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
        options = dict(self._options)
        options["down_seconds"] = float(options.pop("DOWN_SECONDS", DOWN_SECONDS))
        self._options = options

    def validate_key(self, key):
        """Django's scans every character of every key for what memcached would refuse (spaces,
        control characters, over 250 characters) and warns; Redis takes any key. A cached page's
        hit reads about 14 keys at once: the scan was a tenth of the Django cache layer's time."""

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Django's returns [] whatever happened; this one lists the keys it could not store."""
        if not data:
            return []
        safe_data = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        stored = self._cache.set_many(safe_data, self.get_backend_timeout(timeout))
        return [] if stored else list(data)

    def count_many(self, amounts, version=None):
        """Add each delta to its counter ({key: delta}), a counter made at 0 when missing, with no
        expiry, in one round trip; None when Redis is away."""
        return self._cache.count_many(
            {self.make_and_validate_key(key, version=version): delta for key, delta in amounts.items()}
        )

    def is_available(self):
        """False while this process is leaving Redis alone after a failure."""
        return not self._cache.outage.open

    def check_health(self):
        """A real SET and GET on Redis (not the fail-soft fallback): True, or an exception."""
        return self._cache.check(self.make_and_validate_key("health-check"))


def cache_is_available(backend=None):
    """Whether the cache (default: the default cache) is worth asking; True for backends that
    cannot be down (local memory)."""
    if backend is None:
        from django.core.cache import cache as backend
    return getattr(backend, "is_available", lambda: True)()


def check_cache_health(backend=None):
    """A real round trip to the cache, for /health/: True, or an exception. Never the fallback."""
    if backend is None:
        from django.core.cache import cache as backend
    check = getattr(backend, "check_health", None)
    if check is not None:
        return check()
    import secrets

    key, token = "health-check", secrets.token_hex(8)
    backend.set(key, token, 10)
    return backend.get(key) == token

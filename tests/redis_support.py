"""A Redis of the test's own (redis-server on a free loopback port) that a test can stop, hang and
bring back, and settings that point the store's cache at it or at a port where nothing listens."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

DOWN_SECONDS = 0.3  # the breaker's pause in these tests (5 s in production)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_or_skip():
    path = shutil.which("redis-server")
    if path is None:
        if os.environ.get("REQUIRE_REDIS"):  # CI has Redis and sets this: never skipped there
            pytest.fail("REQUIRE_REDIS is set but redis-server is not installed")
        pytest.skip("needs redis-server (the production cache's server); CI has it")
    return path


class RedisServer:
    """redis-server --port N with no persistence, in the foreground as a child of the tests."""

    def __init__(self, executable, port):
        self.executable, self.port = executable, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        with redis.Redis(port=self.port, socket_connect_timeout=0.2) as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                    time.sleep(0.02)

    def kill(self):
        """Stopped dead, as a crash would: connections refused from now on."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self):
        """Hung: the port still accepts connections, nothing answers (SIGSTOP)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=2)


def store_cache_settings(settings, url):
    """The production cache (shop.cache.StoreRedisCache) at `url`, and production's sessions (in the database)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "shop.cache.StoreRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "qlclaw",
            "OPTIONS": {"DOWN_SECONDS": DOWN_SECONDS},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def wait_for_breaker():
    time.sleep(DOWN_SECONDS + 0.05)

"""For the PostgreSQL concurrency tests: call a function from several threads released together."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


def run_at_once(function, arguments):
    """Call function(argument) for every argument in its own thread, all released together."""
    barrier = threading.Barrier(len(arguments))

    def call(argument):
        try:
            barrier.wait()
            return function(argument)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(call, arguments))

"""Run the web server and the task worker side by side, and stop them together.

Used by run_dev.py (`make run`: runserver + the huey consumer on SQLite) and serve_production.py
(`make prod-local`, `make bench`, `make lighthouse`: gunicorn + the consumer on Redis).
"""

import ctypes
import signal
import subprocess
import sys
import time


def _die_with_parent():
    """Linux: the child gets SIGTERM if this supervisor dies, even by SIGKILL (no orphan workers)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_together(commands, env=None, cwd=None, stop_timeout=45):
    """Start every command; when one ends, or on SIGINT/SIGTERM, stop the others (SIGTERM) and return
    an exit status. The huey consumer finishes the email it is sending first (graceful on SIGTERM)."""
    children = []

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    try:
        for command in commands:
            children.append(subprocess.Popen(command, env=env, cwd=cwd, preexec_fn=_die_with_parent))
        while all(child.poll() is None for child in children):
            time.sleep(0.3)
        ended = next(child for child in children if child.returncode is not None)
        status = ended.returncode
        print(f"{ended.args[0]} {' '.join(ended.args[1:3])} ended ({status}); stopping the rest", file=sys.stderr)
    except SystemExit as exc:
        status = exc.code
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan anything
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + stop_timeout
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return status

#!/usr/bin/env python
"""`make run`: Django's runserver and, beside it, the huey consumer that delivers queued email.

Development needs no extra service: the queue is a SQLite file (var/huey.sqlite3, settings.HUEY)
and emails are printed here by the console backend once the worker picks them up. Ctrl-C stops
both. Links in those emails start from SITE_URL: `make run` sets it, else http://HOST:PORT.
Usage: run_dev.py [HOST:PORT]
"""

import os
import sys
from pathlib import Path

from processes import run_together

ROOT = Path(__file__).resolve().parent.parent


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
    os.environ.setdefault("SITE_URL", f"http://{address}")
    (ROOT / "var").mkdir(exist_ok=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    sys.exit(run_together([manage + ["run_huey"], manage + ["runserver", address]], cwd=ROOT))


if __name__ == "__main__":
    main()

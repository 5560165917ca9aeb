#!/usr/bin/env python
"""`make bench`: load-test the production profile (gunicorn, PostgreSQL, Redis) with wrk.

Starts scripts/serve_production.py against the local PostgreSQL (database qlclaw_bench, created
when missing) and Redis (db 2), then measures each page and a static file of about the same size
served by WhiteNoise at 1, 8 and 32 connections, in one run: wrk shares the server's cores, so
the ratios to the static baseline are the figures to compare, not the absolute ones.

Pages are fetched the way a first-time visitor fetches them: no cookies, so the anonymous page
cache (shop/pagecache.py) serves home, product and article, and never the basket. Run with
PAGE_CACHE_TIMEOUT=0 to measure the renders without it.

Environment: BENCH_SECONDS (per point, default 10), BENCH_PORT (8290), WEB_CONCURRENCY (gunicorn
workers, default 2 x cores + 1), BENCH_CONNECTIONS ("1,8,32").
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from serve_production import production_env, wait_for  # noqa: E402

PAGES = [
    ("home", "/"),
    ("product", "/catalogue/ql-claw_1/"),
    ("article + comments", "/learn/psoas-trigger-points/"),
    ("basket (empty, anonymous)", "/basket/"),
]
# wrk reports its latency histogram through this: p50, p95, p99 in microseconds, and non-2xx/3xx.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p95=%d p99=%d non2xx=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

QUERY_COUNT = """
import django, json, sys
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
counts = {}
for path in sys.argv[1:]:
    counted = []
    for timeout in (0, 300):  # a render (page cache off), then what a cached hit costs
        with override_settings(PAGE_CACHE_TIMEOUT=timeout):
            Client().get(path)  # warm: thumbnails, content caches, the page cache
            with CaptureQueriesContext(connection) as queries:
                response = Client().get(path)
        counted.append(len(queries) if timeout == 0 or response.get("X-Page-Cache") == "hit" else None)
    counts[path] = counted
print(json.dumps(counts))
"""


def static_baseline(size):
    """A hashed static file (no .gz/.br twin) whose size is closest to `size` bytes."""
    manifest = json.loads((ROOT / "var" / "static" / "staticfiles.json").read_text())["paths"]
    candidates = []
    for hashed in manifest.values():
        path = ROOT / "var" / "static" / hashed
        if path.suffix in {".css", ".js", ".svg", ".html", ".txt"} and path.exists():
            candidates.append((abs(path.stat().st_size - size), f"/static/{hashed}", path.stat().st_size))
    return min(candidates)[1:]


def run_wrk(url, connections, seconds, script):
    threads = str(min(connections, 2))
    out = subprocess.run(
        ["wrk", "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    stats = dict(re.findall(r"(\w+)=(\d+)", re.search(r"BENCH (.*)", out).group(1)))
    return {"rps": rps, **{k: int(v) for k, v in stats.items()}}


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    port = int(os.environ.get("BENCH_PORT", "8290"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    levels = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,8,32").split(",")]
    env = production_env(port)
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qlclaw_bench")
    env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
    env["PORT"] = str(port)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_production.py")], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_for(f"{base}/health/")
        sizes = {}
        for _, path in PAGES:  # warm every worker's thumbnails and connections
            for _ in range(10):
                with urllib.request.urlopen(base + path) as response:
                    sizes[path] = len(response.read())
        static_path, static_size = static_baseline(sizes["/catalogue/ql-claw_1/"])
        counts = json.loads(
            subprocess.run(
                [sys.executable, "-c", QUERY_COUNT, *(p for _, p in PAGES)],
                cwd=ROOT, env={**env, "ALLOWED_HOSTS": "testserver,127.0.0.1"},
                capture_output=True, text=True, check=True,
            ).stdout
        )
        targets = [(f"static baseline ({static_size // 1024} KB)", static_path, static_size, "-")]
        targets += [
            (name, path, sizes[path], "/".join("-" if n is None else str(n) for n in counts[path]))
            for name, path in PAGES
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_REPORT)
        results = {}
        for name, path, _, _ in targets:
            for c in levels:
                results[name, c] = run_wrk(base + path, c, seconds, lua.name)
                print(f"  {name} c={c}: {results[name, c]['rps']:.0f} req/s", file=sys.stderr, flush=True)
        os.unlink(lua.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    baseline = targets[0][0]
    workers = env.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
    print(f"\ngunicorn workers: {workers}, cores: {os.cpu_count()}, {seconds} s per point, wrk on the same cores\n")
    cache = "off (PAGE_CACHE_TIMEOUT=0)" if env.get("PAGE_CACHE_TIMEOUT") == "0" else "on"
    print(f"whole-page cache for anonymous shoppers: {cache}; queries: render / cached hit ('-': never cached)\n")
    header = "| page | size | queries | " + " | ".join(
        f"req/s @{c} (x static) | p50/p95/p99 ms @{c}" for c in levels
    ) + " | non-2xx |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, _, size, queries in targets:
        cells = []
        for c in levels:
            r = results[name, c]
            ratio = r["rps"] / results[baseline, c]["rps"]
            cells.append(f"{r['rps']:.0f} ({ratio:.2f})")
            cells.append(f"{r['p50'] / 1000:.1f}/{r['p95'] / 1000:.1f}/{r['p99'] / 1000:.1f}")
        bad = sum(results[name, c]["non2xx"] + results[name, c]["errors"] for c in levels)
        print(f"| {name} | {size // 1024} KB | {queries} | " + " | ".join(cells) + f" | {bad} |")
    top = levels[-1]
    print(f"\nTargets: each page >= 1/4 of the static req/s; p99 <= 4 x p50 at {top} connections.")
    for name, *_ in targets[1:]:
        r = results[name, top]
        ratio_ok = all(results[name, c]["rps"] * 4 >= results[baseline, c]["rps"] for c in levels)
        tail_ok = r["p99"] <= 4 * r["p50"]
        print(f"  {name}: throughput {'met' if ratio_ok else 'MISSED'}, tail {'met' if tail_ok else 'MISSED'}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""`make bench`: the store side by side with stock Oscar 4.2 and a static file, in one run, with wrk.

One run, four servers one after the other, each under gunicorn with the same number of sync
workers (WEB_CONCURRENCY, default 2 x cores + 1), on the local PostgreSQL:

1. the store's production profile (scripts/serve_production.py: database qlclaw_bench, Redis db 2)
   with its page cache on, which also serves the static baseline (a hashed file of about the
   product page's size, through WhiteNoise) and the mixed run;
2. the same store with the page cache off (PAGE_CACHE_TIMEOUT=0), for the pages the cache serves;
3. stock Oscar (scripts/stock_oscar/: Oscar's default settings, DEBUG off, CONN_MAX_AGE=600, its own
   database qlclaw_stock_oscar seeded with the same catalogue by scripts/stock_oscar/seed.py).

Pages: home, product, article, catalogue list, basket (empty, and with one QL Claw: a session made
beforehand whose cookies wrk sends), search; each at 1 and 8 connections (BENCH_CONNECTIONS), with
req/s, p50 and p99 (wrk's histogram through a Lua hook), and the ratios to stock Oscar's same page
and to the static file. Stock Oscar has no home page (its / redirects to its catalogue) and no
articles: its home is measured at /catalogue/ and its article is a flat page with the same text.

Mixed run: the cached home, product and article pages in turn for BENCH_MIXED_SECONDS, first with
no orders, then while orders arrive BENCH_ORDERS_PER_SECOND (5) times a second through the store's
own order placement (scripts/demo_orders.py: checkout.flow and checkout.placement with demo
payments, against the same database and Redis). The orders come from BENCH_ORDER_PLACERS (3)
processes, each placing its share of the rate, as several shoppers check out at once: one process
alone gets no more of the CPU than any one gunicorn worker, and under wrk it could not keep up with
5 a second. The table prints the rate reached. wrk counts the X-Page-Cache header of every
response: the cache hit ratio and req/s with and without orders. The static file is measured again
while the same orders arrive: the ratio to it says what the page cache keeps of what the machine
has left once the orders have taken their share; the ratio to the quiet static file is the target's.

wrk runs on the same cores as the servers, so compare the ratios of one run, not absolute figures
across runs; the machine's load average is printed with the table.

Environment: BENCH_SECONDS (per point, 6), BENCH_MIXED_SECONDS (20), BENCH_ORDERS_PER_SECOND (5),
BENCH_ORDER_PLACERS (3),
BENCH_PORT (8290; the uncached store and stock Oscar on the next two ports), BENCH_CONNECTIONS
("1,8"), WEB_CONCURRENCY, BENCH_STOCK (0 to leave stock Oscar out). The servers' log goes to
var/bench-servers.log, the order placers' to var/bench-placers.log.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))

from serve_production import gunicorn_command, production_env, wait_for  # noqa: E402

PRODUCT = "/catalogue/ql-claw_1/"
ARTICLE = "/learn/psoas-trigger-points/"
# (name, the store's path, stock Oscar's path, cookies: None or "basket")
PAGES = [
    ("home", "/", "/catalogue/", None),
    ("product", PRODUCT, PRODUCT, None),
    ("article", ARTICLE, ARTICLE, None),
    ("catalogue list", "/catalogue/", "/catalogue/", None),
    ("basket, empty", "/basket/", "/basket/", None),
    ("basket, 1 item", "/basket/", "/basket/", "basket"),
    ("search", "/search/?q=psoas", "/search/?q=psoas", None),
]
MIXED_PATHS = ["/", PRODUCT, ARTICLE]

# wrk reports its latency histogram through this: p50, p99 in microseconds, non-2xx/3xx, errors.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p99=%d non2xx=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
# The mixed run: home, product and article in turn, and the X-Page-Cache header of every response.
WRK_MIXED = """
local threads = {}
local paths = {%(paths)s}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; hits = 0; misses = 0; other = 0; none = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function response(status, headers, body)
  local state = headers["X-Page-Cache"] or headers["x-page-cache"]
  if state == "hit" then hits = hits + 1
  elseif state == "miss" then misses = misses + 1
  elseif state == nil then none = none + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local h, m, o, x = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hits"); m = m + t:get("misses"); o = o + t:get("other"); x = x + t:get("none")
  end
  io.write(string.format("BENCH p50=%%d p99=%%d non2xx=%%d errors=%%d hits=%%d misses=%%d other=%%d none=%%d\\n",
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, h, m, o, x))
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

# ---------------------------------------------------------------------------------------------
# Pure parts (tests/unit/test_bench_tools.py)


def parse_wrk(output):
    """req/s and the BENCH line's numbers from wrk's output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    line = re.search(r"BENCH (.*)", output)
    if line is None:
        raise ValueError("wrk printed no BENCH line (the Lua script failed?)")
    return {"rps": rps, **{key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line.group(1))}}


def ratio(ours, theirs):
    """ours / theirs as a number, or None when either is missing or theirs is zero."""
    if ours is None or not theirs:
        return None
    return ours / theirs


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def fmt_ms(microseconds):
    return "-" if microseconds is None else f"{microseconds / 1000:.1f}"


def table_rows(results, pages, levels, static):
    """Rows of the side-by-side table. results: {(variant, page): {connections: wrk result}}, variants
    "cached", "uncached", "stock"; static: {connections: wrk result}. The page cache off is measured
    for the pages it serves only; the others (never cached) show once, as "ours"."""
    rows = []
    for page in pages:
        stock = results.get(("stock", page), {})
        for variant, label in (("cached", "ours, page cache on"), ("uncached", "ours, page cache off"),
                               ("stock", "stock Oscar 4.2")):
            measured = results.get((variant, page))
            if not measured:
                continue
            if variant == "cached" and ("uncached", page) not in results:
                label = "ours (never page-cached)" if page == "search" else "ours"
            cells = [page, label]
            for c in levels:
                r = measured.get(c)
                cells += [f"{r['rps']:.0f}" if r else "-", fmt_ms(r and r["p50"]), fmt_ms(r and r["p99"])]
            for c in levels:
                r = measured.get(c)
                theirs = stock.get(c)
                cells.append("" if variant == "stock" else fmt_ratio(ratio(r and r["rps"], theirs and theirs["rps"])))
            for c in levels:
                r = measured.get(c)
                cells.append(fmt_ratio(ratio(r and r["rps"], static.get(c, {}).get("rps"))))
            cells.append(str(sum(r["non2xx"] + r["errors"] for r in measured.values())))
            rows.append(cells)
    return rows


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def table_header(levels):
    header = ["page", "server"]
    for c in levels:
        header += [f"req/s @{c}", f"p50 ms @{c}", f"p99 ms @{c}"]
    header += [f"x stock @{c}" for c in levels] + [f"x static @{c}" for c in levels] + ["non-2xx"]
    return header


def targets(results, static, top):
    """The issue's targets, each (description, met or None when not measured, the figure)."""
    def rps(variant, page):
        r = results.get((variant, page), {}).get(top)
        return r and r["rps"]

    found = []
    for page in ("home", "product", "article"):
        value = ratio(rps("cached", page), static.get(top, {}).get("rps"))
        found.append((f"cached {page} >= 1/3 of static @{top}", None if value is None else value >= 1 / 3,
                      fmt_ratio(value)))
    for page, variant in (("product", "uncached"), ("catalogue list", "uncached"), ("basket, empty", "cached"),
                          ("basket, 1 item", "cached")):
        value = ratio(rps(variant, page), rps("stock", page))
        what = f"{page}{', page cache off' if variant == 'uncached' else ''} >= 3x stock Oscar @{top}"
        found.append((what, None if value is None else value >= 3, fmt_ratio(value)))
    search = results.get(("cached", "search"), {}).get(top)
    found.append((f"search p99 < 300 ms @{top}", None if not search else search["p99"] < 300_000,
                  fmt_ms(search and search["p99"]) + " ms"))
    return found


def hit_ratio(result):
    cached = result.get("hits", 0) + result.get("misses", 0) + result.get("other", 0)
    return None if not cached else result.get("hits", 0) / cached


# ---------------------------------------------------------------------------------------------


def run_wrk(url, connections, seconds, script, headers=()):
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "10s", "-s", script]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def static_baseline(size):
    """A hashed static file (no .gz/.br twin) whose size is closest to `size` bytes."""
    manifest = json.loads((ROOT / "var" / "static" / "staticfiles.json").read_text())["paths"]
    candidates = []
    for hashed in manifest.values():
        path = ROOT / "var" / "static" / hashed
        if path.suffix in {".css", ".js", ".svg", ".html", ".txt"} and path.exists():
            candidates.append((abs(path.stat().st_size - size), f"/static/{hashed}", path.stat().st_size))
    return min(candidates)[1:]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def basket_cookie(base, product_path):
    """The Cookie header of a session whose basket holds one of the product (added through the
    product page's form, as a shopper does), or raise."""
    import requests
    from bs4 import BeautifulSoup

    http = requests.Session()
    page = http.get(base + product_path, timeout=30)
    for cookie in http.cookies:  # the store's cookies are Secure; this is plain HTTP on loopback
        cookie.secure = False
    form = BeautifulSoup(page.text, "html.parser").find("form", id="add_to_basket_form")
    if form is None:
        raise RuntimeError(f"no add-to-basket form on {base}{product_path}")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data["quantity"] = "1"
    added = http.post(requests.compat.urljoin(page.url, form.get("action") or page.url), data=data,
                      headers={"Referer": page.url}, timeout=30, allow_redirects=False)
    if added.status_code not in (200, 302):
        raise RuntimeError(f"adding to the basket answered {added.status_code}")
    # Flash messages (cookie storage) would show on every request wrk makes: leave them out.
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies if c.name != "messages")
    status, _, body = fetch(base + "/basket/", {"Cookie": cookie})
    if status != 200 or b"ql-claw" not in body.lower():
        raise RuntimeError("the basket page does not show the QL Claw with that session")
    return f"Cookie: {cookie}"


class Server:
    """A process group started for the bench, stopped with SIGTERM to the group."""

    def __init__(self, command, env, cwd=ROOT, log=None):
        self.process = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True,
                                        stdout=log or subprocess.DEVNULL, stderr=log or sys.stderr)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def log(message):
    print(message, file=sys.stderr, flush=True)


def measure(base, variant, pages, levels, seconds, lua, results, cookies):
    for name, path, headers in pages:
        if headers == "basket":
            headers = [cookies[variant]] if cookies.get(variant) else None
            if headers is None:
                continue
        results[variant, name] = {}
        for c in levels:
            results[variant, name][c] = r = run_wrk(base + path, c, seconds, lua, headers or ())
            log(f"  {variant} {name} c={c}: {r['rps']:.0f} req/s, p99 {r['p99'] / 1000:.1f} ms")


def warm(base, paths, headers=None, times=6):
    sizes = {}
    for path in paths:
        for _ in range(times):
            status, response_headers, body = fetch(base + path, headers)
        sizes[path] = (status, len(body), response_headers.get("X-Page-Cache"))
    return sizes


def start_placers(rate, seconds, count, env):
    """`count` order placers sharing `rate` orders a second, each ready (Django set up) on return."""
    placers = []
    with open(ROOT / "var" / "bench-placers.log", "a") as log_file:  # a line per order, and any traceback
        for _ in range(count):
            placer = subprocess.Popen(
                [sys.executable, str(SCRIPTS / "demo_orders.py"), "--rate", str(rate / count), "--seconds",
                 str(seconds)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log_file, text=True)
            placers.append(placer)
    for placer in placers:
        if placer.stdout.readline().strip() != "ready":
            for other in placers:
                other.kill()
            raise SystemExit("an order placer did not start")
    return placers


def placers_result(placers):
    """What the placers report, added up: orders placed, errors, and the longest run."""
    total = {"orders": 0, "errors": [], "seconds": 0.0}
    for placer in placers:
        out, _ = placer.communicate(timeout=120)
        report = json.loads(out.strip().splitlines()[-1])
        total["orders"] += report["orders"]
        total["errors"] += report["errors"]
        total["seconds"] = max(total["seconds"], report["seconds"])
    return total


EMAIL_BACKLOG = "import django; django.setup(); from huey.contrib.djhuey import HUEY; print(HUEY.pending_count())"


def email_backlog(env):
    """Tasks waiting in the worker's queue (the orders' emails: rendered and sent by the worker)."""
    out = subprocess.run([sys.executable, "-c", EMAIL_BACKLOG], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    return int(out.split()[-1])


def drain(env, limit=180):
    """(tasks queued now, seconds until the worker had taken them all, or None past `limit`)."""
    first = left = email_backlog(env)
    started = time.monotonic()
    while left and time.monotonic() - started < limit:
        time.sleep(0.5)
        left = email_backlog(env)
    return first, None if left else round(time.monotonic() - started, 1) if first else 0.0


def mixed_run(base, seconds, rate, env, placers=3, static_path=None):
    """wrk over the cached pages with no orders, then with orders at `rate` a second; then the
    static file while the same orders arrive (under the key "static")."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(WRK_MIXED % {"paths": ", ".join(f'"{p}"' for p in MIXED_PATHS)})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as plain:
        plain.write(WRK_REPORT)
    runs = {}
    # The placer's restock is a staff edit of the QL Claw's stock record (its price and product tags
    # change, and no page showing it can be stored for PAGE_CACHE_CLOCK_SKEW): done here, before
    # either run, with the pages warm again after it, so that the runs measure orders, not the edit.
    subprocess.run([sys.executable, str(SCRIPTS / "demo_orders.py"), "--restock"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    time.sleep(float(env.get("PAGE_CACHE_CLOCK_SKEW", 1.0)) + 1)
    warm(base, MIXED_PATHS)
    try:
        for orders in (0, rate):
            running = start_placers(orders, seconds + 3, placers, env) if orders else []
            runs[orders] = run_wrk(base + "/", 8, seconds, lua.name)
            if running:
                runs[orders]["placed"] = placers_result(running)
                # The worker renders each order's emails at a lower priority: how far behind it fell.
                runs[orders]["backlog"] = drain(env)
            log(f"  mixed, {orders} orders/s: {runs[orders]['rps']:.0f} req/s, hit ratio "
                f"{fmt_ratio(hit_ratio(runs[orders]))}")
        if static_path and rate:
            running = start_placers(rate, seconds + 3, placers, env)
            runs["static"] = run_wrk(base + static_path, 8, seconds, plain.name)
            runs["static"]["placed"] = placers_result(running)
            runs["static"]["backlog"] = drain(env)
            log(f"  static while {rate:g} orders/s arrive: {runs['static']['rps']:.0f} req/s")
    finally:
        os.unlink(lua.name)
        os.unlink(plain.name)
    return runs


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    port = int(os.environ.get("BENCH_PORT", "8290"))
    seconds = int(os.environ.get("BENCH_SECONDS", "6"))
    mixed_seconds = int(os.environ.get("BENCH_MIXED_SECONDS", "20"))
    rate = float(os.environ.get("BENCH_ORDERS_PER_SECOND", "5"))
    placers = max(1, int(os.environ.get("BENCH_ORDER_PLACERS", "3")))
    levels = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,8").split(",")]
    with_stock = os.environ.get("BENCH_STOCK", "1") not in ("0", "no", "false")
    workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
    started = time.monotonic()
    loads = [os.getloadavg()]

    env = production_env(port)
    env.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qlclaw_bench"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
        PORT=str(port), WEB_CONCURRENCY=str(workers),
        # wrk is one address; the search limit per IP would turn most of its requests into 429s.
        STORE_SEARCH_RATE="1000000/m",
    )
    env.pop("PAGE_CACHE_TIMEOUT", None)
    stock_env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(40), "WEB_CONCURRENCY": str(workers),
                 "PYTHONPATH": str(SCRIPTS), "DJANGO_SETTINGS_MODULE": "stock_oscar.settings"}
    stock_env.setdefault("STOCK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qlclaw_stock_oscar")
    if with_stock:  # before any measuring: the first time it migrates a database
        log("stock Oscar: making and seeding its database (scripts/stock_oscar/seed.py)")
        subprocess.run([sys.executable, str(SCRIPTS / "stock_oscar" / "seed.py")], env=stock_env, cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(WRK_REPORT)
    (ROOT / "var").mkdir(exist_ok=True)
    server_log = open(ROOT / "var" / "bench-servers.log", "w")  # noqa: SIM115  (closed at the end)
    log("the servers' own log: var/bench-servers.log")
    results, static, cookies, notes, queries, mixed = {}, {}, {}, [], {}, {}
    pages = [(name, ours, cookie) for name, ours, _, cookie in PAGES]
    try:
        # 1. The store, page cache on: static baseline, every page, the mixed run.
        base = f"http://127.0.0.1:{port}"
        server = Server([sys.executable, str(SCRIPTS / "serve_production.py")], env, log=server_log)
        try:
            wait_for(f"{base}/health/")
            seen = warm(base, [path for _, path, _ in pages])
            for name, path, _ in pages:
                status, size, state = seen[path]
                if status != 200:
                    notes.append(f"ours {name} ({path}) answered {status}")
            static_path, static_size = static_baseline(seen[PRODUCT][1])
            queries = json.loads(subprocess.run(
                [sys.executable, "-c", QUERY_COUNT, *dict.fromkeys(p for _, p, c in pages if not c)],
                cwd=ROOT, env={**env, "ALLOWED_HOSTS": "testserver,127.0.0.1"},
                capture_output=True, text=True, check=True).stdout)
            try:
                cookies["cached"] = cookies["uncached"] = basket_cookie(base, PRODUCT)
            except RuntimeError as error:  # the row is left out and the note says why
                notes.append(f"ours, basket with 1 item not measured: {error}")
            for c in levels:
                static[c] = run_wrk(base + static_path, c, seconds, lua.name)
                log(f"  static c={c}: {static[c]['rps']:.0f} req/s")
            measure(base, "cached", pages, levels, seconds, lua.name, results, cookies)
            cached_pages = [(n, p, c) for n, p, c in pages if not c and seen[p][2] == "hit"]
            if cookies.get("cached"):  # the cart with a line, kept per basket: its render measured too
                time.sleep(float(env.get("PAGE_CACHE_CLOCK_SKEW", 1.0)) + 1)  # stored only this long after the add
                cookie = {"Cookie": cookies["cached"].split(": ", 1)[1]}
                if warm(base, ["/basket/"], cookie)["/basket/"][2] == "hit":
                    cached_pages += [(n, p, c) for n, p, c in pages if c == "basket"]
            if mixed_seconds:
                mixed = mixed_run(base, mixed_seconds, rate, env, placers, static_path)
                for c in levels:  # the static file again, after the mixed run: how steady was the machine?
                    static[c, "after"] = run_wrk(base + static_path, c, seconds, lua.name)["rps"]
        finally:
            server.stop()
        loads.append(os.getloadavg())

        # 2. The store, page cache off, for the pages the cache serves.
        uncached_env = {**env, "PAGE_CACHE_TIMEOUT": "0"}
        base = f"http://127.0.0.1:{port + 1}"
        server = Server(gunicorn_command(port + 1, workers), uncached_env, log=server_log)
        try:
            wait_for(f"{base}/health/")
            warm(base, [p for _, p, c in cached_pages if not c])
            measure(base, "uncached", cached_pages, levels, seconds, lua.name, results, cookies)
        finally:
            server.stop()
        loads.append(os.getloadavg())

        # 3. Stock Oscar.
        if with_stock:
            base = f"http://127.0.0.1:{port + 2}"
            command = [str(Path(sys.executable).parent / "gunicorn"), "stock_oscar.wsgi:application",
                       "--bind", f"127.0.0.1:{port + 2}", "--workers", str(workers),
                       "--access-logfile", "/dev/null", "--log-level", "warning"]
            server = Server(command, stock_env, cwd=SCRIPTS, log=server_log)
            stock_pages = [(name, stock, cookie) for name, _, stock, cookie in PAGES]
            try:
                wait_for(f"{base}{PRODUCT}")
                seen = warm(base, [path for _, path, _ in stock_pages])
                for name, path, _ in stock_pages:
                    status, _, _ = seen[path]
                    if status != 200:
                        notes.append(f"stock {name} ({path}) answered {status}")
                _, _, listing = fetch(base + "/catalogue/")
                if b"ql-claw_1" not in listing:
                    notes.append("stock Oscar's catalogue list shows no product (Haystack without Whoosh?)")
                try:
                    cookies["stock"] = basket_cookie(base, PRODUCT)
                except RuntimeError as error:
                    notes.append(f"stock Oscar, basket with 1 item not measured: {error}")
                measure(base, "stock", stock_pages, levels, seconds, lua.name, results, cookies)
                stock_queries = json.loads(subprocess.run(
                    [sys.executable, "-c", QUERY_COUNT, *dict.fromkeys(p for _, p, c in stock_pages if not c)],
                    cwd=SCRIPTS, env=stock_env, capture_output=True, text=True, check=True).stdout)
            finally:
                server.stop()
            loads.append(os.getloadavg())
    finally:
        os.unlink(lua.name)
        server_log.close()

    report(results, static, static_path, static_size, levels, seconds, workers, loads, queries,
           stock_queries if with_stock else {}, mixed, rate, mixed_seconds, notes, time.monotonic() - started)


def report(results, static, static_path, static_size, levels, seconds, workers, loads, queries, stock_queries,
           mixed, rate, mixed_seconds, notes, elapsed):
    top = levels[-1]
    print(f"\n## make bench: the store, stock Oscar 4.2 and a static file, one run ({elapsed / 60:.1f} min)\n")
    print(f"Load average (1/5/15 min) at the start {'/'.join(f'{x:.2f}' for x in loads[0])}, after each server "
          + ", ".join("/".join(f"{x:.2f}" for x in load) for load in loads[1:])
          + f"; {os.cpu_count()} cores shared with wrk; gunicorn sync workers: {workers} per server; "
          f"{seconds} s per point.\n")
    static_line = ", ".join(f"@{c}: {static[c]['rps']:.0f} req/s" for c in levels)
    after = ", ".join(f"@{c}: {static[c, 'after']:.0f}" for c in levels if (c, "after") in static)
    print(f"Static baseline: {static_path} ({static_size // 1024} KB, WhiteNoise) {static_line}"
          + (f" (again after the mixed run {after})" if after else "") + "\n")
    page_names = [name for name, *_ in PAGES]
    print(markdown_table(table_header(levels), table_rows(results, page_names, levels, static)))
    print("\nQueries per request (in-process, warm; ours: render with the page cache off / a cached hit, "
          "'-' never cached):")
    for name, path, stock_path, cookie in PAGES:
        if cookie:
            continue
        ours = "/".join("-" if n is None else str(n) for n in queries.get(path, []))
        theirs = stock_queries.get(stock_path, [None])[0]
        print(f"  {name}: ours {ours or '?'}, stock Oscar {'-' if theirs is None else theirs}")
    if mixed:
        print(f"\nMixed run: home, product and article in turn at 8 connections, {mixed_seconds} s each; "
              "the static file again while the same orders arrive:\n")
        rows = []
        loaded = mixed.get("static", {}).get("rps")
        for orders, r in mixed.items():
            placed = r.get("placed", {})
            what = "static file" if orders == "static" else f"{orders:g} orders/s"
            if placed:
                what += (f" ({placed.get('orders', 0)} placed in {placed.get('seconds', 0):g} s = "
                         f"{placed.get('orders', 0) / max(placed.get('seconds', 1), 1):.1f}/s, "
                         f"{len(placed.get('errors', []))} errors")
                queued, drained = r.get("backlog", (None, None))
                if queued is not None:
                    what += (f"; email tasks queued at the end: {queued}, all taken "
                             + (f"{drained:g} s later" if drained is not None else "NOT within 180 s"))
                what += ")"
            rows.append([
                what, f"{r['rps']:.0f}", fmt_ms(r["p50"]), fmt_ms(r["p99"]),
                fmt_ratio(ratio(r["rps"], static[8]["rps"])) if 8 in static else "-",
                fmt_ratio(ratio(r["rps"], loaded)) if orders not in (0, "static") else "-",
                "-" if orders == "static" else fmt_ratio(hit_ratio(r)).rstrip("x"),
                "-" if orders == "static" else f"{r['hits']}/{r['misses']}/{r['other']}/{r['none']}",
                str(r["non2xx"] + r["errors"]),
            ])
            for error in placed.get("errors", []):
                notes.append(f"order placer: {error}")
        print(markdown_table(["run", "req/s", "p50 ms", "p99 ms", "x quiet static @8", "x static, same orders",
                              "hit ratio", "hit/miss/other/none", "non-2xx"], rows))
    found = targets(results, static, top)
    if mixed.get(rate) and 8 in static:
        value = ratio(mixed[rate]["rps"], static[8]["rps"])
        placed = mixed[rate].get("placed", {})
        reached = placed.get("orders", 0) / max(placed.get("seconds", 1), 1)
        found.append((f"cached pages >= 1/3 of static @8 while {rate:g} orders/s arrive ({reached:.1f}/s reached)",
                      None if value is None else value >= 1 / 3 and reached >= 0.9 * rate, fmt_ratio(value)))
    print("\nTargets (issue 18):")
    for what, met, figure in found:
        print(f"  {what}: {figure} {'met' if met else 'not measured' if met is None else 'MISSED'}")
    for note in notes:
        print(f"  note: {note}")


if __name__ == "__main__":
    main()

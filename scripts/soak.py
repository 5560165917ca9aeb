#!/usr/bin/env python
"""`make soak`: the benchmark's soak mode. Several minutes of browsing and buying against the
production profile, then the books are checked.

The store runs as in production (scripts/serve_production.py: gunicorn, PostgreSQL database
qlclaw_soak, Redis db 3) with real Stripe mode pointed at localstripe, the stateful Stripe
emulator from PyPI, which also delivers its signed webhooks to the store. So every paid
checkout reaches the order code through both doors at once: the shopper's return page and
Stripe's `payment_intent.succeeded` webhook.

Browsers read the home, product, article, list, search and basket pages. Buyers walk the whole
checkout as guests (add to basket, email, address, shipping method, payment page, the Pay
button's prepare call), pay on localstripe with the real SDK and land on the return page; one
checkout in five is declined first: the shopper goes back to the basket (which must still hold
the claw) and checks out again with a good card (on a new PaymentIntent: localstripe cannot
confirm one again after a decline, so the soak cancels it there).

At the end: zero 5xx, every paid checkout has exactly one order (and no order exists that no
checkout paid for), no payment was refunded, and the QL Claw's allocated stock grew by exactly
the quantities ordered.

Fault mode (SOAK_FAULTS=1, `make soak FAULTS=1`): the same load while things break. Every few
seconds a random gunicorn worker is killed with SIGKILL (the master starts another one); the
store's Redis is a redis-server of the soak's own on a free port (cache, sessions, rate limits and
the huey queue), stopped once mid-run and started again, empty, after SOAK_REDIS_DOWN seconds.
Shoppers who lose a connection retry like a browser's reload (counted); a checkout that still
cannot go on is abandoned (counted, not a failure). The database, qlclaw_soak_faults, is dropped
and made again at every run, so the books are this run's alone. After the load, the
reconciliation sweep runs with everything due (`manage.py reconcile_payments`,
PAYMENT_SWEEP_PENDING_AFTER=0, PAYMENT_SWEEP_REFUNDING_AFTER=0), and then the books must balance
against localstripe: every PaymentIntent that succeeded there has exactly one order or a full
refund, never both or neither; every order has a succeeded, unrefunded intent for its total; each
stock record's allocation equals the quantities ordered from it; orders == paid intents not
refunded. The exit status says whether they balance.

Environment: SOAK_SECONDS (default 300), SOAK_BROWSERS (6), SOAK_BUYERS (4), SOAK_PORT (8291);
fault mode: SOAK_FAULTS (off), SOAK_KILL_EVERY (3 s between worker kills, on average),
SOAK_REDIS_DOWN (25 s), SOAK_FAULTS_DATABASE_URL (postgres://postgres@127.0.0.1:5432/qlclaw_soak_faults).
"""

import collections
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import requests
import stripe
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from loadbalancer import LoadBalancer  # noqa: E402
from processes import _die_with_parent  # noqa: E402
from serve_production import WORKER_NICENESS, gunicorn_command, prepare, production_env, wait_for  # noqa: E402

PRODUCT = "/catalogue/ql-claw_1/"
BROWSE = [
    "/", PRODUCT, "/learn/psoas-trigger-points/", "/learn/", "/tutorials/", "/catalogue/",
    "/search/?q=psoas", "/basket/",
]
VISIT_PAGES = 20  # pages one visitor reads (browse)
FAULTS = os.environ.get("SOAK_FAULTS", "").lower() not in ("", "0", "false", "no")
# SOAK_NODES=2 (`make soak NODES=2`): two app servers behind HAProxy, one of them killed for a while.
NODES = int(os.environ.get("SOAK_NODES", "1") or 1)
# What the load balancer answers for a request it could not pass on or whose node died under it:
# a shopper reloads on these (counted), as on a dropped connection.
BALANCER_ERRORS = {502, 503, 504}
# A shopper whose page load dies (the worker was killed) reloads it, a few times, then gives up.
RELOADS = 6
CONNECTION_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
ADDRESS = {
    "first_name": "Soak", "last_name": "Tester", "line1": "1 Load Street",
    "line4": "Springfield", "state": "IL", "postcode": "62701",
}
DECLINE_EVERY = 5
WEBHOOK_SECRET = "whsec_soak_local"

# Run inside the store's environment (production settings), before and after the soak.
BOOKS = """
import django, json, sys
django.setup()
from django.db.models import Sum
from oscar.core.loading import get_model
Order, Line = get_model("order", "Order"), get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")
from checkout.models import CheckoutPayment, WebhookEvent
record = StockRecord.objects.get(product__upc="QLC-CLAW-01")
if sys.argv[1] == "restock":
    # Enough for the whole run: running out is tested elsewhere, here every checkout must place.
    record.num_in_stock = (record.num_allocated or 0) + 1_000_000
    record.save()
intents = json.loads(sys.argv[2]) if len(sys.argv) > 2 else []
per_intent = {}
for intent in intents:
    payment = CheckoutPayment.objects.filter(intent_id=intent).select_related("order").first()
    per_intent[intent] = {
        "status": payment.status if payment else None,
        "orders": Order.objects.filter(number=payment.order_number).count() if payment else 0,
    }
print(json.dumps({
    "orders": Order.objects.count(),
    "ordered_claws": Line.objects.filter(stockrecord=record).aggregate(n=Sum("quantity"))["n"] or 0,
    "allocated": record.num_allocated or 0,
    "in_stock": record.num_in_stock,
    "refunded": CheckoutPayment.objects.filter(status=CheckoutPayment.REFUNDED).count(),
    "succeeded_events": WebhookEvent.objects.filter(type="payment_intent.succeeded").count(),
    "failed_events": WebhookEvent.objects.filter(type="payment_intent.payment_failed").count(),
    "per_intent": per_intent,
}))
"""

# Fault mode: after the sweep, the books of the whole (fresh) database against localstripe.
FAULT_BOOKS = """
import django, json, sys
django.setup()
from collections import Counter
from django.db.models import Sum
from oscar.core.loading import get_model
from checkout import stripe_gateway
from checkout.models import CheckoutPayment, WebhookEvent, to_cents
Order, Line = get_model("order", "Order"), get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")
charged_by_shoppers = set(json.loads(sys.argv[2]))
problems, statuses, reasons = [], Counter(), Counter()
paid = refunded = 0
intent_of_order = {}
rows = CheckoutPayment.objects.select_related("order").order_by("pk")
for payment in rows:
    intent = stripe_gateway.retrieve_payment_intent(payment.intent_id)
    succeeded = intent.get("status") == "succeeded"
    refunds = stripe_gateway.list_refunds(payment.intent_id) if succeeded else []
    refunds = [r for r in refunds if r.get("status") not in ("failed", "canceled")]
    refunded_cents = sum(r["amount"] for r in refunds)
    order = payment.order
    statuses[payment.status] += 1
    row = (f"{payment.intent_id}: row {payment.status} {payment.unplaced_reason}, intent {intent.get('status')} "
           f"{intent.get('amount')} cents, order {order.number if order else None}, "
           f"refunds {[(r['id'], r['amount']) for r in refunds]}, last_error {payment.last_error[:120]!r}")
    if order is not None:
        intent_of_order[order.pk] = (succeeded, refunded_cents, intent.get("amount"), row)
    if not succeeded:
        if order is not None or refunded_cents:
            problems.append("an order or refund for an unpaid intent: " + row)
        continue
    paid += 1
    if order is not None and not refunded_cents:
        if payment.status != CheckoutPayment.PLACED:
            problems.append("ordered but the row is not placed: " + row)
    elif order is None and refunded_cents == intent["amount"]:
        refunded += 1
        reasons[payment.unplaced_reason or "(none)"] += 1
        if payment.status != CheckoutPayment.REFUNDED:
            problems.append("refunded but the row is not: " + row)
    else:
        problems.append("paid, but not exactly one order xor a full refund: " + row)
orders = 0
for order in Order.objects.order_by("pk"):
    orders += 1
    succeeded, refunded_cents, amount, row = intent_of_order.get(order.pk, (False, 0, None, "no payment row"))
    if not succeeded or refunded_cents:
        problems.append(f"order {order.number} without a paid, unrefunded intent: {row}")
    elif to_cents(order.total_incl_tax) != amount:
        problems.append(f"order {order.number} totals {order.total_incl_tax}, its intent {amount} cents: {row}")
known = set(rows.values_list("intent_id", flat=True))
for intent_id in sorted(charged_by_shoppers - known):
    problems.append(f"{intent_id}: paid by a shopper, no payment row")
unknown_paid = 0
for intent in stripe_gateway._client().v1.payment_intents.list(params={"limit": 100}).auto_paging_iter():
    if intent.status == "succeeded" and intent.id not in known:
        unknown_paid += 1
        problems.append(f"{intent.id}: succeeded at localstripe, no payment row")
stock = []
for record in StockRecord.objects.select_related("product").order_by("pk"):
    ordered = Line.objects.filter(stockrecord=record).aggregate(n=Sum("quantity"))["n"] or 0
    stock.append((record.product.upc, record.num_allocated or 0, ordered))
    if (record.num_allocated or 0) != ordered:
        problems.append(f"stock {record.product.upc}: allocated {record.num_allocated}, ordered {ordered}")
if orders != paid - refunded:
    problems.append(f"{orders} orders for {paid} paid intents of which {refunded} refunded")
print(json.dumps({
    "payments": sum(statuses.values()), "statuses": statuses, "paid": paid, "refunded": refunded,
    "refund_reasons": reasons, "orders": orders, "stock": stock, "unknown_paid": unknown_paid,
    "succeeded_events": WebhookEvent.objects.filter(type="payment_intent.succeeded").count(),
    "failed_events": WebhookEvent.objects.filter(type="payment_intent.payment_failed").count(),
    "problems": problems,
}))
"""


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.server_errors = []
        self.failures = []
        self.paid = {}  # intent id -> quantity
        self.charged = set()  # intents confirmed at localstripe, whatever the return page did next
        self.declined = 0
        self.connection_errors = 0
        self.workers_killed = 0
        self.redis_down = []  # seconds of each Redis outage
        self.error_times = []  # (monotonic time, what) of every 5xx and dropped connection
        self.reloads_after_5xx = 0
        self.node_outages = []  # (node, killed at, healthy again at) in monotonic seconds

    def response(self, response):
        with self.lock:
            self.statuses[response.status_code // 100 * 100] += 1
            if response.status_code >= 500:
                what = f"{response.status_code} {response.request.method} {response.url}"
                self.server_errors.append(what)
                self.error_times.append((time.monotonic(), what))


def form_data(form):
    """The values a browser would submit for this form, before the shopper types anything."""
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "image"):
            continue
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.get("type") in ("checkbox", "radio"):
            data[name] = field.get("value", "on")  # what a browser sends for a ticked box without a value
        elif field.name == "select":
            option = field.find("option", selected=True) or field.find("option")
            data[name] = option.get("value", option.text) if option else ""
        elif field.name == "textarea":
            text = field.text  # browsers drop one newline right after <textarea> (Django writes one)
            data[name] = text[1:] if text.startswith("\n") else text
        else:
            data[name] = field.get("value", "")
    return data


class Shopper:
    def __init__(self, base, tally):
        self.base, self.tally = base, tally
        self.http = requests.Session()
        # One client address per shopper, as the TLS proxy in front of production would pass it on
        # (TRUSTED_PROXY_COUNT=1): the rate limits count per shopper, not for the whole soak.
        address = ".".join(str(random.randrange(1, 255)) for _ in range(3))
        self.http.headers["X-Forwarded-For"] = f"10.{address}"

    def request(self, method, path, expect=(200,), **kwargs):
        url = path if path.startswith("http") else self.base + path
        while True:
            response = self.send(method, url, **kwargs)
            # Production cookies are Secure and the soak talks plain HTTP on loopback, where a TLS
            # proxy would sit in front: send them back, as the browser behind that proxy would.
            for cookie in self.http.cookies:
                cookie.secure = False
            if not response.is_redirect:
                break
            method, kwargs = "GET", {"headers": kwargs.get("headers", {})}
            url = requests.compat.urljoin(url, response.headers["Location"])
        if response.status_code not in expect:
            title = re.search(r"<title>(.*?)</title>", response.text, re.S)
            raise AssertionError(f"{method} {path}: {response.status_code} {title[1].strip() if title else ''}")
        return response

    def send(self, method, url, **kwargs):
        """One request; in fault mode a connection that dies (its worker was killed) is counted
        and the request sent again after a moment, as a shopper reloads or presses the button again."""
        for attempt in range(1, RELOADS + 1):
            try:
                response = self.http.request(method, url, timeout=30, allow_redirects=False, **kwargs)
            except CONNECTION_ERRORS as error:
                with self.tally.lock:
                    self.tally.connection_errors += 1
                    self.tally.error_times.append((time.monotonic(), f"connection error {method} {url}: {error!r:.80}"))
                # Behind the load balancer, a request in flight on a node that dies comes back as a
                # closed connection (HAProxy closes a kept-alive one so the client may retry): reload.
                if not (FAULTS or NODES > 1) or attempt == RELOADS:
                    raise
                time.sleep(random.uniform(0.3, 1.5))
                continue
            self.tally.response(response)
            # Behind the load balancer (NODES=2), a request whose node died under it comes back as a
            # 502: the shopper sees it (counted) and reloads, as with a dropped connection.
            if NODES > 1 and response.status_code in BALANCER_ERRORS and attempt < RELOADS:
                with self.tally.lock:
                    self.tally.reloads_after_5xx += 1
                time.sleep(random.uniform(0.3, 1.5))
                continue
            return response

    def page(self, path):
        response = self.request("GET", path)
        return response, BeautifulSoup(response.text, "html.parser")

    def submit(self, response, soup, form, **values):
        data = {**form_data(form), **values}
        action = form.get("action") or response.url
        return self.request("POST", action if action.startswith("http") else self.base + action, data=data,
                            headers={"Referer": response.url})


def browse(base, tally, stop):
    """One browser is a stream of visitors, each reading VISIT_PAGES pages from an address of its
    own: one address at the loop's pace would search about 150 times a minute, and the store's
    per-address search limit (60/m) rightly answers a crawler like that with 429s."""
    views = 0
    while not stop.is_set():
        if views % VISIT_PAGES == 0:
            shopper = Shopper(base, tally)
        views += 1
        try:
            shopper.request("GET", random.choice(BROWSE))
        except Exception as error:  # noqa: BLE001  (every failure is reported at the end)
            with tally.lock:
                tally.failures.append(f"browse: {error}")


def to_payment_page(shopper, email):
    """From the basket through the guest checkout's steps to the payment page and its Pay button's
    prepare call; returns the payment form."""
    response, soup = shopper.page("/checkout/")
    gateway = next((f for f in soup.find_all("form") if f.find("input", attrs={"name": "username"})), None)
    if gateway is not None:
        response = shopper.submit(response, soup, gateway, username=email, options="anonymous")
        soup = BeautifulSoup(response.text, "html.parser")
    response = shopper.submit(response, soup, soup.find("form", id="new_shipping_address"), **ADDRESS)
    soup = BeautifulSoup(response.text, "html.parser")
    method = next(
        f for f in soup.find_all("form")
        if (f.find("input", attrs={"name": "method_code"}) or {}).get("value") == "standard"
    )
    response = shopper.submit(response, soup, method)
    soup = BeautifulSoup(response.text, "html.parser")
    pay_form = soup.find("form", id="payment-form")
    if pay_form is None:
        raise AssertionError(f"no payment form at {response.url}")
    prepared = shopper.request(
        "POST", pay_form["action"], data=form_data(pay_form),
        headers={"Referer": response.url, "X-Requested-With": "XMLHttpRequest", "Accept": "application/json"},
    )
    if prepared.json() != {"ok": True}:
        raise AssertionError(f"prepare: {prepared.text}")
    return response, soup, pay_form


def checkout(shopper, stripe_client, decline_first):
    tally = shopper.tally
    intents = stripe_client.v1.payment_intents
    quantity = random.choice((1, 1, 2))
    email = f"soak{random.randrange(10**9)}@example.com"
    response, soup = shopper.page(PRODUCT)
    shopper.submit(response, soup, soup.find("form", id="add_to_basket_form"), quantity=str(quantity))
    response, soup, pay_form = to_payment_page(shopper, email)
    if decline_first:
        intent_id = pay_form["data-client-secret"].split("_secret_")[0]
        intents.update(intent_id, params={"payment_method": "pm_card_chargeCustomerFail"})
        try:
            intents.confirm(intent_id)
            raise AssertionError("the declining card was accepted")
        except stripe.CardError:
            pass
        # The shopper goes back to the basket, which must still hold the claw, and checks out
        # again. localstripe cannot confirm an intent again after a decline (Stripe can), so the
        # declined intent is canceled there and the store must start a new one for this basket.
        intents.cancel(intent_id)
        cancel = soup.find("form", class_="payment-change-basket")
        basket = shopper.submit(response, soup, cancel)
        if f'data-basket-count="{quantity}"' not in basket.text:
            raise AssertionError(f"the basket was not kept after the decline of {intent_id}")
        with tally.lock:
            tally.declined += 1
        response, soup, pay_form = to_payment_page(shopper, email)
        if pay_form["data-client-secret"].startswith(intent_id + "_"):
            raise AssertionError(f"the canceled {intent_id} was handed back")
    secret = pay_form["data-client-secret"]
    intent_id = secret.split("_secret_")[0]
    intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    if intents.confirm(intent_id).status != "succeeded":
        raise AssertionError(f"{intent_id} did not succeed")
    with tally.lock:
        tally.charged.add(intent_id)
    done = shopper.request("GET", f"{pay_form['data-return-url']}?payment_intent={intent_id}"
                           f"&payment_intent_client_secret={secret}")
    if "/checkout/thank-you/" not in done.url:
        raise AssertionError(f"{intent_id}: the return page went to {done.url}")
    with tally.lock:
        tally.paid[intent_id] = quantity


def buy(base, tally, stop, stripe_client):
    n = 0
    while not stop.is_set():
        n += 1
        shopper = Shopper(base, tally)
        try:
            checkout(shopper, stripe_client, decline_first=random.randrange(DECLINE_EVERY) == 0)
        except Exception as error:  # noqa: BLE001
            with tally.lock:
                frames = traceback.extract_tb(error.__traceback__)
                where = [f for f in frames if f.name in ("checkout", "to_payment_page")][-1]
                # In fault mode the shopper's address finds its requests in the access log.
                who = f" [{shopper.http.headers['X-Forwarded-For']}]" if FAULTS else ""
                tally.failures.append(f"checkout: {error!r} (line {where.lineno}: {where.line}){who}")


class RedisServer:
    """The fault mode's own redis-server on a free loopback port, nothing saved to disk. Stopped
    with SIGKILL (a crash), started again empty on the same port."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise SystemExit("The fault mode needs redis-server (apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = None

    def url(self, db):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise SystemExit(f"redis-server did not answer on port {self.port}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    @property
    def up(self):
        return self.process is not None


def children(pid):
    """The process ids whose parent is pid (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def gunicorn_workers(server_pid):
    """The worker pids of the gunicorn master that serve_production.py (server_pid) started."""
    for pid in children(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"gunicorn" in part for part in command[:2]):
            return children(pid)
    return []


def inject_faults(workers_of, redis_server, tally, stop, seconds):
    """Until stop: SIGKILL a random gunicorn worker every SOAK_KILL_EVERY seconds on average, and
    stop Redis once, 40% into the run, for SOAK_REDIS_DOWN seconds. Redis is up again on return."""
    kill_every = float(os.environ.get("SOAK_KILL_EVERY", "3"))
    down_for = float(os.environ.get("SOAK_REDIS_DOWN", "25"))
    started = time.monotonic()
    down_at, down_since = started + seconds * 0.4, None
    next_kill = started + kill_every
    try:
        while not stop.wait(0.2):
            now = time.monotonic()
            if down_since is None and not tally.redis_down and now >= down_at:
                redis_server.stop()
                down_since = now
                print(f"  {now - started:.0f} s: Redis stopped", file=sys.stderr, flush=True)
            elif down_since is not None and now >= down_since + down_for:
                redis_server.start()
                tally.redis_down.append(time.monotonic() - down_since)
                down_since = None
                print(f"  {time.monotonic() - started:.0f} s: Redis back", file=sys.stderr, flush=True)
            if now >= next_kill:
                next_kill = now + kill_every * random.uniform(0.5, 1.5)
                workers = workers_of()
                if workers:
                    try:
                        os.kill(random.choice(workers), signal.SIGKILL)
                    except ProcessLookupError:
                        continue
                    with tally.lock:
                        tally.workers_killed += 1
    finally:
        if down_since is not None:
            redis_server.start()
            tally.redis_down.append(time.monotonic() - down_since)


class Node:
    """One app server of `make soak NODES=2`: its own gunicorn master (production settings) on its own
    port, in a process group of its own so that a kill takes the master and its workers at once."""

    def __init__(self, name, port, env, log):
        self.name, self.port, self.env, self.log = name, port, env, log
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        # No parent-death signal here: Linux sends it when the *thread* that started the child ends,
        # and node_outage starts the node again from a thread of its own. stop() ends it.
        self.process = subprocess.Popen(
            gunicorn_command(self.port), cwd=ROOT, env=self.env, start_new_session=True,
            stdout=self.log, stderr=self.log,
        )

    def workers(self):
        return children(self.process.pid) if self.process is not None and self.process.poll() is None else []

    def kill(self):
        """SIGKILL to the master and every worker (a crashed machine, not a graceful stop)."""
        pids = [self.process.pid, *self.workers()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)
        return len(pids) - 1

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def node_outage(node, tally, stop, seconds):
    """Kill `node` (SIGKILL, master and workers) SOAK_NODE_DOWN_AT into the run (a fraction, 0.2),
    keep it down SOAK_NODE_DOWN seconds (25), start it again and note when it answers its health
    check. The load balancer takes it out and puts it back by itself."""
    down_for = float(os.environ.get("SOAK_NODE_DOWN", "25"))
    started = time.monotonic()
    if stop.wait(seconds * float(os.environ.get("SOAK_NODE_DOWN_AT", "0.2"))):
        return
    killed_at = time.monotonic()
    workers = node.kill()
    print(f"  {killed_at - started:.0f} s: node {node.name} killed (master + {workers} workers, SIGKILL)",
          file=sys.stderr, flush=True)
    stop.wait(down_for)
    node.start()
    healthy_at = None
    try:
        wait_for(node.url + "/health/?only=database", timeout=120)
        healthy_at = time.monotonic()
        print(f"  {healthy_at - started:.0f} s: node {node.name} back "
              f"({healthy_at - killed_at:.1f} s after the kill)", file=sys.stderr, flush=True)
    except SystemExit as error:
        print(f"  node {node.name} did not come back: {error}", file=sys.stderr, flush=True)
    with tally.lock:
        tally.node_outages.append((node.name, killed_at, healthy_at))


# The load balancer appends its own client address to X-Forwarded-For; a request sent to a node
# directly says the same, so the node takes the shopper's address from it (TRUSTED_PROXY_COUNT=2).
def direct_headers(client):
    return {"X-Forwarded-For": f"{client}, 127.0.0.1"}


STAFF = """
import django, json, sys
django.setup()
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model
user, _ = get_user_model().objects.get_or_create(username="soak-staff", defaults={"email": sys.argv[2]})
user.email, user.is_staff, user.is_superuser = sys.argv[2], True, True
user.set_password(sys.argv[3])
user.save()
record = get_model("partner", "StockRecord").objects.get(product__upc="QLC-CLAW-01")
print(json.dumps({"product": record.product_id, "price": str(record.price)}))
"""


SET_PRICE = """
import django, sys
django.setup()
from oscar.core.loading import get_model
record = get_model("partner", "StockRecord").objects.get(product__upc="QLC-CLAW-01")
record.price = sys.argv[1]
record.save()
"""


def call(http, method, url, **kwargs):
    """One request of a requests session; its cookies made sendable over plain HTTP afterwards (the
    production cookies are Secure; a TLS proxy would stand in front), as Shopper.request does."""
    response = http.request(method, url, timeout=30, allow_redirects=False, **kwargs)
    for cookie in http.cookies:
        cookie.secure = False
    return response


def sign_in(http, node, email, password, client):
    """Sign in on `node` through the shop's sign-in form; returns the response."""
    form_page = call(http, "GET", node.url + "/accounts/login/", headers=direct_headers(client))
    soup = BeautifulSoup(form_page.text, "html.parser")
    form = next(f for f in soup.find_all("form") if f.find("input", attrs={"name": "login-username"}))
    data = {**form_data(form), "login-username": email, "login-password": password, "login_submit": "1"}
    return call(http, "POST", node.url + "/accounts/login/", data=data, headers=direct_headers(client))


def price_on_other_node(env, node_a, node_b):
    """Change the QL Claw's price in the dashboard on node A, then read the product page on node B at
    once (after it was cached there). Returns (ok, what happened). The price is put back after."""
    email, password = "soak-staff@example.com", secrets.token_urlsafe(16)
    result = subprocess.run([sys.executable, "-c", STAFF, "staff", email, password], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        return False, f"could not make the staff user: {result.stderr[-500:]}"
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    old = facts["price"]
    new = f"{float(old) - 1 - random.randrange(1, 99) / 100:.2f}"
    anonymous = requests.Session()
    for _ in range(3):  # cache the page on node B (anonymous, no cookies)
        cached = anonymous.get(node_b.url + PRODUCT, headers=direct_headers("10.200.0.1"), timeout=30)
        anonymous.cookies.clear()
    before_state = cached.headers.get("X-Page-Cache", "(no header)")
    staff = requests.Session()
    signed_in = sign_in(staff, node_a, email, password, "10.200.0.2")
    if signed_in.status_code != 302:
        return False, f"staff sign-in on node {node_a.name} answered {signed_in.status_code}"

    def set_price(price):
        edit = node_a.url + f"/dashboard/catalogue/products/{facts['product']}/"
        page = call(staff, "GET", edit, headers=direct_headers("10.200.0.2"))
        soup = BeautifulSoup(page.text, "html.parser")
        form = next((f for f in soup.find_all("form") if f.find("input", attrs={"name": "stockrecords-0-price"})), None)
        if form is None:
            return f"no product form with a price at {edit} ({page.status_code})"
        data = {**form_data(form), "stockrecords-0-price": price, "action": "continue"}
        saved = call(staff, "POST", edit, data=data, headers={**direct_headers("10.200.0.2"), "Referer": edit})
        if saved.status_code != 302:
            errors = BeautifulSoup(saved.text, "html.parser").select(".error-block, .invalid-feedback, .errorlist")
            return f"saving the price answered {saved.status_code}: {[e.get_text(' ', strip=True) for e in errors][:5]}"
        return None

    problem = set_price(new)
    if problem:
        # The dashboard failed: say so (the check fails), and still find out whether node B's page
        # follows a price saved elsewhere, through the models as the dashboard would save it.
        saved = subprocess.run([sys.executable, "-c", SET_PRICE, new], cwd=ROOT, env=env, capture_output=True,
                               text=True)
        if saved.returncode:
            return False, f"{problem}; saving the price in a separate process failed too: {saved.stderr[-300:]}"
        seen = anonymous.get(node_b.url + PRODUCT, headers=direct_headers("10.200.0.1"), timeout=30)
        subprocess.run([sys.executable, "-c", SET_PRICE, old], cwd=ROOT, env=env, capture_output=True)
        return False, (f"the dashboard on node {node_a.name} failed: {problem}. Price {old} -> {new} saved in a "
                       f"separate process instead: node {node_b.name}'s product page (page cache "
                       f"{seen.headers.get('X-Page-Cache', '(no header)')}) shows "
                       f"{'the new price' if new in seen.text else 'NOT the new price'}"
                       f"{' and still the old one' if f'${old}' in seen.text else ''}")
    seen = anonymous.get(node_b.url + PRODUCT, headers=direct_headers("10.200.0.1"), timeout=30)
    page_cache = seen.headers.get("X-Page-Cache", "(no header)")
    ok = new in seen.text and f"${old}" not in seen.text
    put_back = set_price(old)
    what = (f"price {old} -> {new} in the dashboard on node {node_a.name}; product page on node "
            f"{node_b.name} (page cache {before_state} before, {page_cache} after) shows "
            f"{'the new price' if new in seen.text else 'NOT the new price'}"
            f"{' and still the old one' if f'${old}' in seen.text else ''}"
            f"{'; putting the price back failed: ' + put_back if put_back else ''}")
    return ok, what


def shared_rate_limit(nodes, rate, tries=3):
    """Failed sign-ins for one account, from one address, sent to the nodes in turn: the limit (rate
    "N/period") must stop attempt N + 1 whichever node it reaches, as the counters live in Redis.
    Counted per node, no attempt before 2N + 1 would be refused. django-ratelimit counts in fixed
    windows (offset per key), so a probe that straddles a window's end sees the 429 later: then it
    is tried again with another account and address, up to `tries` times. Returns (ok, what happened)."""
    limit = int(rate.split("/")[0])
    seen = []
    for _ in range(tries):
        client = f"10.201.{random.randrange(256)}.{random.randrange(1, 255)}"
        email = f"nobody{random.randrange(10**9)}@example.com"
        http = requests.Session()
        form_page = call(http, "GET", nodes[0].url + "/accounts/login/", headers=direct_headers(client))
        soup = BeautifulSoup(form_page.text, "html.parser")
        form = next(f for f in soup.find_all("form") if f.find("input", attrs={"name": "login-username"}))
        data = {**form_data(form), "login-username": email, "login-password": "wrong-password", "login_submit": "1"}
        statuses, started = [], time.monotonic()
        for attempt in range(limit + 3):
            node = nodes[attempt % len(nodes)]
            response = call(http, "POST", node.url + "/accounts/login/", data=data, headers=direct_headers(client))
            statuses.append((node.name, response.status_code))
        first = next((i + 1 for i, (_, status) in enumerate(statuses) if status == 429), None)
        ok = first == limit + 1 and all(status == 429 for _, status in statuses[limit:])
        seen.append(f"first 429 at attempt {first} in {time.monotonic() - started:.1f} s "
                    f"({', '.join(f'{name}:{status}' for name, status in statuses)})")
        if ok:
            break
    return ok, f"limit {rate}, expected the first 429 at attempt {limit + 1}: " + "; then ".join(seen)


def outage_errors(tally, grace=3.0):
    """The 5xx and dropped connections shoppers saw, split into: at a node's kill (within `grace`
    seconds: the requests that node had in flight), while it was down or starting, and elsewhere."""
    at_kill, during, elsewhere = [], [], []
    for when, what in tally.error_times:
        for _, killed_at, healthy_at in tally.node_outages:
            if killed_at <= when <= killed_at + grace:
                at_kill.append(what)
                break
            if killed_at <= when <= (healthy_at or float("inf")) + 5:
                during.append(what)
                break
        else:
            elsewhere.append(what)
    return at_kill, during, elsewhere


def recreate_database(url):
    """Drop the fault mode's database (serve_production.py creates, migrates and seeds it again)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "soak" not in name:
        raise SystemExit(f"The fault mode drops its database at every run: {name!r} is not a soak database")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_sweep(env, log):
    """manage.py reconcile_payments with every pending and refunding payment due; its outcomes."""
    result = subprocess.run(
        [sys.executable, "manage.py", "reconcile_payments"], cwd=ROOT, capture_output=True, text=True,
        env={**env, "PAYMENT_SWEEP_PENDING_AFTER": "0", "PAYMENT_SWEEP_REFUNDING_AFTER": "0"},
    )
    log.write(result.stderr)
    outcomes = {m[1]: int(m[2]) for m in re.finditer(r"^(.+): (\d+)$", result.stdout, re.M)}
    if result.returncode:
        outcomes["exit status"] = result.returncode
    return outcomes


def start_localstripe(port):
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "localstripe"), "--port", str(port), "--from-scratch"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    for line in process.stdout:
        if "Running on" in line:
            return process
    raise SystemExit("localstripe did not start")


def books(env, step, intents=(), script=BOOKS):
    result = subprocess.run(
        [sys.executable, "-c", script, step, json.dumps(list(intents))],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode:
        raise SystemExit(f"The books ({step}) could not be read:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    seconds = int(os.environ.get("SOAK_SECONDS", "300"))
    browsers = int(os.environ.get("SOAK_BROWSERS", "6"))
    buyers = int(os.environ.get("SOAK_BUYERS", "4"))
    port = int(os.environ.get("SOAK_PORT", "8291"))  # NODES=2: the load balancer; the nodes on the next ports
    stripe_port = int(os.environ.get("SOAK_STRIPE_PORT", port + 1000))
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    base = f"http://127.0.0.1:{port}"

    env = production_env(port)
    env.update(
        PORT=str(port),
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qlclaw_soak"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        STRIPE_SECRET_KEY="sk_test_soak",
        STRIPE_PUBLISHABLE_KEY="pk_test_soak",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_base,
        STRIPE_PAYMENT_METHOD_TYPES="card",  # localstripe refuses automatic_payment_methods
    )
    redis_server, server_log = None, None
    nodes, balancer, worker = [], None, None
    isolated = FAULTS or NODES > 1
    if isolated:
        # Its own database, made afresh, and its own Redis, which it may stop: never the shared one.
        # With NODES=2 too: the books of a run with a node killed are checked as the fault mode's are.
        name = "qlclaw_soak_faults" if FAULTS else "qlclaw_soak_nodes"
        env["DATABASE_URL"] = os.environ.get(
            "SOAK_FAULTS_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}"
        )
        recreate_database(env["DATABASE_URL"])
        redis_server = RedisServer()
        redis_server.start()
        env.update(REDIS_URL=redis_server.url(0), HUEY_REDIS_URL=redis_server.url(1))
        # An access log with each request's worker and shopper, to trace what a fault did to a checkout.
        env.update(ACCESS_LOG="1", GUNICORN_CMD_ARGS=(
            "--access-logformat '%(t)s %(p)s %({x-forwarded-for}i)s \"%(r)s\" %(s)s %(M)sms'"
        ))
        # The server's log lines (access log, a line per killed worker, Redis going and back) go to a file.
        (ROOT / "var").mkdir(exist_ok=True)
        log_name = "soak-faults.log" if FAULTS else "soak-nodes.log"
        server_log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115  (closed at the end)
    if NODES > 1:
        # The load balancer appends to X-Forwarded-For: the shopper's address is one further left.
        env["TRUSTED_PROXY_COUNT"] = "2"
        # One MEDIA_ROOT for every node (a real deploy shares a bucket, MEDIA_STORAGE=s3).
        env.setdefault("MEDIA_ROOT", str(ROOT / "var" / "media"))
    if NODES > 1:
        print(f"soak: preparing the database for {NODES} nodes", file=sys.stderr, flush=True)
        try:
            prepare(env)
        except subprocess.CalledProcessError:
            if redis_server is not None:
                redis_server.stop()
            raise
    try:
        stripe_server = start_localstripe(stripe_port)
    except SystemExit:
        if redis_server is not None:
            redis_server.stop()
        raise
    server = None
    if NODES > 1:
        nodes = [Node(chr(ord("a") + i), port + 1 + i, env, server_log) for i in range(NODES)]
        balancer = LoadBalancer(port, [(node.name, node.port) for node in nodes])
        # One email worker for the nodes (the queue is in the shared Redis), as one per server would do.
        worker = subprocess.Popen(["nice", "-n", WORKER_NICENESS, sys.executable, "manage.py", "run_huey"],
                                  cwd=ROOT, env=env, stdout=server_log, stderr=server_log, start_new_session=True,
                                  preexec_fn=_die_with_parent)

        def workers_of():
            return [pid for node in nodes for pid in node.workers()]
    else:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve_production.py")], cwd=ROOT, env=env,
            start_new_session=True, stdout=server_log, stderr=server_log,
        )

        def workers_of():
            return gunicorn_workers(server.pid)
    tally = Tally()
    sweep = fault_books = None
    node_checks = {}
    try:
        if nodes:
            for node in nodes:
                node.start()
            for node in nodes:
                wait_for(node.url + "/health/")
            balancer.start(server_log)
        wait_for(f"{base}/health/")
        requests.post(
            f"{stripe_base}/_config/webhooks/qlclaw",
            json={"url": f"{base}/payments/stripe/webhook/", "secret": WEBHOOK_SECRET,
                  "events": ["payment_intent.succeeded", "payment_intent.payment_failed"]},
            timeout=10,
        ).raise_for_status()
        before = books(env, "restock")
        stripe_client = stripe.StripeClient("sk_test_soak", base_addresses={"api": stripe_base})
        stop = threading.Event()
        threads = [threading.Thread(target=browse, args=(base, tally, stop)) for _ in range(browsers)]
        threads += [threading.Thread(target=buy, args=(base, tally, stop, stripe_client)) for _ in range(buyers)]
        if FAULTS:
            faults = (workers_of, redis_server, tally, stop, seconds)
            threads.append(threading.Thread(target=inject_faults, args=faults))
        if nodes:
            threads.append(threading.Thread(target=node_outage, args=(nodes[-1], tally, stop, seconds)))
        print(f"soak: {seconds} s, {browsers} browsers, {buyers} buyers against {base}"
              f"{f' (HAProxy over {len(nodes)} nodes on ports {nodes[0].port}-{nodes[-1].port})' if nodes else ''}"
              f"{' with faults' if FAULTS else ''}{f' (server log: {server_log.name})' if server_log else ''}",
              file=sys.stderr, flush=True)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while time.monotonic() - started < seconds:
            time.sleep(max(0.1, min(30, seconds - (time.monotonic() - started))))
            print(f"  {time.monotonic() - started:.0f} s: {sum(tally.statuses.values())} requests, "
                  f"{len(tally.paid)} paid checkouts", file=sys.stderr, flush=True)
        stop.set()
        for thread in threads:
            thread.join()
        time.sleep(5)  # localstripe delivers its webhooks a second after each event
        if nodes:
            try:
                for node in nodes:  # a node still starting again (a short run) is waited for
                    wait_for(node.url + "/health/?only=database", timeout=120)
            except SystemExit as error:
                node_checks["every node up again for the checks across nodes"] = (False, str(error))
            else:
                node_checks["a price changed on one node shows on the other at once"] = price_on_other_node(
                    env, nodes[0], nodes[1])
                node_checks["sign-in limit shared by the nodes"] = shared_rate_limit(
                    nodes, os.environ.get("STORE_LOGIN_RATE", "10/m"))
        if isolated:
            sweep = run_sweep(env, server_log)
            fault_books = books(env, "faults", sorted(tally.charged), script=FAULT_BOOKS)
        else:
            after = books(env, "check", tally.paid)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if balancer is not None:
            balancer.stop()
        for node in nodes:
            node.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        os.killpg(stripe_server.pid, signal.SIGTERM)
        stripe_server.wait(timeout=30)
        if redis_server is not None:
            redis_server.stop()
        if server_log is not None:
            server_log.close()

    if isolated:
        status = fault_report(seconds, browsers, buyers, tally, sweep, fault_books)
        if nodes:
            status = nodes_report(tally, node_checks) or status
        sys.exit(status)

    wrong = {intent: row for intent, row in after["per_intent"].items() if row != {"status": "placed", "orders": 1}}
    new_orders = after["orders"] - before["orders"]
    allocated = after["allocated"] - before["allocated"]
    ordered = after["ordered_claws"] - before["ordered_claws"]
    expected = sum(tally.paid.values())
    checks = {
        "zero 5xx": not tally.server_errors,
        "no failed step": not tally.failures,
        "every paid checkout has exactly one order": not wrong and new_orders == len(tally.paid),
        "no refund": after["refunded"] == before["refunded"],
        "a signed webhook for every payment": after["succeeded_events"] - before["succeeded_events"] == len(tally.paid),
        "stock allocated == QL Claws ordered": allocated == ordered == expected,
    }
    total = sum(tally.statuses.values())
    print(f"\nsoak: {seconds} s, {browsers} browsers + {buyers} buyers, {total} requests "
          f"({total / seconds:.0f}/s), by class: {dict(sorted(tally.statuses.items()))}")
    print(f"checkouts paid: {len(tally.paid)} (of which {tally.declined} declined first, then paid); "
          f"new orders: {new_orders}; QL Claws ordered: {ordered}, allocated: {allocated}, expected: {expected}")
    print(f"webhooks processed: {after['succeeded_events'] - before['succeeded_events']} succeeded, "
          f"{after['failed_events'] - before['failed_events']} payment_failed")
    for line in (tally.server_errors + tally.failures)[:20]:
        print("  !", line)
    for intent, row in list(wrong.items())[:20]:
        print("  ! wrong books for", intent, row)
    for name, ok in checks.items():
        print(f"  {name}: {'ok' if ok else 'FAILED'}")
    sys.exit(0 if all(checks.values()) else 1)


def fault_report(seconds, browsers, buyers, tally, sweep, result):
    """The fault mode's figures and its one verdict: do the books balance. Returns the exit status."""
    total = sum(tally.statuses.values())
    classes = {f"{k // 100}xx": v for k, v in sorted(tally.statuses.items())}
    mode = [f"{NODES} nodes, one killed for a while"] if NODES > 1 else []
    mode = " + ".join(mode + (["faults"] if FAULTS else []))
    print(f"\nsoak with {mode}: {seconds} s, {browsers} browsers + {buyers} buyers, {total} requests "
          f"({total / seconds:.0f}/s), by class: {classes}")
    if FAULTS:
        print(f"faults: {tally.workers_killed} gunicorn workers killed (SIGKILL); Redis down "
              f"{' + '.join(f'{d:.1f} s' for d in tally.redis_down) or 'never'}")
    print(f"connection errors seen by shoppers: {tally.connection_errors}")
    abandoned = sum(failure.startswith("checkout:") for failure in tally.failures)
    print(f"shoppers: {len(tally.charged)} checkouts paid at localstripe ({len(tally.paid)} reached the thank-you "
          f"page, {tally.declined} declined first), {abandoned} checkouts abandoned, "
          f"{len(tally.failures) - abandoned} page loads given up, {len(tally.server_errors)} 5xx")
    print(f"sweep (reconcile_payments, everything due): {sweep or 'nothing to reconcile'}")
    print(f"books: {result['payments']} payment rows {dict(result['statuses'])}; {result['paid']} intents "
          f"succeeded at localstripe: {result['orders']} orders + {result['refunded']} full refunds "
          f"{dict(result['refund_reasons'])}; webhooks processed: {result['succeeded_events']} succeeded, "
          f"{result['failed_events']} payment_failed")
    print("stock (upc, allocated, ordered): " + ", ".join(f"{u} {a}/{o}" for u, a, o in result["stock"] if a or o))
    for line in (tally.server_errors + tally.failures)[:15]:
        print("  -", line)
    if len(tally.server_errors + tally.failures) > 15:
        print(f"  - ... and {len(tally.server_errors + tally.failures) - 15} more")
    for line in result["problems"]:
        print("  !", line)
    balanced = not result["problems"] and "failed" not in sweep and "exit status" not in sweep
    print(f"  the books balance: {'yes' if balanced else 'NO'}")
    return 0 if balanced else 1



def nodes_report(tally, checks):
    """NODES=2: the node's outage as shoppers saw it, and the checks across nodes. Returns the exit
    status: 0 when every check holds (without faults, also: no 5xx except at the kill itself)."""
    for name, killed_at, healthy_at in tally.node_outages:
        back = f"answering again {healthy_at - killed_at:.1f} s after the kill" if healthy_at else "NOT back"
        print(f"node {name}: killed (SIGKILL, master and workers), {back}")
    at_kill, during, elsewhere = outage_errors(tally)
    print(f"5xx and dropped connections seen by shoppers: {len(at_kill)} at the kill (in flight on the killed "
          f"node), {len(during)} while it was down or starting, {len(elsewhere)} at other times; "
          f"{tally.reloads_after_5xx} reloads after a 5xx from the load balancer")
    for line in (at_kill + during)[:10]:
        print("  -", line)
    if not FAULTS:  # with faults, workers killed at random make 502s at any time: listed above, not judged
        checks["no 5xx but the requests in flight at the kill"] = (
            not during and not elsewhere, f"{len(during)} during the outage, {len(elsewhere)} elsewhere")
    for name, (ok, what) in checks.items():
        print(f"  {name}: {'ok' if ok else 'FAILED'} ({what})")
    return 0 if all(ok for ok, _ in checks.values()) else 1

if __name__ == "__main__":
    main()

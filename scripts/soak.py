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

Environment: SOAK_SECONDS (default 300), SOAK_BROWSERS (6), SOAK_BUYERS (4), SOAK_PORT (8291).
"""

import collections
import json
import os
import random
import re
import signal
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

from serve_production import production_env, wait_for  # noqa: E402

PRODUCT = "/catalogue/ql-claw_1/"
BROWSE = [
    "/", PRODUCT, "/learn/psoas-trigger-points/", "/learn/", "/tutorials/", "/catalogue/",
    "/search/?q=psoas", "/basket/",
]
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


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.server_errors = []
        self.failures = []
        self.paid = {}  # intent id -> quantity
        self.declined = 0

    def response(self, response):
        with self.lock:
            self.statuses[response.status_code // 100 * 100] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{response.status_code} {response.request.method} {response.url}")


def form_data(form):
    """The values a browser would submit for this form, before the shopper types anything."""
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "image"):
            continue
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "select":
            option = field.find("option", selected=True) or field.find("option")
            data[name] = option.get("value", option.text) if option else ""
        else:
            data[name] = field.get("value", field.text if field.name == "textarea" else "")
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
            response = self.http.request(method, url, timeout=30, allow_redirects=False, **kwargs)
            self.tally.response(response)
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

    def page(self, path):
        response = self.request("GET", path)
        return response, BeautifulSoup(response.text, "html.parser")

    def submit(self, response, soup, form, **values):
        data = {**form_data(form), **values}
        action = form.get("action") or response.url
        return self.request("POST", action if action.startswith("http") else self.base + action, data=data,
                            headers={"Referer": response.url})


def browse(base, tally, stop):
    shopper = Shopper(base, tally)
    while not stop.is_set():
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
        try:
            checkout(Shopper(base, tally), stripe_client, decline_first=random.randrange(DECLINE_EVERY) == 0)
        except Exception as error:  # noqa: BLE001
            with tally.lock:
                frames = traceback.extract_tb(error.__traceback__)
                where = [f for f in frames if f.name in ("checkout", "to_payment_page")][-1]
                tally.failures.append(f"checkout: {error!r} (line {where.lineno}: {where.line})")


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


def books(env, step, intents=()):
    out = subprocess.run(
        [sys.executable, "-c", BOOKS, step, json.dumps(list(intents))],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    seconds = int(os.environ.get("SOAK_SECONDS", "300"))
    browsers = int(os.environ.get("SOAK_BROWSERS", "6"))
    buyers = int(os.environ.get("SOAK_BUYERS", "4"))
    port = int(os.environ.get("SOAK_PORT", "8291"))
    stripe_port = port + 1000
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
    stripe_server = start_localstripe(stripe_port)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_production.py")], cwd=ROOT, env=env, start_new_session=True
    )
    tally = Tally()
    try:
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
        print(f"soak: {seconds} s, {browsers} browsers, {buyers} buyers against {base}", file=sys.stderr, flush=True)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while time.monotonic() - started < seconds:
            time.sleep(min(30, seconds))
            print(f"  {time.monotonic() - started:.0f} s: {sum(tally.statuses.values())} requests, "
                  f"{len(tally.paid)} paid checkouts", file=sys.stderr, flush=True)
        stop.set()
        for thread in threads:
            thread.join()
        time.sleep(5)  # localstripe delivers its webhooks a second after each event
        after = books(env, "check", tally.paid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.killpg(stripe_server.pid, signal.SIGTERM)
        stripe_server.wait(timeout=30)

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


if __name__ == "__main__":
    main()

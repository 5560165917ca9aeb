#!/usr/bin/env python
"""`make lighthouse`: Lighthouse (mobile preset) on the store's pages, served by the production
profile on loopback. Writes JSON and HTML reports to reports/lighthouse/, prints a summary table and
exits non-zero when a budget is missed.

Pages: home, product and article as a first-time visitor sees them; the cart with one QL Claw, the
checkout's address step, and a guest's order status page. The cart and checkout need a session:
it is made beforehand with a requests session against the running server (add to cart from the
product page's form, then the guest email step), and its cookies go to Lighthouse with
--extra-headers. The order is placed by scripts/demo_orders.py (the store's own placement with a
demo payment, in a process with the server's settings and SECRET_KEY); its status page is the
guest link the confirmation email carries, opened by a session that typed the order's email on the
form the link asks it for first (Oscar shows a guest's order only then).

Budgets: performance >= 95, accessibility and best practices = 100 on every page; SEO = 100 and
CLS = 0 on home, product and article (the cart, checkout and order status are not for search
engines: their SEO score is reported, not judged).

Environment: LIGHTHOUSE_PORT (8765), LIGHTHOUSE_PAGES (names, comma-separated, default all).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_production import production_env, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "lighthouse"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PRODUCT = "/catalogue/ql-claw_1/"
STOREFRONT = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
SHOPPER = {"performance": 95, "accessibility": 100, "best-practices": 100}
# name -> (path, or None when made at run time; the session it needs; budgets; CLS must be 0)
PAGES = {
    "home": ("/", None, STOREFRONT, True),
    "product": (PRODUCT, None, STOREFRONT, True),
    "article": ("/learn/psoas-trigger-points/", None, STOREFRONT, True),
    "cart": ("/basket/", "cart", SHOPPER, False),
    "checkout-address": ("/checkout/shipping-address/", "checkout", SHOPPER, False),
    "order-status": (None, "order", SHOPPER, False),
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)


def run_lighthouse(url, out, headers=None):
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html", f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    with tempfile.TemporaryDirectory() as directory:
        if headers:
            extra = Path(directory) / "headers.json"
            extra.write_text(json.dumps(headers))
            command.append(f"--extra-headers={extra}")
        for attempt in range(3):  # Lighthouse now and then fails with NO_NAVSTART: run it again
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
            report = Path(f"{out}.report.json")
            if result.returncode == 0 and report.exists():
                data = json.loads(report.read_text())
                if not data.get("runtimeError"):
                    return data
            print(f"  lighthouse attempt {attempt + 1} failed: {result.stderr.strip()[-300:]}", file=sys.stderr)
    raise SystemExit(f"Lighthouse could not audit {url}")


def shopper_sessions(base):
    """Cookie headers: "cart" (one QL Claw in the cart) and "checkout" (the same cart, past the guest
    email step, so the address step shows). Made the way a browser makes them, through the forms."""
    import requests
    from bs4 import BeautifulSoup

    http = requests.Session()

    def insecure():  # the production cookies are Secure; this is plain HTTP on loopback
        for cookie in http.cookies:
            cookie.secure = False

    def post_form(page, form, **values):
        data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")
                and (i.get("type") not in ("checkbox", "radio") or i.has_attr("checked"))}
        data.update(values)
        action = requests.compat.urljoin(page.url, form.get("action") or page.url)
        # Not followed: a redirect would go out before the new (Secure) session cookie is sendable.
        response = http.post(action, data=data, headers={"Referer": page.url}, timeout=30, allow_redirects=False)
        insecure()
        return response

    def cookie_header():
        # Flash messages (cookie storage) would show on every page Lighthouse loads: left out.
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies if c.name != "messages")}

    page = http.get(base + PRODUCT, timeout=30)
    insecure()
    form = BeautifulSoup(page.text, "html.parser").find("form", id="add_to_basket_form")
    if form is None:
        raise SystemExit(f"No add-to-cart form on {PRODUCT}")
    post_form(page, form, quantity="1")
    cart = http.get(base + "/basket/", timeout=30)
    if "ql-claw" not in cart.text.lower():
        raise SystemExit("The cart session does not show the QL Claw in the cart")
    sessions = {"cart": cookie_header()}
    page = http.get(base + "/checkout/", timeout=30)
    insecure()
    soup = BeautifulSoup(page.text, "html.parser")
    gateway = next((f for f in soup.find_all("form") if f.find("input", attrs={"name": "username"})), None)
    if gateway is not None:
        answer = post_form(page, gateway, username="lighthouse@example.com", options="anonymous")
        if answer.status_code != 302:
            raise SystemExit(f"The checkout's guest email step answered {answer.status_code}, not a redirect")
    address = http.get(base + PAGES["checkout-address"][0], timeout=30, allow_redirects=False)
    if address.status_code != 200:
        raise SystemExit(f"The checkout session does not reach the address step ({address.status_code}, "
                         f"{address.headers.get('Location')})")
    sessions["checkout"] = cookie_header()
    return sessions


def order_status(base, env):
    """A guest order (scripts/demo_orders.py) and its status page: (path, cookie header). Oscar shows a
    guest's order only to a session that typed the order's email on the link's form, as the guest
    does after following the link in the confirmation email."""
    import requests
    from bs4 import BeautifulSoup

    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_orders.py"), "--one"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"Could not place the demo order for the order status page:\n{result.stderr[-2000:]}")
    order = json.loads(result.stdout.strip().splitlines()[-1])
    http = requests.Session()
    page = http.get(base + order["status_path"], timeout=30)  # redirected to the form asking for the email
    for cookie in http.cookies:
        cookie.secure = False
    form = next((f for f in BeautifulSoup(page.text, "html.parser").find_all("form")
                 if f.find("input", attrs={"name": "email"})), None)
    if form is not None:
        data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
        data["email"] = order["email"]
        action = requests.compat.urljoin(page.url, form.get("action") or page.url)
        http.post(action, data=data, headers={"Referer": page.url}, timeout=30, allow_redirects=False)
        for cookie in http.cookies:
            cookie.secure = False
    cookie = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies if c.name != "messages")}
    shown = http.get(base + order["status_path"], timeout=30, allow_redirects=False)
    if shown.status_code != 200:
        raise SystemExit(f"The order status page does not open with the guest's session ({shown.status_code})")
    return order["status_path"], cookie


def budget_failures(name, scores, cls, budgets, zero_cls, audits, categories):
    """What missed its budget on one page (a list of lines), with the category's audits that fell
    short: the weighted metrics for performance, the failing audits for the others."""
    failures = []
    for key, minimum in budgets.items():
        if scores[key] < minimum:
            refs = [ref for ref in categories[key]["auditRefs"] if ref.get("weight")]
            short = [audits[ref["id"]] for ref in refs if (audits[ref["id"]].get("score") or 0) < 1
                     and audits[ref["id"]].get("scoreDisplayMode") not in ("notApplicable", "manual", "informative")]
            listed = ", ".join(f"{a['id']} {a.get('displayValue', '')} ({a.get('score')})".replace(" ()", "")
                               for a in short[:8])
            failures.append(f"{name}: {key} {scores[key]} < {minimum} (short: {listed})")
    if zero_cls and cls > 0:
        failures.append(f"{name}: CLS {cls:.3f} > 0")
    return failures


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (make test does it)")
    REPORTS.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in os.environ.get("LIGHTHOUSE_PAGES", ",".join(PAGES)).split(",") if p]
    unknown = set(chosen) - set(PAGES)
    if unknown:
        raise SystemExit(f"Unknown LIGHTHOUSE_PAGES {sorted(unknown)}; choose from {list(PAGES)}")
    port = os.environ.get("LIGHTHOUSE_PORT", "8765")
    # The server and the order script share one environment: the same database and SECRET_KEY
    # (the guest link of an order is signed with it).
    env = production_env(port)
    env["PORT"] = port
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_production.py")], env=env, cwd=ROOT, start_new_session=True,
    )
    rows, failures = [], []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        sessions = shopper_sessions(base) if {"cart", "checkout-address"} & set(chosen) else {}
        paths = {name: PAGES[name][0] for name in chosen}
        if "order-status" in chosen:
            paths["order-status"], sessions["order"] = order_status(base, env)
        for name in chosen:  # a store is measured warm: thumbnails made, caches filled
            headers = sessions.get(PAGES[name][1])
            for _ in range(2):
                wait_for_page(base + paths[name], headers)
        for name in chosen:
            _, session, budgets, zero_cls = PAGES[name]
            data = run_lighthouse(base + paths[name], REPORTS / name, sessions.get(session))
            scores = {key: round((data["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
            audits = data["audits"]
            cls = audits["cumulative-layout-shift"]["numericValue"]
            lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
            weight = audits["total-byte-weight"]["numericValue"] / 1024
            final = data.get("finalDisplayedUrl") or data.get("finalUrl") or ""
            if not final.endswith(paths[name].split("?")[0]):
                failures.append(f"{name}: Lighthouse ended on {final}, not {paths[name]} (session lost?)")
            rows.append((name, scores, cls, lcp, weight, budgets))
            failures += budget_failures(name, scores, cls, budgets, zero_cls, audits, data["categories"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    lines = [
        "| page | performance | accessibility | best practices | SEO | CLS | LCP (s) | weight (KB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s, cls, lcp, weight, budgets in rows:
        seo = f"{s['seo']}" if "seo" in budgets else f"({s['seo']}, not judged)"
        lines.append(
            f"| {name} | {s['performance']} | {s['accessibility']} | {s['best-practices']} | {seo} "
            f"| {cls:.3f} | {lcp:.2f} | {weight:.0f} |"
        )
    table = "\n".join(lines)
    (REPORTS / "summary.md").write_text(table + "\n" + "\n".join(f"- {f}" for f in failures) + "\n")
    print(table)
    if failures:
        print("\nBudgets missed:\n" + "\n".join(f"- {f}" for f in failures))
        raise SystemExit(1)
    print("\nAll Lighthouse budgets met.")


def wait_for_page(url, headers=None):
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


if __name__ == "__main__":
    main()

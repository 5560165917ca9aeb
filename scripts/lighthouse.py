#!/usr/bin/env python
"""`make lighthouse`: Lighthouse (mobile preset) on home, product and article, served by the
production profile on loopback. Writes JSON and HTML reports to reports/lighthouse/, prints a
summary table and exits non-zero when a budget is missed.

Budgets: performance >= 95, accessibility, best practices and SEO = 100, CLS = 0.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_production import wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "lighthouse"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {"home": "/", "product": "/catalogue/ql-claw_1/", "article": "/learn/psoas-trigger-points/"}
BUDGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)


def run_lighthouse(url, out):
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html", f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    for attempt in range(3):  # Lighthouse now and then fails with NO_NAVSTART: run it again
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        report = Path(f"{out}.report.json")
        if result.returncode == 0 and report.exists():
            data = json.loads(report.read_text())
            if not data.get("runtimeError"):
                return data
        print(f"  lighthouse attempt {attempt + 1} failed: {result.stderr.strip()[-300:]}", file=sys.stderr)
    raise SystemExit(f"Lighthouse could not audit {url}")


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (make test does it)")
    REPORTS.mkdir(parents=True, exist_ok=True)
    port = os.environ.get("LIGHTHOUSE_PORT", "8765")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_production.py")],
        env={**os.environ, "PORT": port}, cwd=ROOT, start_new_session=True,
    )
    rows, failures = [], []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        for path in PAGES.values():  # a store is measured warm: thumbnails made, caches filled
            for _ in range(2):
                wait_for(base + path)
        for name, path in PAGES.items():
            data = run_lighthouse(base + path, REPORTS / name)
            scores = {key: round(data["categories"][key]["score"] * 100) for key in BUDGETS}
            audits = data["audits"]
            cls = audits["cumulative-layout-shift"]["numericValue"]
            lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
            weight = audits["total-byte-weight"]["numericValue"] / 1024
            rows.append((name, scores, cls, lcp, weight))
            for key, minimum in BUDGETS.items():
                if scores[key] < minimum:
                    failing = [
                        a["id"] for a in audits.values()
                        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
                    ]
                    listed = ", ".join(failing[:8])
                    failures.append(f"{name}: {key} {scores[key]} < {minimum} (failing audits: {listed})")
            if cls > 0:
                failures.append(f"{name}: CLS {cls:.3f} > 0")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    lines = [
        "| page | performance | accessibility | best practices | SEO | CLS | LCP (s) | weight (KB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s, cls, lcp, weight in rows:
        lines.append(
            f"| {name} | {s['performance']} | {s['accessibility']} | {s['best-practices']} | {s['seo']} "
            f"| {cls:.3f} | {lcp:.2f} | {weight:.0f} |"
        )
    table = "\n".join(lines)
    (REPORTS / "summary.md").write_text(table + "\n" + "\n".join(f"- {f}" for f in failures) + "\n")
    print(table)
    if failures:
        print("\nBudgets missed:\n" + "\n".join(f"- {f}" for f in failures))
        raise SystemExit(1)
    print("\nAll Lighthouse budgets met.")


if __name__ == "__main__":
    main()

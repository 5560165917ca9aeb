#!/usr/bin/env python
"""Benchmark: send one campaign to N subscribers (default 100,000) through the real code path.

    .venv/bin/python scripts/bench_newsletter.py                       # SQLite in a temp folder
    .venv/bin/python scripts/bench_newsletter.py --subscribers 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qlclaw_bench .venv/bin/python scripts/bench_newsletter.py

What runs is what production runs: sending.start() queues newsletter.tasks.send_campaign, which
huey executes at once here (the test settings' immediate mode): the task makes the delivery rows
from an iterator, claims batches, renders and sends each message through Django's locmem email
backend, marks every row, and queues its next run when its time budget is up. The rate limit is
off (NEWSLETTER_SEND_RATE=0) so the figure is the code's own speed.

The locmem backend keeps every message in django.core.mail.outbox; the benchmark empties that
list after each message is counted (a real provider keeps nothing in our process), so the
memory measured is the sender's. Memory is the process's resident set size, sampled every
10,000 messages: it must stay flat as the count grows. Nothing here is a pass/fail test.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mib():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="NEWSLETTER_SEND_BATCH_SIZE")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="qlclaw-bench-news-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings.test"
    import django
    from django.conf import settings

    django.setup()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # As a production SQLite would run: WAL, fsync at checkpoints (not the worst case of every commit).
        settings.DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        )
    settings.NEWSLETTER_SEND_RATE = 0
    settings.NEWSLETTER_SEND_BATCH_SIZE = args.batch
    settings.EMAIL_DELIVERY_BACKEND = "bench_newsletter.CountingLocmemBackend"
    sys.modules["bench_newsletter"] = sys.modules[__name__]

    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']})", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        call_command("flush", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)

    from django.db import transaction
    from django.utils import timezone

    from newsletter import sending
    from newsletter.models import Campaign, CampaignDelivery, Subscriber

    started = time.perf_counter()
    now = timezone.now()
    chunk = 5000
    for first in range(0, args.subscribers, chunk):
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"reader{n}@example.com", status="subscribed", source="footer", consent_version="2026-11",
                    consent_text="Yes, email me the newsletter.", signed_up_at=now, confirmed_at=now,
                )
                for n in range(first, min(first + chunk, args.subscribers))
            ]
        )
    print(f"{args.subscribers:,} subscribers made in {time.perf_counter() - started:.1f} s", flush=True)

    campaign = Campaign.objects.create(
        subject="Release your QL tonight",
        preview_text="Three routines, five minutes each",
        body="<h2>This month</h2>" + "<p>Three release routines for the psoas and QL, "
        '<a href="/learn/">with the articles behind them</a>.</p>' * 8,
    )
    baseline = rss_mib()
    print(f"resident memory before sending: {baseline:.0f} MiB", flush=True)

    started = time.perf_counter()
    with transaction.atomic():
        sending.start(campaign.pk)  # the task runs as this commits (huey's immediate mode)
    elapsed = time.perf_counter() - started

    campaign.refresh_from_db()
    figures = sending.figures(campaign)
    samples = CountingLocmemBackend.samples
    print()
    print("messages sent | resident memory (MiB)")
    for count, memory in samples:
        print(f"{count:>13,} | {memory:8.0f}")
    peak = max(memory for _count, memory in samples) if samples else rss_mib()
    print()
    print(f"status: {campaign.status}; recipients {figures['recipients']:,}, sent {figures['sent']:,}, "
          f"failed {figures['failed']}, pending {figures['pending']}")
    # No duplicate: each row goes pending -> sent once, and the backend saw as many messages as rows.
    sent_rows = CampaignDelivery.objects.filter(campaign=campaign, status="sent").count()
    print(f"messages handed to the backend: {CountingLocmemBackend.sent:,}; rows marked sent: {sent_rows:,}")
    print(f"time to send: {elapsed:.1f} s ({figures['sent'] / elapsed:,.0f} messages/s)")
    print(f"resident memory: {baseline:.0f} MiB before, peak {peak:.0f} MiB while sending "
          f"(+{peak - baseline:.0f} MiB)")
    ok = figures["sent"] == args.subscribers == CountingLocmemBackend.sent == sent_rows
    return 0 if ok else 1


from django.core.mail.backends.locmem import EmailBackend as _Locmem  # noqa: E402


class CountingLocmemBackend(_Locmem):
    """Django's locmem backend; the benchmark counts each message and then lets it go."""

    sent = 0
    samples = []

    def send_messages(self, messages):
        from django.core import mail

        count = super().send_messages(messages)
        for message in mail.outbox:
            message.message().as_bytes()  # the MIME message a real backend would serialise
        CountingLocmemBackend.sent += len(mail.outbox)
        mail.outbox.clear()
        if CountingLocmemBackend.sent % 10_000 == 0:
            CountingLocmemBackend.samples.append((CountingLocmemBackend.sent, rss_mib()))
        return count


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the notification jobs: a real job consumer (`flask run-jobs`, its
own process, 2 worker threads) on SQLite storage or on Redis, an SMTP server (aiosmtpd), and
tickets reported through the real operation.

- throughput: N problems reported in a burst; each is one event, fanned out to its area's
  leader as an inbox row and an e-mail; timed from the first commit to the last mail accepted.
- delay: problems reported one at a time on an idle consumer; timed from the commit to the
  SMTP server accepting the mail (what a person waits for, less their mail client).

Run: .venv/bin/python bench/notify_bench.py [--storage sqlite|redis] [--events 300] [--singles 30]
(Redis: REDIS_URL, default redis://127.0.0.1:6379/14, under a queue name of its own.)
--quick (what `make bench-smoke` runs): 10 events and 3 singles; a mail missing after a minute
fails.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from gemba_walk import create_app
from gemba_walk.extensions import db
from gemba_walk.findings.operations import report_problem
from gemba_walk.models import Area, Site, User
from gemba_walk.notify import queue


class Mailbox:
    def __init__(self, timeout: float):
        self.timeout = timeout
        self.arrived: list[float] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.changed:
            self.arrived.append(time.perf_counter())
            self.changed.notify_all()
        return "250 OK"

    def wait_for(self, count: int) -> None:
        timeout = self.timeout
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.arrived) >= count, timeout), (
                f"{len(self.arrived)} of {count} mails after {timeout} s"
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_consumer(workdir: str) -> subprocess.Popen:
    """`flask run-jobs` (2 worker threads); returns once it says it is running."""
    log_path = Path(workdir) / "consumer.log"
    with open(log_path, "w") as log:
        consumer = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "gemba_walk", "run-jobs"],
            env={**os.environ},
            stdout=log,
            stderr=log,
        )
    while "Jobs:" not in log_path.read_text():
        time.sleep(0.05)
    return consumer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--storage", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--singles", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 events, 3 singles")
    args = parser.parse_args()
    if args.quick:
        args.events, args.singles = min(args.events, 10), min(args.singles, 3)
    mailbox = Mailbox(timeout=60 if args.quick else 600)
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with tempfile.TemporaryDirectory() as workdir:
        instance = Path(workdir) / "instance"
        instance.mkdir()
        settings = {
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'bench.db'}",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_SECURITY": "none",
            "HUEY_STORAGE": args.storage,
            "HUEY_SQLITE_PATH": str(Path(workdir) / "huey.db"),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            "HUEY_NAME": f"bench{uuid.uuid4().hex[:8]}",
            "SECRET_KEY": "bench",
            "GEMBA_INSTANCE_PATH": str(instance),
        }
        os.environ.update(settings)
        app = create_app(instance_path=str(instance))
        with app.app_context():
            upgrade()
            leader = User(email="lia@bench.example", name="Lia", role="leader", password_hash="x")
            reporter = User(
                email="rita@bench.example", name="Rita", role="member", password_hash="x"
            )
            site = Site(name="Plant")
            area = Area(site=site, code="B-1", name="Press", owner=leader)
            db.session.add_all([leader, reporter, area])
            db.session.commit()
            consumer = None

            def report(text: str) -> None:
                report_problem(
                    reporter,
                    area_id=area.id,
                    category="quality",
                    severity="low",
                    description=text,
                )

            try:
                # Throughput: a backlog of events queued while no consumer runs, then the
                # consumer starts and works through it.
                started = time.perf_counter()
                for n in range(args.events):
                    report(f"Burst problem {n}")
                committed = time.perf_counter() - started
                consumer = start_consumer(workdir)
                ready = time.perf_counter()
                mailbox.wait_for(args.events)
                total = mailbox.arrived[-1] - ready
                # Delay: one at a time on an idle consumer.
                delays = []
                for n in range(args.singles):
                    before = len(mailbox.arrived)
                    time.sleep(0.3)  # an idle consumer, as between real events
                    report(f"Single problem {n}")
                    at = time.perf_counter()
                    mailbox.wait_for(before + 1)
                    delays.append((mailbox.arrived[before] - at) * 1000)
            finally:
                if consumer is not None:
                    consumer.terminate()
                    consumer.wait(timeout=30)
                if args.storage == "redis":
                    queue.huey.storage.flush_all()
    smtp.stop()
    delays.sort()
    p95 = delays[max(0, int(len(delays) * 0.95) - 1)]
    print(f"storage: {args.storage}; consumer: 2 worker threads; SQLite database")
    print(
        f"| {args.storage} | {args.events} queued events worked off in {total:.1f} s "
        f"(reporting them took {committed:.1f} s) | {args.events / total:.0f} events/s, "
        f"{2 * args.events / total:.0f} deliveries/s | median {statistics.median(delays):.0f} ms, "
        f"p95 {p95:.0f} ms, max {delays[-1]:.0f} ms |"
    )


if __name__ == "__main__":
    main()

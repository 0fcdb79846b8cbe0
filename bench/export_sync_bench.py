"""Benchmark of exports under sync load: phones sync and upload photos while leaders download
the CSV exports, against a real gunicorn (2 workers x 8 threads, as `make run` but with more
threads).

Run: .venv/bin/python bench/export_sync_bench.py [--database-url URL] [--phones 8] [--rounds 10]
(default: a temporary SQLite file; a PostgreSQL URL is WIPED, so name a scratch database).

Phase 1, the floor alone: each phone uploads a photo and syncs a finding with it, ROUNDS times.
Phase 2, the same while three leaders download the findings, audits and ticket CSVs of one big
area over and over. Prints a Markdown table: answers by status, errors, sync latency (median,
95th percentile), exports finished, and the largest worker RSS seen during the phase.
--quick (what `make bench-smoke` runs): 600 findings, 40 audits, 200 tickets, 2 phones x 2
rounds; any error, a traceback in the server's log or no export finished exits 1.
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
import urllib.request
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gemba_walk import create_app  # noqa: E402
from gemba_walk.config import normalise_database_url  # noqa: E402
from gemba_walk.core.ids import new_uuid  # noqa: E402
from gemba_walk.extensions import db  # noqa: E402
from tests.factories import AreaFactory, UserFactory  # noqa: E402
from tests.live_tools import LiveUser  # noqa: E402
from tests.photo_tools import camera_jpeg  # noqa: E402
from tests.sync_batches import batch, finding  # noqa: E402
from tests.test_exports_under_load import fill_exported_area  # noqa: E402

FINDINGS, AUDITS, TICKETS = 30_000, 2_000, 10_000  # audits of 10 answers: 20,000 CSV rows
QUICK_SIZES = 600, 40, 200
SECRET = "bench-secret"


def prepare(url: str, workdir: Path, sizes: tuple[int, int, int]) -> dict:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False},
        instance_path=str(workdir / "setup-instance"),
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        plant = fill_exported_area(db, *sizes)
        plant["fill_seconds"] = time.perf_counter() - started
        plant["floor_area"] = AreaFactory().id
        plant["leaders"] = [UserFactory(role="leader").email for _ in range(3)]
        plant["phones"] = [UserFactory(role="leader").email for _ in range(16)]
        db.session.remove()
        db.engine.dispose()
    return plant


def start_server(url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "PHOTO_STORAGE_PATH": str(workdir / "photos"),
        "RATELIMIT_ENABLED": "0",
        "GEMBA_INSTANCE_PATH": str(workdir / "instance"),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "8"]
    command += ["--bind", f"127.0.0.1:{port}", "gemba_walk:create_app()"]
    log = (workdir / "gunicorn.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                return process, base
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def workers_rss(process: subprocess.Popen) -> int:
    pid = process.pid
    total = 0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total = max(total, int(line.split()[1]) * 1024)
    return total


def phase(base, plant, phones: int, rounds: int, exports: bool, process) -> dict:
    statuses, errors, latencies = Counter(), [], []
    downloads, downloaded_bytes = Counter(), Counter()
    floor_busy = threading.Event()
    floor_busy.set()
    peak = [workers_rss(process)]
    photo = camera_jpeg(1280, 960)
    area = plant["area_id"]
    paths = [
        f"/insight/findings.csv?days=3650&area={area}",
        f"/insight/audits.csv?days=3650&area={area}",
        f"/tickets/export.csv?status=all&area={area}",
    ]

    def leader(email: str, path: str) -> None:
        user = LiveUser(base, email)
        while floor_busy.is_set():
            with user.get(path, stream=True) as answer:
                size = sum(len(piece) for piece in answer.iter_content(65536))
            statuses[answer.status_code] += 1
            if answer.status_code != 200:
                errors.append(f"{path}: {answer.status_code}")
            downloads[path] += 1
            downloaded_bytes[path] = size
        user.close()

    def phone(email: str, index: int) -> None:
        user = LiveUser(base, email)
        for round_ in range(rounds):
            photo_id = new_uuid()
            answer = user.put_photo(photo_id, photo)
            statuses[answer.status_code] += 1
            record = finding(
                {"id": plant["floor_area"]},
                kind="waste",
                category="waiting",
                severity="low",
                description=f"Phone {index}, round {round_}: waiting for the crane",
                photos=[photo_id],
            )
            started = time.perf_counter()
            answer = user.sync(batch(findings=[record]))
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[answer.status_code] += 1
            if answer.status_code != 200:
                errors.append(f"sync: {answer.status_code} {answer.text[:200]}")
        user.close()

    def sample() -> None:
        while floor_busy.is_set():
            peak[0] = max(peak[0], workers_rss(process))
            time.sleep(0.2)

    threads = [threading.Thread(target=sample)]
    if exports:
        threads += [
            threading.Thread(target=leader, args=(email, path))
            for email, path in zip(plant["leaders"], paths, strict=True)
        ]
    phone_threads = [
        threading.Thread(target=phone, args=(plant["phones"][i], i)) for i in range(phones)
    ]
    started = time.perf_counter()
    for thread in threads + phone_threads:
        thread.start()
    for thread in phone_threads:
        thread.join()
    floor_busy.clear()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "seconds": time.perf_counter() - started,
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "sync_median": statistics.median(latencies),
        "sync_p95": latencies[int(len(latencies) * 0.95) - 1],
        "downloads": sum(downloads.values()),
        "bytes": dict(downloaded_bytes),
        "peak_rss": peak[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="a small area, 2 phones x 2 rounds")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else (FINDINGS, AUDITS, TICKETS)
    if args.quick:
        args.phones, args.rounds = min(args.phones, 2), min(args.rounds, 2)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = normalise_database_url(args.database_url or f"sqlite:///{workdir / 'bench.db'}")
        plant = prepare(url, workdir, sizes)
        process, base = start_server(url, workdir)
        try:
            alone = phase(base, plant, args.phones, args.rounds, False, process)
            busy = phase(base, plant, args.phones, args.rounds, True, process)
        finally:
            process.terminate()
            process.wait(timeout=20)
        tracebacks = (workdir / "gunicorn.log").read_text().count("Traceback")
    seconds, (findings, audits, tickets) = plant["fill_seconds"], sizes
    print(f"{sa.make_url(url).get_backend_name()}: one area with {findings:,} findings,")
    print(f"{audits * 10:,} audit answers and {tickets:,} tickets (filled in {seconds:.0f} s);")
    print(f"{args.phones} phones x {args.rounds} rounds (photo + sync); {tracebacks} tracebacks")
    print()
    print("| phase | answers | errors | sync median | sync p95 | exports done | worker RSS max |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, result in (("floor alone", alone), ("floor + 3 exports looping", busy)):
        print(
            f"| {name} | {result['statuses']} | {len(result['errors'])} "
            f"| {result['sync_median']:.0f} ms | {result['sync_p95']:.0f} ms "
            f"| {result['downloads']} | {result['peak_rss'] / 2**20:.0f} MB |"
        )
    print()
    print("CSV sizes:", {k.split("?")[0]: f"{v / 2**20:.1f} MB" for k, v in busy["bytes"].items()})
    errors = alone["errors"] + busy["errors"]
    for error in errors[:10]:
        print("error:", error)
    if errors or tracebacks or not busy["downloads"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

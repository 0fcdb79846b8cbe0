"""Benchmark of the kaizen board: the board, a filtered board, a search and the CSV
export on many tickets, through the real app (Flask test client, real database).

Run: .venv/bin/python bench/board_bench.py [--tickets 20000] [--database-url URL]
(default: a temporary SQLite file; give a PostgreSQL URL to measure PostgreSQL).
Prints a Markdown table of median times over 15 requests and the queries per request.
--quick (what `make bench-smoke` runs): 500 tickets, 2 requests each; any answer but 200 fails.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from gemba_walk import create_app
from gemba_walk.auth.sessions import start_session
from gemba_walk.config import normalise_database_url
from gemba_walk.extensions import db
from gemba_walk.lean import TICKET_STATUSES, keys
from gemba_walk.models import Area, KaizenTicket, Site, User

CATEGORIES = ("sort", "shine", "waiting", "motion", "safety", "quality", "defects", "cost")


def fill(tickets: int) -> User:
    sites = [Site(name=f"Plant {i}") for i in range(3)]
    db.session.add_all(sites)
    people = [
        User(email=f"p{i}@bench.example", name=f"Person {i}", role="member", password_hash="x")
        for i in range(40)
    ]
    db.session.add_all(people)
    db.session.flush()
    areas = [
        Area(
            site_id=sites[i % 3].id,
            code=f"B-{i:03d}",
            name=f"Area {i}",
            qr_token=f"bench-token-{i:04d}",
            owner_id=people[i % 40].id,
        )
        for i in range(120)
    ]
    db.session.add_all(areas)
    db.session.flush()
    statuses = keys(TICKET_STATUSES)
    today, opened = date.today(), datetime(2024, 11, 1)
    rows = [
        {
            "number": n,
            "area_id": areas[n % len(areas)].id,
            "kind": "5s",
            "category": CATEGORIES[n % len(CATEGORIES)],
            "title": f"Ticket {n}" + (" hydraulic leak" if n % 97 == 0 else ""),
            "problem": "Seen on the walk",
            "severity": ("low", "medium", "high", "critical")[n % 4],
            "priority": 1 + n % 4,
            "status": statuses[n % len(statuses)],
            "owner_id": people[n % 40].id,
            "due_date": today + timedelta(days=(n % 40) - 20),
            "opened_at": opened + timedelta(minutes=n * 30),
            "updated_at": opened + timedelta(minutes=n * 30),
            "occurrences": 1 + n % 3,
            "recurred": n % 50 == 0,
        }
        for n in range(1, tickets + 1)
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(KaizenTicket), rows[start : start + 5000])
    leader = User(email="leader@bench.example", name="Leader", role="leader", password_hash="x")
    db.session.add(leader)
    db.session.commit()
    return leader


def sign_in(client, user: User) -> None:
    """Sign ``user`` in on the test client as a sign-in would: a session row, then the cookie."""
    start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def bench_app(workdir: str, url: str):
    """The app on ``url`` for a benchmark: no CSRF or rate limit, files under ``workdir``."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PHOTO_STORAGE_PATH": str(Path(workdir) / "photos"),
        },
        instance_path=str(Path(workdir) / "instance"),
    )


def measure(client, path: str, engine, runs: int = 15) -> tuple[float, int, int]:
    statements: list[str] = []

    def record(*_args):
        statements.append(1)

    times = []
    for _ in range(runs):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(statements), len(body)


def print_table(client, engine, paths: dict[str, str], quick: bool = False) -> None:
    """A Markdown table: median time (5 runs for CSV, 15 otherwise; 2 when quick), queries,
    bytes. A request answered with anything but 200 stops the bench with an error."""
    print()
    print("| request | median | queries | bytes |")
    print("| --- | --- | --- | --- |")
    for label, path in paths.items():
        runs = 2 if quick else 5 if "CSV" in label else 15
        median, queries, size = measure(client, path, engine, runs=runs)
        print(f"| {label} | {median:.0f} ms | {queries} | {size:,} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--quick", action="store_true", help="500 tickets, 2 requests each")
    args = parser.parse_args()
    if args.quick:
        args.tickets = min(args.tickets, 500)
    with tempfile.TemporaryDirectory() as workdir:
        app = bench_app(workdir, args.database_url or f"sqlite:///{Path(workdir) / 'board.db'}")
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            leader = fill(args.tickets)
            fill_seconds = time.perf_counter() - started
            client = app.test_client()
            sign_in(client, leader)
            engine = db.engine
            area = db.session.scalar(sa.select(Area.id).limit(1))
            paths = {
                "board, open work, page 1": "/tickets/",
                "board, all statuses, page 40": "/tickets/?status=all&page=40",
                "board, one area, overdue": f"/tickets/?status=all&area={area}&overdue=1",
                "board, text search": "/tickets/?status=all&q=hydraulic",
                "board, sorted by due date": "/tickets/?sort=due",
                "CSV of all tickets": "/tickets/export.csv?status=all",
            }
            print(
                f"{args.tickets} tickets on {engine.dialect.name} (filled in {fill_seconds:.1f} s)"
            )
            print_table(client, engine, paths, quick=args.quick)
            db.session.remove()  # end the read transaction, or PostgreSQL waits on its locks
            db.drop_all()


if __name__ == "__main__":
    main()

"""Benchmark of the insight pages on two years of demo data: the site dashboard over
each period, an area's insight, a printable audit report and the CSV exports, through the real
app (Flask test client, real database).

Run: .venv/bin/python bench/dashboard_bench.py [--weeks 104] [--areas 8] [--database-url URL]
(default: a temporary SQLite file; give a PostgreSQL URL to measure PostgreSQL).
Prints a Markdown table of median times over 15 requests and the queries per request.
--quick (what `make bench-smoke` runs): 4 weeks of history, 2 requests each; any answer but 200
fails.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from board_bench import bench_app, print_table, sign_in

from gemba_walk.cli.demo import seed_demo, seed_history
from gemba_walk.core.database import write_transaction
from gemba_walk.extensions import db
from gemba_walk.models import Area, Audit, Finding, KaizenTicket, Response, Site, User


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--areas", type=int, default=8, help="more than the demo's 8: added")
    parser.add_argument("--database-url")
    parser.add_argument("--quick", action="store_true", help="4 weeks, 2 requests each")
    args = parser.parse_args()
    if args.quick:
        args.weeks = min(args.weeks, 4)
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'insight.db'}"
        app = bench_app(workdir, url)
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            rng = random.Random(5)  # noqa: S311 — demo history
            if args.areas <= 8:
                seed_demo(app.instance_path, rng, weeks=args.weeks)
            else:  # a bigger plant: the demo's people and site, more areas, the same history
                seed_demo(app.instance_path, rng, history=False)
                with write_transaction():
                    site = db.session.scalar(sa.select(Site))
                    owner = db.session.scalar(sa.select(User).where(User.role == "member"))
                    for number in range(9, args.areas + 1):
                        db.session.add(
                            Area(
                                site=site,
                                code=f"B-{number:03d}",
                                name=f"Cell {number}",
                                owner=owner,
                            )
                        )
                    db.session.flush()
                    users = {u.role: u for u in db.session.scalars(sa.select(User))}
                    areas = list(db.session.scalars(sa.select(Area).order_by(Area.code)))
                    seed_history(areas, users, rng, args.weeks)
            fill_seconds = time.perf_counter() - started
            counts = {
                model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Area, Audit, Response, Finding, KaizenTicket)
            }
            leader = db.session.scalar(sa.select(User).where(User.role == "leader"))
            client = app.test_client()
            sign_in(client, leader)
            engine = db.engine
            area = db.session.scalar(sa.select(Area.id).order_by(Area.code).limit(1))
            audit = db.session.scalar(
                sa.select(Audit.uuid).where(Audit.kind == "5s").order_by(Audit.id.desc()).limit(1)
            )
            paths = {
                "dashboard, last 30 days": "/insight/?days=30",
                "dashboard, last 90 days": "/insight/?days=90",
                "dashboard, last 365 days": "/insight/?days=365",
                f"area insight ({args.weeks} weeks of trend)": f"/insight/areas/{area}",
                "audit report": f"/insight/audits/{audit}",
                "CSV of audits, 365 days": "/insight/audits.csv?days=365",
                "CSV of findings, 365 days": "/insight/findings.csv?days=365",
            }
            print(
                f"{args.weeks} weeks of demo history on {engine.dialect.name} "
                f"(loaded in {fill_seconds:.1f} s): "
                + ", ".join(f"{n:,} {name}" for name, n in counts.items())
            )
            print_table(client, engine, paths, quick=args.quick)
            db.session.remove()  # end the read transaction, or PostgreSQL waits on its locks
            db.drop_all()


if __name__ == "__main__":
    main()

"""Benchmark of planned walks: a 120-area plant with a year of plans — 40 team
leaders walking their three areas every weekday, 10 supervisors rotating over all areas daily,
4 managers weekly — through the real app (Flask test client, real database).

Run: .venv/bin/python bench/walks_bench.py [--days 365] [--database-url URL]
(default: a temporary SQLite file). Prints how long planning a year took, then a Markdown table
of median times over 15 requests and the queries per request.

The history is filled fast: walks are planned by ``plan_walks`` (the real code), then 80 % of
the closed ones get an audit row and its link in bulk; ``link_audit`` (what a sync runs) is
timed on its own on 200 audits. --quick (what `make bench-smoke` runs): 14 days, 2 requests
each, 20 audits linked; any answer but 200 fails.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from board_bench import bench_app, print_table, sign_in

from gemba_walk.cli.demo import seed_demo
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.models import Area, Audit, ChecklistTemplate, PlannedWalk, Site, User
from gemba_walk.walks import operations
from gemba_walk.walks import planning as walk_planning
from gemba_walk.walks.operations import PlanDetails


def fill(days: int, rng: random.Random) -> tuple[User, float, int]:
    with write_transaction():
        site = db.session.scalar(sa.select(Site))
        owner = db.session.scalar(sa.select(User).where(User.role == "member"))
        for number in range(9, 121):
            db.session.add(
                Area(site=site, code=f"B-{number:03d}", name=f"Cell {number}", owner=owner)
            )
        people = {}
        for layer, count in (("tl", 40), ("sup", 10), ("mgr", 4)):
            people[layer] = [
                User(
                    email=f"{layer}{i}@bench.example",
                    name=f"{layer} {i}",
                    role="leader",
                    password_hash="x",
                )
                for i in range(count)
            ]
            db.session.add_all(people[layer])
        db.session.flush()
    areas = list(db.session.scalars(sa.select(Area).order_by(Area.code)))
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "5s-audit")
    )
    waste = db.session.scalar(
        sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == "waste-walk")
    )
    layers = {}
    for key, name, rank in (
        ("tl", "Team leader", 1),
        ("sup", "Supervisor", 2),
        ("mgr", "Manager", 3),
    ):
        layers[key] = operations.create_layer(site, name, rank)
        for person in people[key]:
            operations.set_layer(site, person, layers[key])
    start = local_today(site.timezone) - timedelta(days=days)
    for i, person in enumerate(people["tl"]):
        mine = [a.id for a in areas[i * 3 : i * 3 + 3]]
        operations.create_plan(
            site,
            PlanDetails(
                f"Line walk {i}", five_s, "weekdays", mine, person_ids=[person.id], starts_on=start
            ),
        )
    all_areas = [a.id for a in areas]
    operations.create_plan(
        site,
        PlanDetails(
            "Supervisor 5S",
            five_s,
            "daily",
            all_areas,
            layer_id=layers["sup"].id,
            rotate=True,
            starts_on=start,
        ),
    )
    operations.create_plan(
        site,
        PlanDetails(
            "Manager waste walk",
            waste,
            "weekly",
            all_areas,
            layer_id=layers["mgr"].id,
            rotate=True,
            starts_on=start,
        ),
    )
    started = time.perf_counter()
    walk_planning.ensure_planned(site.id)
    planning = time.perf_counter() - started
    # 80 % of the closed walks done: an audit each, linked in bulk.
    now = utcnow()
    version_of = {
        t.id: t.published_version.id for t in db.session.scalars(sa.select(ChecklistTemplate))
    }
    closed = db.session.execute(
        sa.select(
            PlannedWalk.id,
            PlannedWalk.area_id,
            PlannedWalk.user_id,
            PlannedWalk.template_id,
            PlannedWalk.window_start,
        ).where(PlannedWalk.window_end <= now)
    ).all()
    done = [row for row in closed if rng.random() < 0.8]
    with write_transaction():
        for chunk in range(0, len(done), 2000):
            rows = []
            for walk_id, area_id, user_id, template_id, window_start in done[chunk : chunk + 2000]:
                at = window_start + timedelta(hours=rng.randint(7, 15))
                rows.append(
                    {
                        "uuid": str(uuid.UUID(int=walk_id)),
                        "area_id": area_id,
                        "template_version_id": version_of[template_id],
                        "auditor_id": user_id,
                        "kind": "5s" if template_id == five_s else "waste",
                        "started_at": at,
                        "submitted_at": at,
                        "scanned_at": at,
                        "received_at": at,
                        "note": "",
                    }
                )
            db.session.execute(sa.insert(Audit), rows)
        ids = dict(db.session.execute(sa.select(Audit.uuid, Audit.id)).all())
        db.session.execute(
            sa.update(PlannedWalk),
            [
                {
                    "id": walk_id,
                    "audit_id": ids[str(uuid.UUID(int=walk_id))],
                    "done_at": window_start + timedelta(hours=8),
                }
                for walk_id, _, _, _, window_start in done
            ],
        )
    viewer = people["sup"][0]
    return viewer, planning, len(closed)


def time_link_audit(rng: random.Random, samples: int = 200) -> float:
    """What a sync adds per audit: link_audit on audits of open walks (rolled back after)."""
    walks = db.session.scalars(
        sa.select(PlannedWalk).where(PlannedWalk.audit_id.is_(None)).limit(samples)
    ).all()
    times = []
    for walk in walks:
        with write_transaction():
            audit = Audit(
                uuid=str(uuid.uuid4()),
                area_id=walk.area_id,
                template_version_id=walk.template.published_version.id,
                auditor_id=walk.user_id,
                kind=walk.template.kind,
                started_at=walk.window_start,
                submitted_at=walk.window_start + timedelta(hours=1),
                received_at=walk.window_start + timedelta(hours=2),
            )
            db.session.add(audit)
            db.session.flush()
            started = time.perf_counter()
            walk_planning.link_audit(audit)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database-url")
    parser.add_argument("--quick", action="store_true", help="14 days, 2 requests each")
    args = parser.parse_args()
    if args.quick:
        args.days = min(args.days, 14)
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'walks.db'}"
        app = bench_app(workdir, url)
        with app.app_context():
            db.drop_all()
            db.create_all()
            rng = random.Random(14)  # noqa: S311 — bench history
            seed_demo(app.instance_path, rng, history=False)
            started = time.perf_counter()
            viewer, planning, closed = fill(args.days, rng)
            total = db.session.scalar(sa.select(sa.func.count()).select_from(PlannedWalk))
            print(
                f"120 areas, {args.days} days on {db.engine.dialect.name}: {total:,} planned walks "
                f"({closed:,} closed), planned by plan_walks in {planning:.1f} s, "
                f"filled in {time.perf_counter() - started:.1f} s"
            )
            client = app.test_client()
            sign_in(client, viewer)
            print_table(
                client,
                db.engine,
                {
                    "walk board, 7 days x 120 areas": "/walks/board",
                    "walk board, 28 days x 120 areas": "/walks/board?days=28",
                    "walk board, 28 days by person": "/walks/board?days=28&by=person",
                    "walk board, big screen": "/walks/board?screen=big",
                    "home with My walks": "/",
                    "field pack with My walks": "/api/v1/pack",
                    "insight, 90 days (walk completion)": "/insight/?days=90",
                    "insight, 365 days (walk completion)": "/insight/?days=365",
                },
                quick=args.quick,
            )
            samples = 20 if args.quick else 200
            median = time_link_audit(rng, samples)
            print(f"\nlink_audit per synced audit (median of {samples}): {median:.2f} ms")
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()

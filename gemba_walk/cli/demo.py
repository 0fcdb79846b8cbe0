"""Demo data: one plant, its areas, a user per role and eight weeks of walks and kaizen."""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits.models import Audit, Response
from gemba_walk.audits.scoring import five_s_scores
from gemba_walk.auth.models import User
from gemba_walk.auth.operations import create_user
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import new_uuid, utcnow
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.findings.operations import NewFinding, record_finding
from gemba_walk.lean import WASTES, label_of
from gemba_walk.tickets import history as ticket_history
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.models import PlannedWalk
from gemba_walk.walks.operations import (
    PlanDetails,
    create_layer,
    create_plan,
    create_shift,
    set_layer,
)
from gemba_walk.walks.planning import link_audit, plan_walks

SITE_NAME = "Riverside Plant"
AREAS = (
    ("A-01", "Goods receiving", "Dock doors 1–3 and incoming inspection"),
    ("A-02", "Raw material store", "Racking rows R1–R6"),
    ("A-10", "CNC machining cell", "Five machining centres and the deburr bench"),
    ("A-11", "Press shop", "Presses P1–P4 and die storage"),
    ("A-12", "Assembly line 1", "Stations 1–8, kitting trolley lane"),
    ("A-13", "Assembly line 2", "Stations 1–6 and end-of-line test"),
    ("A-20", "Paint booth", "Booth, flash-off zone and paint kitchen"),
    ("A-30", "Shipping", "Packing benches and outbound staging"),
)
ACCOUNTS = (
    ("admin@gemba.example", "Ada Admin", "admin"),
    ("leader@gemba.example", "Lee Leader", "leader"),
    ("member@gemba.example", "Max Member", "member"),
)
WEEKS_OF_HISTORY = 8


@dataclass
class DemoAccount:
    email: str
    role: str
    password: str


def database_is_empty() -> bool:
    """True when no one has set this installation up yet (no users, no sites)."""
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0
    sites = db.session.scalar(sa.select(sa.func.count()).select_from(Site)) or 0
    return users == 0 and sites == 0


def seed_demo(
    instance_path: str,
    rng: random.Random | None = None,
    history: bool = True,
    weeks: int = WEEKS_OF_HISTORY,
) -> list[DemoAccount]:
    """Load the demo plant into an empty database; return the accounts with their passwords.

    ``history=False`` loads the plant's layout only (site, areas, people, checklists): what
    tests of the API need, in a fraction of the time; ``weeks`` sets how far back the walks go
    (bench/dashboard_bench.py loads two years)."""
    rng = rng or random.Random(5)  # noqa: S311 — demo history, not security
    accounts = [DemoAccount(email, role, secrets.token_urlsafe(9)) for email, _, role in ACCOUNTS]
    with write_transaction():  # all of the demo, or none of it
        ensure_default_templates()
        users = {
            account.role: create_user(account.email, name, account.role, account.password)
            for account, (_, name, _) in zip(accounts, ACCOUNTS, strict=True)
        }
        site = Site(name=SITE_NAME, timezone="Europe/Berlin")
        db.session.add(site)
        areas = []
        for index, (code, name, description) in enumerate(AREAS):
            owner = users["member"] if index % 2 else users["leader"]
            area = Area(site=site, code=code, name=name, description=description, owner=owner)
            areas.append(area)
        db.session.add_all(areas)
        db.session.flush()
        if history:
            seed_history(areas, users, rng, weeks)
    write_accounts_file(instance_path, accounts)
    return accounts


def write_accounts_file(instance_path: str, accounts: list[DemoAccount]) -> Path:
    """Keep the demo passwords in instance/ (never committed) so `make run` can show them again."""
    path = Path(instance_path) / "demo-accounts.txt"
    lines = [f"{a.role:<8} {a.email:<24} {a.password}" for a in accounts]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def _published(key: str):
    template = db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.key == key))
    return template.published_version


def seed_history(areas: list[Area], users: dict[str, User], rng: random.Random, weeks: int) -> None:
    five_s = _published("5s-audit")
    waste_walk = _published("waste-walk")
    now = utcnow().replace(second=0, microsecond=0)
    auditors = [users["leader"], users["admin"]]
    for area_index, area in enumerate(areas):
        # Each area has its own level and drift, so some improve and some slip.
        level = 1.6 + (area_index % 4) * 0.6
        drift = rng.choice((-0.12, 0.0, 0.1, 0.18))
        for week in range(weeks, 0, -1):
            when = now - timedelta(weeks=week, hours=rng.randint(0, 72))
            # Long histories swing slowly around the area's level instead of drifting away.
            trend = (weeks - week) if weeks <= WEEKS_OF_HISTORY else 4 * math.sin(week / 9)
            mean = min(4.8, max(0.4, level + drift * trend))
            _five_s_audit(area, five_s, rng.choice(auditors), when, mean, rng)
        for week in range(weeks, WEEKS_OF_HISTORY, -4):  # monthly waste walks further back
            when = now - timedelta(weeks=week, hours=rng.randint(0, 72))
            _waste_walk(area, waste_walk, users["leader"], when, rng)
        if area_index % 2 == 0:
            when = now - timedelta(days=rng.randint(2, 20))
            _waste_walk(area, waste_walk, users["leader"], when, rng)
    _spread_ticket_statuses(users, now)
    _seed_walks(areas, users, rng, now)


# Leader standard work: layers, shifts and two months of plans, done through the same code as
# a phone's audit (walks.planning.link_audit), with a realistic share late and missed.
DEMO_LAYERS = (("Team leader", 1, "member"), ("Supervisor", 2, "leader"), ("Manager", 3, "admin"))
DEMO_SHIFTS = (
    ("Early", time(6), time(14)),
    ("Late", time(14), time(22)),
    ("Night", time(22), time(6)),
)
PLAN_DAYS = 60


def _seed_walks(areas: list[Area], users: dict[str, User], rng, now: datetime) -> None:
    site = areas[0].site
    layers = {}
    for name, rank, role in DEMO_LAYERS:
        layers[name] = create_layer(site, name, rank)
        set_layer(site, users[role], layers[name])
    for name, starts, ends in DEMO_SHIFTS:
        create_shift(site, name, starts, ends, "01234")
    today = local_today(site.timezone, now)
    start = today - timedelta(days=PLAN_DAYS)
    for details in _demo_plans(areas, users, layers, start):
        plan = create_plan(site, details, users["admin"])
        plan_walks(plan, today + timedelta(days=1))
    db.session.flush()
    _walk_the_plans(site, rng, now)


def _demo_plans(
    areas: list[Area], users: dict[str, User], layers: dict, start: date
) -> list[PlanDetails]:
    """A team leader's daily line walk, a supervisor's rotating 5S, a manager's weekly waste
    walk and the plant manager's month-end 5S."""
    by_code = {area.code: area for area in areas}
    five_s = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "5s-audit")
    )
    waste = db.session.scalar(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.key == "waste-walk")
    )
    return [
        PlanDetails(
            "Line walk, team leader",
            five_s.id,
            "weekdays",
            [by_code["A-12"].id],
            layer_id=layers["Team leader"].id,
            starts_on=start,
        ),
        PlanDetails(
            "Supervisor 5S, a different area each day",
            five_s.id,
            "weekdays",
            [a.id for a in areas if a.code != "A-12"],
            layer_id=layers["Supervisor"].id,
            rotate=True,
            starts_on=start,
        ),
        PlanDetails(
            "Manager waste walk",
            waste.id,
            "weekly",
            [by_code[c].id for c in ("A-10", "A-11", "A-13")],
            layer_id=layers["Manager"].id,
            rotate=True,
            starts_on=start,
        ),
        PlanDetails(
            "Plant manager month-end 5S",
            five_s.id,
            "monthly",
            [by_code["A-30"].id],
            person_ids=[users["admin"].id],
            day_of_month=31,
            starts_on=start,
        ),
    ]


def _walk_the_plans(site: Site, rng, now: datetime) -> None:
    """Walk the planned walks up to now: most on time, some late, some missed, and half of
    today's still due."""
    walks = db.session.scalars(
        sa.select(PlannedWalk)
        .where(PlannedWalk.site_id == site.id, PlannedWalk.audit_id.is_(None))
        .order_by(PlannedWalk.window_start)
    ).all()
    for walk in walks:
        if walk.window_start >= now:
            continue
        closed = walk.window_end <= now
        roll = rng.random()
        if closed and roll < 0.14:
            continue  # missed
        if not closed and roll < 0.5:
            continue  # today's, still due
        length = min(walk.window_end, now) - walk.window_start
        when = walk.window_start + length * rng.uniform(0.3, 0.9)
        if closed and roll > 0.9:
            when = walk.window_end + timedelta(hours=rng.randint(2, 30))  # late
        if when >= now:
            continue
        version = walk.template.published_version
        if walk.template.kind == "5s":
            audit = _five_s_audit(walk.area, version, walk.user, when, 3.4, rng)
        else:
            audit = _waste_walk(walk.area, version, walk.user, when, rng)
        audit.received_at = max(audit.submitted_at, min(now, when + timedelta(hours=1)))
        db.session.flush()
        link_audit(audit)


def _five_s_audit(area, version, auditor, when: datetime, mean: float, rng) -> Audit:
    audit = Audit(
        uuid=new_uuid(),
        area=area,
        template_version=version,
        auditor=auditor,
        kind="5s",
        started_at=when,
        submitted_at=when + timedelta(minutes=rng.randint(12, 35)),
        scanned_at=when if rng.random() < 0.8 else None,
        received_at=when + timedelta(minutes=40),
    )
    db.session.add(audit)
    scored = []
    for item in version.items:
        score = max(0, min(5, round(rng.gauss(mean, 0.9))))
        scored.append((item.section, score))
        db.session.add(Response(uuid=new_uuid(), audit=audit, item=item, score=score))
        if score <= (item.ticket_threshold or 0):
            note = f"{item.prompt} — scored {score}"
            _finding_with_ticket(audit, item, "5s", item.section, "medium", note, when)
    audit.pillar_scores, audit.score_total = five_s_scores(scored)
    return audit


def _waste_walk(area, version, auditor, when: datetime, rng) -> Audit:
    audit = Audit(
        uuid=new_uuid(),
        area=area,
        template_version=version,
        auditor=auditor,
        kind="waste",
        started_at=when,
        submitted_at=when + timedelta(minutes=20),
        scanned_at=when,
        received_at=when + timedelta(minutes=25),
    )
    db.session.add(audit)
    for item, waste in zip(version.items, WASTES, strict=True):
        observed = rng.random() < 0.3
        db.session.add(Response(uuid=new_uuid(), audit=audit, item=item, value_bool=observed))
        if observed:
            note = f"{label_of(WASTES, waste.key)} seen during the walk"
            _finding_with_ticket(audit, item, "waste", waste.key, "low", note, when)
    return audit


def _finding_with_ticket(audit, item, kind, category, severity, text, when) -> None:
    seen = NewFinding(
        area_id=audit.area.id,
        kind=kind,
        category=category,
        severity=severity,
        description=text,
        observed_at=when,
        audit=audit,
        item=item,
    )
    record_finding(audit.auditor, seen, now=when)  # the same way as a finding from a phone


def _spread_ticket_statuses(users: dict[str, User], now: datetime) -> None:
    """Walk tickets through the workflow like a working team would: most old ones closed,
    recent ones in progress, the newest still open — and every status has examples."""
    tickets = list(db.session.scalars(sa.select(KaizenTicket).order_by(KaizenTicket.opened_at)))
    old_plan = ("verified",) * 4 + ("rejected", "verified", "verified", "reopened", "done")
    recent_plan = ("in_progress", "done", "open", "in_progress")
    for index, ticket in enumerate(tickets):
        age = now - ticket.opened_at
        if age > timedelta(days=21):
            target = old_plan[index % len(old_plan)]
        elif age > timedelta(days=7):
            target = recent_plan[index % len(recent_plan)]
        else:
            continue
        if target != "open":
            _work_ticket(ticket, target, users, now)


def _work_ticket(ticket: KaizenTicket, target: str, users: dict[str, User], now) -> None:
    _move(ticket, "in_progress", ticket.owner, ticket.opened_at + timedelta(days=1))
    ticket.whys = ["Nobody owns the check", "The standard does not name an owner"]
    ticket.root_cause = "No owner in the area standard"
    if target == "in_progress":
        return
    if target == "rejected":
        ticket.reject_reason = "Duplicate of a line-side improvement already planned"
        _move(ticket, "rejected", users["leader"], ticket.opened_at + timedelta(days=2))
        return
    ticket.countermeasure = "Owner named on the area board; daily check added to the standard"
    ticket.done_at = ticket.opened_at + timedelta(days=4)
    _move(ticket, "done", ticket.owner, ticket.done_at)
    if target == "done":
        return
    verifier = users["admin"] if ticket.owner == users["leader"] else users["leader"]
    if target == "reopened":
        _move(ticket, "reopened", verifier, ticket.opened_at + timedelta(days=5))
        return
    ticket.check_result = "Checked at the gemba: holds"
    ticket.standardize = "Area standard updated"
    ticket.verified_by = verifier
    ticket.verified_at = min(now, ticket.opened_at + timedelta(days=6))
    # the demo's leaders scanned the area's label before they verified
    ticket.verified_how = "scan"
    ticket.verified_scan_at = ticket.verified_at - timedelta(minutes=12)
    _move(ticket, "verified", verifier, ticket.verified_at)


def _move(ticket: KaizenTicket, to_status: str, actor: User | None, when: datetime) -> None:
    moved = {"from": ticket.status, "to": to_status}
    ticket_history.record(
        ticket, "status_changed", actor.id if actor else None, created_at=when, **moved
    )
    ticket.status = to_status
    ticket.updated_at = when

"""The set-up commands: init-db, seed-demo (once only), user create and backup."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from gemba_walk.core.ids import utcnow
from gemba_walk.lean import FIVE_S_PILLARS, TICKET_STATUSES, keys
from gemba_walk.models import (
    Area,
    Audit,
    KaizenTicket,
    Layer,
    PlannedWalk,
    Shift,
    Site,
    User,
    WalkPlan,
)


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_loads_a_plant_worth_looking_at(runner, db, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    kept = (Path(app.instance_path) / "demo-accounts.txt").read_text()
    assert _count(db, Site) == 1
    assert _count(db, Area) >= 6
    users = db.session.scalars(sa.select(User)).all()
    assert sorted(u.role for u in users) == ["admin", "leader", "member"]
    for user in users:  # every printed password really signs that user in
        line = next(line for line in result.output.splitlines() if user.email in line)
        assert user.check_password(line.split()[-1])
        assert line.strip() in kept  # shown again by the next `make run`
    statuses = Counter(db.session.scalars(sa.select(KaizenTicket.status)))
    assert set(statuses) == set(keys(TICKET_STATUSES))
    audits = db.session.scalars(sa.select(Audit).where(Audit.kind == "5s")).all()
    span = max(a.started_at for a in audits) - min(a.started_at for a in audits)
    assert span.days >= 7 * 7  # eight weekly rounds
    assert len({a.score_total for a in audits}) > 10  # scores vary
    assert set(audits[0].pillar_scores) == set(keys(FIVE_S_PILLARS))


def test_the_demo_plant_has_layers_plans_and_walks_done_late_and_missed(runner, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _count(db, Layer) == 3 and _count(db, Shift) == 3 and _count(db, WalkPlan) == 4
    walks = db.session.scalars(sa.select(PlannedWalk)).all()
    first = min(w.local_date for w in walks)
    assert (max(w.local_date for w in walks) - first).days >= 59  # two months of plans
    now = utcnow()
    closed = [w for w in walks if w.window_end <= now]
    done = [w for w in closed if w.audit_id and w.done_at < w.window_end]
    late = [w for w in closed if w.audit_id and w.done_at >= w.window_end]
    missed = [w for w in closed if not w.audit_id]
    assert len(closed) > 80  # weekdays x 2 layers, weeks, month ends
    assert 0.6 < len(done) / len(closed) < 0.9
    assert late and 0.05 < len(missed) / len(closed) < 0.3
    linked = [w.audit_id for w in walks if w.audit_id]
    assert len(linked) == len(set(linked))  # one audit, one walk


def test_second_seed_keeps_what_is_there(runner, db):
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    models = (Site, Area, User, Audit, KaizenTicket, WalkPlan, PlannedWalk, Layer)
    before = {m.__name__: _count(db, m) for m in models}
    hashes = dict(db.session.execute(sa.select(User.email, User.password_hash)).all())
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "nothing was added or changed" in result.output
    after = {m.__name__: _count(db, m) for m in models}
    assert after == before
    assert dict(db.session.execute(sa.select(User.email, User.password_hash)).all()) == hashes
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert "only loads into an empty database" in refused.output


def test_user_create_command_makes_a_working_account(runner, db):
    result = runner.invoke(
        args=["user", "create", "--email", "Ops@Plant.Example", "--role", "admin"],
        input="a-strong-password\na-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ops@plant.example"))
    assert user.role == "admin" and user.check_password("a-strong-password")
    again = runner.invoke(
        args=["user", "create", "--email", "ops@plant.example", "--password", "another-password"]
    )
    assert again.exit_code != 0
    assert "already an account" in again.output


def test_user_create_rejects_unknown_roles(runner):
    result = runner.invoke(args=["user", "create", "--email", "a@b.c", "--role", "boss"])
    assert result.exit_code == 2
    assert "boss" in result.output


def test_init_db_is_safe_to_run_again(runner, db):
    db.session.add(Site(name="Kept"))
    db.session.commit()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert db.session.scalar(sa.select(Site.name)) == "Kept"

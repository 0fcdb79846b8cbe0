"""Planned walks: plans and their refusals, walks done by synced audits (offline too, never
twice), missed the next day, plant local time, and the board and My walks at a fixed cost."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.walks import operations, planning, queries
from gemba_walk.walks.models import PlannedWalk, WalkPlan
from gemba_walk.walks.operations import PlanDetails, WalkError
from tests.factories import (
    AreaFactory,
    AuditFactory,
    FindingFactory,
    SiteFactory,
    TicketFactory,
    UserFactory,
)
from tests.sync_batches import batch, finding, five_s_audit, iso

BERLIN = "Europe/Berlin"


def template_id(key: str = "5s-audit") -> int:
    return db.session.scalar(sa.select(ChecklistTemplate.id).where(ChecklistTemplate.key == key))


@pytest.fixture
def plant(app):
    """A Berlin plant: three areas, a supervisor layer of two, a team leader."""
    ensure_default_templates()
    site = SiteFactory(name="Werk Berlin", timezone=BERLIN)
    areas = [AreaFactory(site=site, code=f"L-{i}", name=f"Line {i}") for i in (1, 2, 3)]
    supervisors = [UserFactory(role="leader", name=n) for n in ("Sam Supervisor", "Sue Supervisor")]
    layer = operations.create_layer(site, "Supervisor", 2)
    for person in supervisors:
        operations.set_layer(site, person, layer)
    return {"site": site, "areas": areas, "supervisors": supervisors, "layer": layer}


def daily_plan(plant, days_back: int = 3, **changes) -> WalkPlan:
    details = PlanDetails(
        name="Supervisor 5S",
        template_id=template_id(),
        frequency="daily",
        area_ids=[a.id for a in plant["areas"]],
        layer_id=plant["layer"].id,
        rotate=True,
        starts_on=local_today(BERLIN) - timedelta(days=days_back),
    )
    for name, value in changes.items():
        setattr(details, name, value)
    plan = operations.create_plan(plant["site"], details)
    planning.ensure_planned(plant["site"].id)
    return plan


def walks_of(user, day=None) -> list[PlannedWalk]:
    query = sa.select(PlannedWalk).where(PlannedWalk.user_id == user.id)
    if day is not None:
        query = query.where(PlannedWalk.local_date == day)
    return list(db.session.scalars(query.order_by(PlannedWalk.window_start)))


def sync_audit(client, auth, api, person, walk: PlannedWalk, at: datetime, findings=0, **kw):
    """The person's phone sends a 5S audit of the walk's area submitted at ``at`` (UTC)."""
    auth.login(person.email)
    pack = client.get("/api/v1/pack").json
    area = next(a for a in pack["areas"] if a["id"] == walk.area_id)
    audit = five_s_audit(pack, area, [4], scanned=kw.pop("scanned", True))
    audit["submitted_at"] = iso(at)
    audit["started_at"] = iso(at - timedelta(minutes=15))
    if audit["scanned_at"]:
        audit["scanned_at"] = iso(at - timedelta(minutes=16))
    sent = [finding(area, audit, observed_at=iso(at)) for _ in range(findings)]
    answer = api.sync(batch([audit], sent))
    assert answer.status_code == 200, answer.text
    auth.logout()
    db.session.expire_all()
    return audit


# --- plans ------------------------------------------------------------------------------------


def test_rotation_gives_each_supervisor_a_different_area_each_day(plant):
    daily_plan(plant)
    sam, sue = plant["supervisors"]
    today = local_today(BERLIN)
    for back in range(4):
        day = today - timedelta(days=back)
        [a] = walks_of(sam, day)
        [b] = walks_of(sue, day)
        assert a.area_id != b.area_id
    sams_areas = {w.area_id for w in walks_of(sam) if w.local_date <= today}
    assert len(sams_areas) == 3  # four days, three areas: every one seen


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area_ids": []}, "no areas plans nothing"),
        ({"layer_id": None}, "Choose a layer or named people"),
        ({"frequency": "weekdays", "weekdays": ""}, "none would plan nothing"),
        ({"frequency": "monthly", "day_of_month": None}, "day of the month"),
        ({"frequency": "every_shift"}, "has no shifts yet"),
        ({"frequency": "hourly"}, "Choose how often"),
    ],
)
def test_a_plan_that_cannot_work_is_refused_with_the_reason(plant, change, message):
    with pytest.raises(WalkError, match=message):
        daily_plan(plant, **change)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WalkPlan)) == 0


def test_an_overlapping_plan_for_the_same_people_and_area_is_refused(plant):
    daily_plan(plant)
    with pytest.raises(WalkError, match="overlaps the plan “Supervisor 5S”") as refused:
        daily_plan(plant, name="Again", area_ids=[plant["areas"][0].id])
    assert refused.value.code == "overlapping_plan"


def test_a_layer_with_nobody_in_it_plans_no_walks_and_says_nothing_is_due(plant):
    empty = operations.create_layer(plant["site"], "Plant manager", 4)
    daily_plan(plant, layer_id=empty.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlannedWalk)) == 0


def test_a_plan_change_applies_from_tomorrow_and_keeps_history(plant):
    plan = daily_plan(plant)
    sam, _ = plant["supervisors"]
    today = local_today(BERLIN)
    before = {(w.local_date, w.area_id) for w in walks_of(sam) if w.local_date <= today}
    operations.update_plan(
        plan,
        PlanDetails(
            "Supervisor 5S",
            template_id(),
            "daily",
            [plant["areas"][0].id],
            person_ids=[sam.id],
            starts_on=plan.starts_on,
        ),
    )
    planning.ensure_planned(plant["site"].id)
    after = {(w.local_date, w.area_id) for w in walks_of(sam) if w.local_date <= today}
    assert after == before
    [tomorrow] = walks_of(sam, today + timedelta(days=1))
    assert tomorrow.area_id == plant["areas"][0].id


def test_a_person_leaving_the_layer_and_an_archived_area_apply_from_the_next_planning(plant):
    plan = daily_plan(plant, days_back=0, rotate=False)
    sam, sue = plant["supervisors"]
    operations.set_layer(plant["site"], sue, None)
    plant["areas"][2].active = False
    db.session.commit()
    plan.planned_until = local_today(BERLIN)  # tomorrow gets planned again with today's facts
    db.session.execute(sa.delete(PlannedWalk).where(PlannedWalk.local_date > plan.planned_until))
    db.session.commit()
    planning.ensure_planned(plant["site"].id)
    tomorrow = local_today(BERLIN) + timedelta(days=1)
    assert walks_of(sue, tomorrow) == []
    assert {w.area_id for w in walks_of(sam, tomorrow)} == {a.id for a in plant["areas"][:2]}
    assert len(walks_of(sue, local_today(BERLIN))) == 3  # today's walks stay planned


# --- audits do walks --------------------------------------------------------------------------


def test_an_audit_synced_later_counts_by_when_it_was_captured(client, auth, api, plant):
    daily_plan(plant)
    sam, _ = plant["supervisors"]
    yesterday = local_today(BERLIN) - timedelta(days=1)
    [walk] = walks_of(sam, yesterday)
    # Captured yesterday at noon (offline), arriving now.
    sync_audit(client, auth, api, sam, walk, walk.window_start + timedelta(hours=11), findings=2)
    walk = db.session.get(PlannedWalk, walk.id)
    assert walk.audit_id is not None
    [view] = queries.walk_views(sa.select(PlannedWalk).where(PlannedWalk.id == walk.id), _now())
    assert (view.state, view.findings, view.scanned) == ("findings", 2, True)


def test_an_audit_after_the_window_is_done_late_and_one_without_scan_says_so(
    client, auth, api, plant
):
    daily_plan(plant)
    sam, _ = plant["supervisors"]
    two_days_ago = local_today(BERLIN) - timedelta(days=2)
    [walk] = walks_of(sam, two_days_ago)
    later = walk.window_end + timedelta(hours=2)
    # Rotation moves each person on by one area a day, counted from the plan's first day (three
    # areas, so never back to the same one the next day): the audit can only be late for it.
    others = {w.area_id for w in walks_of(sam) if w.window_start <= later < w.window_end}
    assert others and walk.area_id not in others
    sync_audit(client, auth, api, sam, walk, later, scanned=False)
    [view] = queries.walk_views(sa.select(PlannedWalk).where(PlannedWalk.id == walk.id), _now())
    assert (view.state, view.scanned) == ("late", False)


def test_one_audit_never_counts_for_two_walks_and_a_resend_adds_nothing(client, auth, api, plant):
    sam, _ = plant["supervisors"]
    area = plant["areas"][0]
    daily_plan(plant, rotate=False, layer_id=None, person_ids=[sam.id], area_ids=[area.id])
    today = local_today(BERLIN)
    [today_walk] = walks_of(sam, today)
    moment = min(_now(), today_walk.window_end - timedelta(minutes=1))
    audit = sync_audit(client, auth, api, sam, today_walk, moment)
    linked = db.session.scalars(
        sa.select(PlannedWalk).where(PlannedWalk.audit_id.is_not(None))
    ).all()
    assert [w.id for w in linked] == [today_walk.id]  # not also yesterday's (late) walk
    auth.login(sam.email)
    pack = client.get("/api/v1/pack").json
    again = api.sync(batch([audit]))
    assert again.status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PlannedWalk)
            .where(PlannedWalk.audit_id.is_not(None))
        )
        == 1
    )
    assert pack["timezone"] == BERLIN
    assert {w["id"] for w in pack["walks"]} >= {today_walk.id}


def test_a_phone_clock_ahead_is_not_trusted_past_the_servers_time(client, auth, api, plant):
    daily_plan(plant)
    sam, _ = plant["supervisors"]
    [walk] = walks_of(sam, local_today(BERLIN) - timedelta(days=1))
    # Captured yesterday, but the phone says a year from now: the server's received time wins,
    # which is after the window (late), never a future "done".
    sync_audit(client, auth, api, sam, walk, _now() + timedelta(days=365))
    stored = db.session.scalars(
        sa.select(PlannedWalk).where(PlannedWalk.audit_id.is_not(None))
    ).all()
    for linked in stored:
        assert linked.done_at <= _now()


def test_someone_else_auditing_the_area_does_not_do_my_walk(client, auth, api, plant):
    daily_plan(plant)
    sam, sue = plant["supervisors"]
    [walk] = walks_of(sam, local_today(BERLIN))
    sync_audit(client, auth, api, plant["supervisors"][1], walk, _now())
    assert db.session.get(PlannedWalk, walk.id).audit_id is None


# --- board, My walks, plant time ---------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_a_skipped_walk_is_missed_the_next_day_on_the_board(client, auth, plant):
    daily_plan(plant, days_back=1)
    auth.login(plant["supervisors"][0].email)
    page = client.get(f"/walks/board?site={plant['site'].id}")
    assert page.status_code == 200
    today = local_today(BERLIN)
    grid = queries.board(plant["site"], today - timedelta(days=1), today)
    states = {cell.state for row in grid.rows for cell in row.cells[:1]}
    assert states == {"missed", "none"}  # two walks yesterday, none done; one area not planned
    assert page.text.count('data-state="missed"') == 2
    assert page.text.count('data-state="due"') == 2


def test_board_and_my_walks_cost_the_same_queries_with_a_week_or_a_year_of_history(
    client, auth, plant, count_queries
):
    sam, _ = plant["supervisors"]
    auth.login(sam.email)

    def costs():
        client.get("/walks/board")  # plans first (a write), then count
        client.get("/")
        with count_queries() as board_sql:
            assert client.get(f"/walks/board?site={plant['site'].id}&days=28").status_code == 200
        with count_queries() as home_sql:
            assert client.get("/").status_code == 200
        with count_queries() as pack_sql:
            assert client.get("/api/v1/pack").status_code == 200
        return len(board_sql), len(home_sql), len(pack_sql)

    plan = daily_plan(plant, days_back=7)
    week = costs()
    db.session.execute(sa.delete(PlannedWalk))
    plan.starts_on -= timedelta(days=365)
    plan.planned_until = None
    db.session.commit()
    year = costs()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlannedWalk)) > 700
    assert year == week


def test_times_are_shown_in_plant_local_time(client, auth, api, plant):
    daily_plan(plant)
    sam, _ = plant["supervisors"]
    [walk] = walks_of(sam, local_today(BERLIN) - timedelta(days=1))
    auth.login(sam.email)
    page = client.get(f"/walks/{walk.id}")
    # A Berlin day runs from local midnight: 00:00 on the page, 23:00 or 22:00 UTC stored.
    assert re.search(r"\d\d \w\w\w \d{4}, 00:00 – \d\d \w\w\w \d{4}, 00:00", page.text)
    assert walk.window_start.hour in (22, 23)


def test_the_site_time_zone_is_chosen_from_the_iana_list(client, auth, plant):
    auth.login_as("admin")
    site = plant["site"]
    form = client.get(f"/admin/sites/{site.id}")
    assert (
        '<option selected value="Europe/Berlin">' in form.text
        or 'value="Europe/Berlin" selected' in form.text
    )
    token = auth.csrf_token(f"/admin/sites/{site.id}")
    bad = client.post(
        f"/admin/sites/{site.id}",
        data={"name": site.name, "timezone": "Mars/Olympus", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "Choose the time zone from the list" in bad.text
    good = client.post(
        f"/admin/sites/{site.id}",
        data={"name": site.name, "timezone": "America/New_York", "csrf_token": token},
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert site.timezone == "America/New_York"


def test_a_leader_plans_walks_through_the_pages_and_bad_input_gets_a_message(client, auth, plant):
    auth.login(plant["supervisors"][0].email)
    site = plant["site"]
    page = client.get(f"/walks/plans/new?site={site.id}")
    assert page.status_code == 200
    token = auth.csrf_token(f"/walks/plans?site={site.id}")
    empty = client.post(
        f"/walks/plans/new?site={site.id}",
        data={
            "csrf_token": token,
            "name": "Night walk",
            "template_id": template_id(),
            "frequency": "daily",
            "layer_id": plant["layer"].id,
            "starts_on": local_today(BERLIN).isoformat(),
        },
    )
    assert empty.status_code == 422
    assert "Choose at least one area" in empty.text
    shift = client.post(
        f"/walks/shifts?site={site.id}",
        data={
            "csrf_token": token,
            "name": "Night",
            "starts": "22:00",
            "ends": "06:00",
            "weekdays": ["0", "1"],
        },
    )
    assert shift.status_code == 302
    saved = client.post(
        f"/walks/plans/new?site={site.id}",
        data={
            "csrf_token": token,
            "name": "Night walk",
            "template_id": template_id(),
            "frequency": "every_shift",
            "layer_id": plant["layer"].id,
            "area_ids": [plant["areas"][0].id],
            "starts_on": local_today(BERLIN).isoformat(),
        },
    )
    assert saved.status_code == 302, saved.text
    listed = client.get(f"/walks/plans?site={site.id}")
    assert "Night walk" in listed.text and "22:00–06:00 (next day)" in listed.text
    bad_layer = client.post(
        f"/walks/layers?site={site.id}", data={"csrf_token": token, "name": "", "rank": "1"}
    )
    assert bad_layer.status_code == 422 and "Name the layer" in bad_layer.text
    member = UserFactory(role="member")
    auth.logout()
    auth.login(member.email)
    assert client.get(f"/walks/plans?site={site.id}").status_code == 403
    assert client.get(f"/walks/board?site={site.id}").status_code == 200
    assert client.get("/walks/board?end=yesterday").status_code == 400
    assert time(22) > time(6)


def test_the_server_writes_plant_time_as_the_phone_does():
    from gemba_walk.core.localtime import fixed_date, fixed_datetime, format_csv

    assert fixed_datetime(datetime(2026, 3, 29, 1, 30), BERLIN) == "29 Mar 2026, 03:30"
    assert fixed_datetime(datetime(2026, 11, 1, 5, 30), "America/New_York") == "01 Nov 2026, 01:30"
    assert fixed_date(datetime(2026, 11, 25, 23, 30), BERLIN) == "26 Nov 2026"
    assert format_csv(datetime(2026, 11, 25, 23, 30), BERLIN) == "2026-11-26 00:30"
    assert fixed_datetime(None) == "—"


def test_insight_counts_completion_by_layer_person_and_area_as_the_database_has_it(
    client, auth, api, plant
):
    daily_plan(plant, days_back=4)
    sam, sue = plant["supervisors"]
    today = local_today(BERLIN)
    [walk] = walks_of(sam, today - timedelta(days=2))
    sync_audit(client, auth, api, sam, walk, walk.window_start + timedelta(hours=10), findings=3)
    from gemba_walk.reports.walk_insight import walk_insight

    now = _now()
    shown = walk_insight(now - timedelta(days=30), now, plant["site"].id)
    closed = db.session.scalars(sa.select(PlannedWalk).where(PlannedWalk.window_end <= now)).all()
    assert len(closed) == 8  # four closed days, two supervisors
    [layer] = shown.by_layer
    assert (layer.label, layer.planned, layer.on_time, layer.late, layer.missed) == (
        "Supervisor",
        8,
        1,
        0,
        7,
    )
    people = {row.label: (row.planned, row.on_time, row.missed) for row in shown.by_person}
    assert people == {"Sam Supervisor": (4, 1, 3), "Sue Supervisor": (4, 0, 4)}
    assert sum(row.planned for row in shown.by_area) == 8
    assert (shown.walks_done, shown.findings, shown.findings_per_walk) == (1, 3, 3.0)
    assert len(shown.missed) == 7
    auth.login(sam.email)
    page = client.get(f"/insight/?days=30&site={plant['site'].id}")
    assert page.status_code == 200
    assert "3 planned walk(s) missed" in page.text or "2 planned walk(s) missed" in page.text
    assert re.search(r"Sam Supervisor</th><td>1</td><td>0</td><td>3</td>", page.text)


def test_the_board_costs_the_same_queries_with_no_walk_done_or_every_walk_done(
    client, auth, plant, count_queries
):
    from gemba_walk.core.database import write_transaction
    from tests.factories import AuditFactory, default_five_s_version

    daily_plan(plant, days_back=20)
    auth.login(plant["supervisors"][0].email)
    path = f"/walks/board?site={plant['site'].id}&days=28&by=person"
    client.get(path)
    with count_queries() as none_done:
        client.get(path)
    walks = db.session.scalars(sa.select(PlannedWalk).where(PlannedWalk.window_end <= _now())).all()
    for walk in walks:
        audit = AuditFactory(
            area=walk.area,
            auditor=walk.user,
            template_version=default_five_s_version(),
            submitted_at=walk.window_start + timedelta(hours=9),
        )
        with write_transaction():
            planning.link_audit(audit)
    page = client.get(path)
    assert page.text.count('data-state="done"') == len(walks) > 30
    with count_queries() as all_done:
        client.get(path)
    assert len(all_done) == len(none_done)


def test_the_board_can_show_each_shift_across(client, auth, plant):
    from datetime import time as clock

    site = plant["site"]
    operations.create_shift(site, "Early", clock(6), clock(14), "0123456")
    operations.create_shift(site, "Night", clock(22), clock(6), "0123456")
    sam, _ = plant["supervisors"]
    operations.create_plan(
        site,
        PlanDetails(
            "Every shift",
            template_id("waste-walk"),
            "every_shift",
            [plant["areas"][0].id],
            person_ids=[sam.id],
            starts_on=local_today(BERLIN) - timedelta(days=1),
        ),
    )
    auth.login(sam.email)
    page = client.get(f"/walks/board?site={site.id}&across=shift&days=7")
    assert page.status_code == 200
    today = local_today(BERLIN)
    grid = queries.board(site, today - timedelta(days=6), today, across="shift")
    assert [c.shift for c in grid.columns[:2]] == ["Early", "Night"]
    assert len(grid.columns) == 14
    [row] = [r for r in grid.rows if r.key == plant["areas"][0].id]
    assert row.cells[-4].state == "missed"  # yesterday's early shift
    assert row.cells[-3].state in ("missed", "due")  # its night shift ends at 06:00 today
    assert "Night</span>" in page.text


def test_a_layer_is_renamed_and_a_clash_is_refused(client, auth, plant):
    auth.login(plant["supervisors"][0].email)
    site, layer = plant["site"], plant["layer"]
    operations.create_layer(site, "Manager", 3)
    token = auth.csrf_token(f"/walks/plans?site={site.id}")
    clash = client.post(
        f"/walks/layers/{layer.id}", data={"csrf_token": token, "name": "Manager", "rank": "2"}
    )
    assert clash.status_code == 422 and "already has a layer called Manager" in clash.text
    saved = client.post(
        f"/walks/layers/{layer.id}",
        data={"csrf_token": token, "name": "Area supervisor", "rank": "2"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert layer.name == "Area supervisor" and len(layer.members) == 2


def test_a_second_plant_in_another_zone_reads_its_own_records_in_its_own_time(client, auth, plant):
    """Berlin is the first site; a Chicago plant's ticket, audit and area pages, and the CSV
    exports' Chicago rows, are written in Chicago time (14:05 UTC on 20 Nov = 08:05 there,
    15:05 in Berlin)."""
    chicago = SiteFactory(name="Chicago plant", timezone="America/Chicago")
    press = AreaFactory(site=chicago, code="CH-1", name="Press")
    moment = datetime(2026, 11, 20, 14, 5)  # stored naive UTC
    audit = AuditFactory(area=press, submitted_at=moment, scanned_at=moment)
    ticket = TicketFactory(area=press, opened_at=moment)
    db.session.flush()
    FindingFactory(area=press, audit=audit, ticket_id=ticket.id, observed_at=moment)
    berlin_audit = AuditFactory(area=plant["areas"][0], submitted_at=moment)
    db.session.commit()
    auth.login_as("leader")

    for path in (f"/tickets/{ticket.number}", f"/insight/audits/{audit.uuid}"):
        page = client.get(path)
        assert page.status_code == 200
        assert "20 Nov 2026, 08:05" in page.text and "15:05" not in page.text, path
    assert "20 Nov 2026, 15:05" in client.get(f"/insight/audits/{berlin_audit.uuid}").text
    rows = client.get("/insight/findings.csv?days=3650").text.splitlines()
    assert [r for r in rows if "Chicago plant" in r and "2026-11-20 08:05" in r]
    rows = client.get("/tickets/export.csv").text.splitlines()
    assert [r for r in rows if ticket.display_number in r and "2026-11-20 08:05" in r]


def test_a_layer_no_plan_names_is_removed_and_one_a_plan_names_stays(client, auth, plant):
    site, layer = plant["site"], plant["layer"]
    spare = operations.create_layer(site, "Plant manager", 4)
    operations.set_layer(site, plant["supervisors"][1], spare)
    daily_plan(plant)  # names the supervisor layer
    auth.login(plant["supervisors"][0].email)
    token = auth.csrf_token(f"/walks/plans?site={site.id}")

    kept = client.post(f"/walks/layers/{layer.id}/remove", data={"csrf_token": token})
    assert kept.status_code == 422
    assert "named by the plan(s) Supervisor 5S" in kept.text
    assert db.session.get(type(layer), layer.id) is not None

    gone = client.post(f"/walks/layers/{spare.id}/remove", data={"csrf_token": token})
    assert gone.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(spare), spare.id) is None
    page = client.get(f"/walks/plans?site={site.id}")
    assert "Removed the layer Plant manager." in page.text
    # Sue, who was in it, is in no layer now; nothing else changed.
    assert [m.user.name for m in layer.members] == ["Sam Supervisor"]
    again = client.post(f"/walks/layers/{spare.id}/remove", data={"csrf_token": token})
    assert again.status_code == 404


def test_a_shift_is_removed_but_the_last_one_a_per_shift_plan_needs_stays(client, auth, plant):
    from datetime import time as clock

    from gemba_walk.walks.models import Shift

    site = plant["site"]
    early = operations.create_shift(site, "Early", clock(6), clock(14), "0123456")
    late = operations.create_shift(site, "Late", clock(14), clock(22), "0123456")
    daily_plan(plant, frequency="every_shift", rotate=False)
    before = {w.shift_name for w in db.session.scalars(sa.select(PlannedWalk))}
    assert before == {"Early", "Late"}
    auth.login(plant["supervisors"][0].email)
    token = auth.csrf_token(f"/walks/plans?site={site.id}")

    assert (
        client.post(f"/walks/shifts/{late.id}/remove", data={"csrf_token": token}).status_code
        == 302
    )
    last = client.post(f"/walks/shifts/{early.id}/remove", data={"csrf_token": token})
    assert last.status_code == 422 and "Early is the last shift" in last.text
    db.session.expire_all()
    assert [s.name for s in db.session.scalars(sa.select(Shift))] == ["Early"]
    # Walks already planned in the removed shift keep its name (history is not rewritten).
    assert {w.shift_name for w in db.session.scalars(sa.select(PlannedWalk))} == before
    no_token = client.post(f"/walks/shifts/{early.id}/remove")
    assert no_token.status_code == 400


@pytest.mark.parametrize(
    "query, words",
    [
        ("end=0001-01-01", "between 1970-01-01 and 2999-12-31"),
        ("across=shift&end=0001-01-01", "between 1970-01-01 and 2999-12-31"),
        ("end=9999-12-31", "between 1970-01-01 and 2999-12-31"),
        ("end=yesterday", "must be a date such as"),
    ],
)
def test_a_board_date_off_the_calendar_is_refused_with_words(client, auth, plant, query, words):
    """A date off the calendar is a 400 with words; these once answered 500."""
    auth.login(plant["supervisors"][0].email)
    page = client.get(f"/walks/board?site={plant['site'].id}&{query}")
    assert page.status_code == 400 and words in page.text


@pytest.mark.parametrize("days", ["²", "٣", "99", "-7", ""])
def test_a_board_length_it_does_not_offer_shows_the_week(client, auth, plant, days):
    auth.login(plant["supervisors"][0].email)
    page = client.get(f"/walks/board?site={plant['site'].id}&days={days}")
    assert page.status_code == 200


@pytest.mark.parametrize("layer_id", ["abc", str(2**40), "-1", "1.5"])
def test_a_layer_that_is_no_id_is_refused_and_the_person_keeps_theirs(
    client, auth, plant, layer_id
):
    """layer_id=abc or 2**40 is refused; it once read as "no layer" and removed them."""
    from tests.conftest import csrf_token_from

    sam = plant["supervisors"][0]
    auth.login_as("admin")
    plans = client.get(f"/walks/plans?site={plant['site'].id}")
    answer = client.post(
        f"/walks/members?site={plant['site'].id}",
        data={"csrf_token": csrf_token_from(plans.text), "user_id": sam.id, "layer_id": layer_id},
    )
    assert answer.status_code == 422 and "Choose a layer of this site." in answer.text
    from gemba_walk.walks.models import LayerMember

    db.session.expire_all()
    members = db.session.scalars(
        sa.select(LayerMember.user_id).where(LayerMember.layer_id == plant["layer"].id)
    ).all()
    assert sam.id in members and len(members) == 2

"""Insight computations against hand-built data with known answers: Pareto, ticket KPIs,
the latest 5S scores per area, areas not walked."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from gemba_walk.audits.models import Audit, Finding
from gemba_walk.checklists.defaults import ensure_default_templates
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.ids import utcnow
from gemba_walk.lean import WASTES
from gemba_walk.reports.insight import (
    findings_pareto,
    five_s_heat_map,
    not_walked,
    pareto,
    slipping,
    ticket_kpis,
)
from gemba_walk.tickets.models import KaizenTicket
from tests.factories import (
    AreaFactory,
    AuditFactory,
    FindingFactory,
    SiteFactory,
    TicketFactory,
    UserFactory,
)

NOW = datetime(2026, 11, 25, 12, 0)
TODAY = NOW.date()


def test_pareto_orders_causes_and_accumulates_their_share():
    rows = pareto({"waiting": 6, "motion": 3, "transport": 1, "defects": 0}, WASTES)
    assert [(r.label, r.count) for r in rows] == [("Waiting", 6), ("Motion", 3), ("Transport", 1)]
    assert [round(r.share, 2) for r in rows] == [0.6, 0.3, 0.1]
    assert [round(r.cumulative, 2) for r in rows] == [0.6, 0.9, 1.0]


def test_pareto_breaks_ties_by_name_and_is_empty_without_findings():
    rows = pareto({"waiting": 2, "inventory": 2, "motion": 2}, WASTES)
    assert [r.label for r in rows] == ["Inventory", "Motion", "Waiting"]
    assert rows[-1].cumulative == pytest.approx(1.0)
    assert pareto({}) == [] and pareto({"waiting": 0}) == []


def _finding(area, reporter, kind, category, when) -> Finding:
    return FindingFactory.build(
        area=area,
        kind=kind,
        category=category,
        severity="low",
        reported_by=reporter,
        observed_at=when,
    )


def test_findings_pareto_counts_the_period_and_site_only(db):
    north, south = SiteFactory(), SiteFactory()
    here, there = AreaFactory(site=north), AreaFactory(site=south)
    person = UserFactory()
    inside = NOW - timedelta(days=3)
    db.session.add_all(
        [_finding(here, person, "waste", "waiting", inside) for _ in range(3)]
        + [_finding(here, person, "waste", "motion", inside)]
        + [_finding(there, person, "waste", "motion", inside) for _ in range(4)]
        + [_finding(here, person, "waste", "defects", NOW - timedelta(days=40))]  # too old
        + [_finding(here, person, "abnormality", "safety", inside)]  # another kind
    )
    db.session.commit()
    start = NOW - timedelta(days=30)
    assert [(r.key, r.count) for r in findings_pareto("waste", start, NOW, north.id)] == [
        ("waiting", 3),
        ("motion", 1),
    ]
    assert [(r.key, r.count) for r in findings_pareto("waste", start, NOW)] == [
        ("motion", 5),
        ("waiting", 3),
    ]
    assert findings_pareto("waste", NOW - timedelta(days=1), NOW) == []  # an empty period


def _ticket(area, number, status, opened, **fields) -> KaizenTicket:
    return TicketFactory.build(
        number=number,
        area=area,
        kind="waste",
        category="waiting",
        title=f"T{number}",
        status=status,
        opened_at=opened,
        **fields,
    )


def test_ticket_kpis_with_known_answers(db):
    area = AreaFactory()
    db.session.add_all(
        [
            _ticket(area, 1, "open", NOW - timedelta(days=2), due_date=TODAY - timedelta(days=1)),
            _ticket(area, 2, "in_progress", NOW - timedelta(days=20), due_date=TODAY),
            _ticket(area, 3, "reopened", NOW - timedelta(days=60), recurred=True),
            _ticket(area, 4, "done", NOW - timedelta(days=100), due_date=TODAY - timedelta(days=9)),
            # verified in the period after 4 and 10 days: median 7
            _ticket(
                area,
                5,
                "verified",
                NOW - timedelta(days=20),
                first_observed_at=NOW - timedelta(days=21),
                verified_at=NOW - timedelta(days=17),
            ),
            _ticket(
                area,
                6,
                "verified",
                NOW - timedelta(days=12),
                first_observed_at=NOW - timedelta(days=12),
                verified_at=NOW - timedelta(days=2),
            ),
            # verified before the period: left out of the lead time
            _ticket(
                area,
                7,
                "verified",
                NOW - timedelta(days=300),
                first_observed_at=NOW - timedelta(days=300),
                verified_at=NOW - timedelta(days=200),
            ),
            _ticket(area, 8, "rejected", NOW - timedelta(days=5)),
        ]
    )
    db.session.commit()
    kpis = ticket_kpis(TODAY, NOW - timedelta(days=90), NOW)
    assert kpis.open == 4  # open, in progress, reopened, done
    assert kpis.overdue == 1  # the done one waits for its verifier, not for the team
    assert kpis.recurred == 1
    assert kpis.median_lead_days == 7.0
    assert kpis.verified_in_period == 2
    assert kpis.ageing == [
        ("up to a week", 1),
        ("8–30 days", 1),
        ("31–90 days", 1),
        ("over 90 days", 1),
    ]
    nothing = ticket_kpis(TODAY, NOW - timedelta(days=1), NOW)
    assert nothing.median_lead_days is None and nothing.verified_in_period == 0


def _audit(area, auditor, version, when, pillars=None, kind="5s") -> Audit:
    scores = pillars or {}
    return AuditFactory.build(
        area=area,
        template_version=version,
        auditor=auditor,
        kind=kind,
        started_at=when - timedelta(minutes=20),
        submitted_at=when,
        pillar_scores=scores or None,
        score_total=round(sum(scores.values()) / len(scores), 2) if scores else None,
    )


@pytest.fixture
def five_s_version(db):
    ensure_default_templates()
    db.session.commit()
    return ChecklistTemplate.query.filter_by(key="5s-audit").one().versions[-1]


def test_the_heat_map_shows_each_areas_latest_5s_audit(db, five_s_version):
    site = SiteFactory()
    audited, once, _never = (
        AreaFactory(site=site, code="A-1"),
        AreaFactory(site=site, code="A-2"),
        AreaFactory(site=site, code="A-3"),
    )
    auditor = UserFactory(role="leader")
    db.session.add_all(
        [
            _audit(
                audited,
                auditor,
                five_s_version,
                NOW - timedelta(days=30),
                {"sort": 2.0, "shine": 1.0},
            ),
            _audit(
                audited,
                auditor,
                five_s_version,
                NOW - timedelta(days=2),
                {"sort": 4.0, "shine": 3.0},
            ),
            _audit(once, auditor, five_s_version, NOW - timedelta(days=9), {"sort": 5.0}),
        ]
    )
    db.session.commit()
    rows = {row.area.code: row for row in five_s_heat_map(site.id)}
    assert list(rows) == ["A-1", "A-2", "A-3"]
    assert rows["A-1"].pillars == {"sort": 4.0, "shine": 3.0} and rows["A-1"].total == 3.5
    assert rows["A-2"].pillars == {"sort": 5.0}  # one audit only
    assert rows["A-3"].pillars == {} and rows["A-3"].audited_at is None
    assert rows["A-1"].previous_total == 1.5 and rows["A-1"].change == 2.0
    assert rows["A-2"].change is None and rows["A-3"].change is None


def test_areas_slipping_are_those_whose_latest_5s_fell_worst_first(db, five_s_version):
    site = SiteFactory()
    steady, slips, crashes, once = (
        AreaFactory(site=site, code=code) for code in ("S-1", "S-2", "S-3", "S-4")
    )
    auditor = UserFactory(role="leader")
    history = {
        steady: (3.0, 2.8, 2.9),  # fell 0.2 once, then rose 0.1: not slipping now
        slips: (2.0, 4.0, 3.5),  # fell 0.5
        crashes: (4.5, 4.2, 2.0),  # fell 2.2
        once: (1.0,),
    }
    for area, totals in history.items():
        for age, total in zip((60, 30, 3)[-len(totals) :], totals, strict=True):
            db.session.add(
                _audit(area, auditor, five_s_version, NOW - timedelta(days=age), {"sort": total})
            )
    db.session.commit()
    rows = five_s_heat_map(site.id)
    assert [(r.area.code, r.change) for r in rows] == [
        ("S-1", 0.1),
        ("S-2", -0.5),
        ("S-3", -2.2),
        ("S-4", None),
    ]
    assert [r.area.code for r in slipping(rows)] == ["S-3", "S-2"]
    assert [r.area.code for r in slipping(rows, by=1.0)] == ["S-3"]


def test_areas_not_walked_for_n_days_longest_first(db, five_s_version):
    site = SiteFactory()
    fresh, stale, _never = (
        AreaFactory(site=site, code="B-1"),
        AreaFactory(site=site, code="B-2"),
        AreaFactory(site=site, code="B-3"),
    )
    archived = AreaFactory(site=site, code="B-4", active=False)
    auditor = UserFactory(role="leader")
    db.session.add_all(
        [
            _audit(fresh, auditor, five_s_version, NOW - timedelta(days=3), kind="waste"),
            _audit(stale, auditor, five_s_version, NOW - timedelta(days=20), {"sort": 3.0}),
            _audit(archived, auditor, five_s_version, NOW - timedelta(days=99), {"sort": 3.0}),
        ]
    )
    db.session.commit()
    rows = not_walked(14, NOW, site.id)
    assert [(r.area.code, r.days) for r in rows] == [("B-3", None), ("B-2", 20)]
    assert [r.area.code for r in not_walked(30, NOW, site.id)] == ["B-3"]
    assert [r.area.code for r in not_walked(2, NOW, site.id)] == ["B-3", "B-2", "B-1"]


# --- the dashboard page ----------------------------------------------------------------------


def test_the_dashboard_shows_the_numbers_for_leaders_only(client, auth, runner, db):
    from tests.factories import demo_plant

    demo_plant(runner)
    auth.login_as("member")
    assert client.get("/insight/").status_code == 403
    auth.logout()
    auth.login_as("leader")
    page = client.get("/insight/?days=365&walked=7")
    assert page.status_code == 200
    html = page.text
    now = utcnow()
    kpis = ticket_kpis(now.date(), now - timedelta(days=365), now)
    assert (
        f'<span class="stat__value">{kpis.open}</span><span class="stat__label">open tickets'
        in html
    )
    waste = findings_pareto("waste", now - timedelta(days=365), now)
    assert waste, "the demo plant has waste findings"
    assert f'<th scope="row">{waste[0].label}<meter' in html
    assert html.count('class="heat heat--') == len(five_s_heat_map()) * 6
    for bad in ("days=7", "days=abc", "walked=0"):
        answer = client.get(f"/insight/?{bad}")
        assert answer.status_code == 400
        assert "not a valid" in answer.text or "Choose a period of 30, 90, 365 days" in answer.text


def test_audit_and_finding_csv_hold_the_period_and_open_cleanly(client, auth, runner, db):
    import csv
    import io

    import sqlalchemy as sa

    from gemba_walk.audits.models import Response
    from tests.factories import demo_plant

    demo_plant(runner)
    auth.login_as("leader")
    since = utcnow() - timedelta(days=30)
    audits = client.get("/insight/audits.csv?days=30")
    assert audits.status_code == 200 and audits.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(audits.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Audit", "Submitted (UTC)", "Site"]
    expected = db.session.scalar(
        sa.select(sa.func.count(Response.id))
        .join(Audit, Response.audit_id == Audit.id)
        .where(Audit.submitted_at >= since)
    )
    assert len(rows) - 1 == expected > 0
    findings = client.get("/insight/findings.csv?days=30")
    rows = list(csv.reader(io.StringIO(findings.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Observed (UTC)",
        "Site",
        "Area code",
        "Area",
        "Kind",
        "Category",
        "Severity",
        "Description",
        "Reported by",
        "Ticket",
        "Photos",
    ]
    expected = db.session.scalar(
        sa.select(sa.func.count(Finding.id)).where(Finding.observed_at >= since)
    )
    assert len(rows) - 1 == expected > 0
    assert all(row[9].startswith("KZ-") for row in rows[1:])  # every finding has its ticket
    assert client.get("/insight/findings.csv?area=x").status_code == 400
    auth.logout()
    auth.login_as("member")
    assert client.get("/insight/audits.csv").status_code == 403


def test_each_csv_export_is_offered_for_a_semicolon_excel_too(client, auth, runner, db):
    """A German-locale Excel splits on semicolons and reads 8.5 as a date;
    beside plain CSV each export offers "Excel (semicolon, UTF-8 with BOM)" with decimal
    commas, the same rows and columns."""
    import csv
    import io

    from tests.factories import demo_plant

    demo_plant(runner)
    auth.login_as("leader")
    dashboard = client.get("/insight/?days=30").text
    board = client.get("/tickets/").text
    assert "Audits, Excel (semicolon, UTF-8 with BOM)" in dashboard
    assert "Findings, Excel (semicolon, UTF-8 with BOM)" in dashboard
    assert "Excel (semicolon, UTF-8 with BOM)" in board
    for url in (
        "/insight/audits.csv?days=30",
        "/insight/findings.csv?days=30",
        "/tickets/export.csv",
    ):
        plain = client.get(url)
        excel = client.get(url + ("&" if "?" in url else "?") + "format=excel")
        assert excel.status_code == 200 and excel.mimetype == "text/csv", url
        assert excel.data.startswith("\ufeff".encode())
        assert "-excel.csv" in excel.headers["Content-Disposition"]
        plain_rows = list(csv.reader(io.StringIO(plain.data.decode("utf-8-sig"))))
        excel_rows = list(csv.reader(io.StringIO(excel.data.decode("utf-8-sig")), delimiter=";"))
        assert len(excel_rows) == len(plain_rows) > 1 and excel_rows[0] == plain_rows[0]
        assert all(len(row) == len(plain_rows[0]) for row in excel_rows)
        for plain_row, excel_row in zip(plain_rows[1:], excel_rows[1:], strict=True):
            assert [
                c.replace(".", ",") if c.replace(".", "", 1).lstrip("-").isdigit() else c
                for c in plain_row
            ] == excel_row
    audits = client.get("/insight/audits.csv?days=30&format=excel").data.decode("utf-8-sig")
    assert any("," in row[-1] for row in csv.reader(io.StringIO(audits), delimiter=";"))
    refused = client.get("/tickets/export.csv?format=xlsx")
    assert refused.status_code == 400 and "Use csv or excel" in refused.text


def test_the_audit_report_shows_every_answer_finding_and_ticket(client, auth, runner, db):
    import sqlalchemy as sa

    from tests.factories import demo_plant

    demo_plant(runner)
    audit = db.session.scalar(
        sa.select(Audit).where(Audit.kind == "5s", Audit.findings.any()).limit(1)
    )
    auth.login_as("member")
    page = client.get(f"/insight/audits/{audit.uuid}")
    assert page.status_code == 200
    html = page.text
    for response in audit.responses:
        assert response.item.prompt.replace("'", "&#39;") in html
    for finding in audit.findings:
        ticket = db.session.get(KaizenTicket, finding.ticket_id)
        assert ticket.display_number in html
    assert "chart-radar" in html and f"{audit.score_total:.1f} of 5" in html
    assert client.get(f"/insight/audits/{uuid.uuid4()}").status_code == 404


def test_an_areas_insight_compares_the_latest_audit_with_the_one_before(
    client, auth, db, five_s_version
):
    import json
    import re

    area = AreaFactory(code="C-7", name="Coil store")
    auditor = UserFactory(role="leader", name="Lia Leader")
    db.session.add_all(
        [
            _audit(
                area, auditor, five_s_version, NOW - timedelta(days=60), {"sort": 1.0, "shine": 2.0}
            ),
            _audit(
                area, auditor, five_s_version, NOW - timedelta(days=30), {"sort": 2.0, "shine": 2.5}
            ),
            _audit(
                area, auditor, five_s_version, NOW - timedelta(days=1), {"sort": 4.0, "shine": 3.0}
            ),
        ]
    )
    db.session.add(_ticket(area, 9, "open", NOW - timedelta(days=3)))
    db.session.commit()
    auth.login_as("member")
    page = client.get(f"/insight/areas/{area.id}")
    assert page.status_code == 200
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', page.text, re.S).group(1))
    radar = charts["chart-area-radar"]["series"]
    assert [s["values"][:3] for s in radar] == [[4.0, None, 3.0], [2.0, None, 2.5]]
    trend = charts["chart-area-trend"]
    assert trend["series"][0] == {"label": "5S", "values": [1.5, 2.25, 3.5]}
    assert len(trend["labels"]) == 3
    assert "KZ-0009" in page.text and "Lia Leader" in page.text
    assert client.get("/insight/areas/999999").status_code == 404


def test_an_area_with_one_audit_has_no_previous_and_no_trend(client, auth, db, five_s_version):
    area = AreaFactory()
    db.session.add(_audit(area, UserFactory(role="leader"), five_s_version, NOW, {"sort": 3.0}))
    db.session.commit()
    auth.login_as("leader")
    html = client.get(f"/insight/areas/{area.id}").text
    assert "chart-area-radar" in html and "5S over time" not in html


def test_the_dashboard_costs_the_same_queries_with_no_history_or_months_of_it(
    client, auth, app, db, count_queries
):
    import random

    import sqlalchemy as sa

    from gemba_walk.areas.models import Area
    from gemba_walk.auth.models import User
    from gemba_walk.cli.demo import seed_history
    from gemba_walk.core.database import write_transaction
    from tests.factories import demo_layout

    demo_layout(app)
    auth.login_as("leader")

    def queries_for(path: str) -> int:
        db.session.remove()  # a fresh session, as every request in production has
        with count_queries() as statements:
            answer = client.get(path)
        assert answer.status_code == 200
        return len(statements)

    paths = ("/insight/?days=30", "/insight/?days=365")
    empty = {path: queries_for(path) for path in paths}
    with write_transaction():
        users = {u.role: u for u in db.session.scalars(sa.select(User))}
        areas = list(db.session.scalars(sa.select(Area)))
        seed_history(areas, users, random.Random(3), weeks=26)  # noqa: S311
    assert db.session.scalar(sa.select(sa.func.count(Audit.id))) > 200
    busy = {path: queries_for(path) for path in paths}
    assert busy == empty


def test_the_lowest_scoring_5s_items_point_where_to_act(db, five_s_version):
    """A Pareto by pillar sits near 20 % each; the items themselves, lowest mean score
    first, with how often each fell to its ticket threshold, in the period and site only."""
    from gemba_walk.audits.models import Response
    from gemba_walk.reports.insight import lowest_five_s_items

    site, elsewhere = SiteFactory(), SiteFactory()
    here, there = AreaFactory(site=site), AreaFactory(site=elsewhere)
    auditor = UserFactory(role="leader")
    items = {item.key: item for item in five_s_version.items}

    def audit(area, when, scores):
        made = _audit(area, auditor, five_s_version, when, {"sort": 3.0})
        db.session.add(made)
        db.session.flush()
        for key, score in scores.items():
            db.session.add(
                Response(uuid=str(uuid.uuid4()), audit=made, item=items[key], score=score)
            )

    audit(here, NOW - timedelta(days=3), {"sort-1": 1, "shine-2": 4, "set_in_order-1": 2})
    audit(here, NOW - timedelta(days=10), {"sort-1": 2, "shine-2": 5, "set_in_order-1": 4})
    audit(here, NOW - timedelta(days=400), {"shine-2": 0})  # outside the period
    audit(there, NOW - timedelta(days=3), {"shine-2": 0})  # another site
    db.session.commit()

    rows = lowest_five_s_items(NOW - timedelta(days=90), NOW, site.id)
    assert [(r.key, r.mean, r.audits, r.low) for r in rows] == [
        ("sort-1", 1.5, 2, 2),
        ("set_in_order-1", 3.0, 2, 1),
        ("shine-2", 4.5, 2, 0),
    ]
    assert rows[0].prompt == items["sort-1"].prompt and rows[0].section == "sort"
    everywhere = {r.key: r for r in lowest_five_s_items(NOW - timedelta(days=90), NOW)}
    assert (everywhere["shine-2"].mean, everywhere["shine-2"].audits) == (3.0, 3)
    assert lowest_five_s_items(NOW - timedelta(days=1), NOW, site.id) == []

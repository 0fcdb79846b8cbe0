"""The site dashboard: where areas stand (latest 5S), where problems come from (Pareto), how
kaizen flows (ticket KPIs), and which areas nobody has walked lately."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from gemba_walk.areas.models import Area
from gemba_walk.areas.queries import active_sites
from gemba_walk.audits.models import Audit, shown_photos
from gemba_walk.auth.roles import leader_required
from gemba_walk.checklists.texts import shown, shown_question
from gemba_walk.core.csv_export import export_format, stream_csv
from gemba_walk.core.i18n import format_date
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import parse_id, parse_uuid, utcnow
from gemba_walk.core.localtime import format_csv, local_today, plant_zone, use_zone
from gemba_walk.extensions import db
from gemba_walk.field_rules import format_number
from gemba_walk.lean import (
    CATEGORY_TERMS,
    FIVE_S_PILLARS,
    N_,
    SEVERITIES,
    TEMPLATE_KINDS,
    label_of,
)
from gemba_walk.reports import insight, queries
from gemba_walk.reports.walk_insight import walk_insight

bp = Blueprint("reports", __name__, url_prefix="/insight")

PERIODS = (30, 90, 365)
PARETOS = (
    ("waste", N_("Wastes seen on walks")),
    ("abnormality", N_("Abnormalities by SQDCE category")),
    ("5s", N_("5S findings by pillar")),
    ("custom", N_("Findings of your own checklists by section")),
)


def _number_arg(name: str, default: int, allowed=None, low: int = 1, high: int = 3650) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    number = parse_id(value)
    if number is None or not low <= number <= high:
        abort(
            400,
            description=_(
                "“%(value)s” is not a valid %(name)s (a whole number of days).",
                value=value,
                name=name,
            ),
        )
    if allowed and number not in allowed:
        abort(
            400,
            description=_("Choose a period of %(days)s days.", days=", ".join(map(str, allowed))),
        )
    return number


@bp.get("/")
@leader_required
def dashboard():
    days = _number_arg("days", 90, PERIODS)
    walked = _number_arg("walked", 14)
    sites = active_sites()
    site_id = parse_id(request.args.get("site", ""))
    now = utcnow()
    start = now - timedelta(days=days)
    kpis = insight.ticket_kpis(local_today(), start, now, site_id)
    heat = insight.five_s_heat_map(site_id)
    paretos = [
        (kind, _(title), insight.findings_pareto(kind, start, now, site_id))
        for kind, title in PARETOS
    ]
    charts = {
        f"chart-pareto-{kind}": {
            "kind": "pareto",
            "labels": [row.label for row in rows],
            "counts": [row.count for row in rows],
            "cumulative": [round(row.cumulative * 100, 1) for row in rows],
        }
        for kind, _, rows in paretos
        if rows
    }
    charts["chart-ageing"] = {
        "kind": "bars",
        "label": _("Open tickets"),
        "labels": [_(label) for label, _count in kpis.ageing],
        "values": [count for _, count in kpis.ageing],
    }
    return render_template(
        "reports/dashboard.html",
        charts=charts,
        days=days,
        periods=PERIODS,
        walked=walked,
        sites=sites,
        site_id=site_id,
        kpis=kpis,
        heat=heat,
        slipping=insight.slipping(heat),
        pillars=FIVE_S_PILLARS,
        paretos=paretos,
        low_items=[
            replace(item, prompt=shown_question(item.prompt))
            for item in insight.lowest_five_s_items(start, now, site_id)
        ],
        unwalked=insight.not_walked(walked, now, site_id),
        walks=walk_insight(start, now, site_id),
        now=now,
    )


# --- exports and the printable audit report ---------------------------------------------------

AUDIT_COLUMNS = (
    "Audit",
    "Submitted (UTC)",
    "Site",
    "Area code",
    "Area",
    "Checklist",
    "Version",
    "Auditor",
    "Scanned at the gemba (UTC)",
    "Section",
    "Item",
    "Score",
    "Answer",
    "Note",
    "5S total",
)
FINDING_COLUMNS = (
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
)


def _scope() -> tuple[datetime, int, int | None, int | None]:
    """Period, site and area from the URL: (since, days, site id, area id)."""
    days = _number_arg("days", 90, high=3650)
    since = utcnow() - timedelta(days=days)
    site, area = request.args.get("site", ""), request.args.get("area", "")
    for name, value in (("site", site), ("area", area)):
        if value and parse_id(value) is None:
            abort(
                400, description=_("“%(value)s” is not a valid %(name)s.", value=value, name=name)
            )
    return since, days, parse_id(site) if site else None, parse_id(area) if area else None


def _answer(value_bool: bool | None, value_number: float | None, value_text: str | None) -> str:
    if value_bool is not None:
        return "yes" if value_bool else "no"
    if value_number is not None:
        return format_number(value_number)
    return value_text or ""


@bp.get("/audits.csv")
@leader_required
def audits_csv():
    """Audits of the period, one row per answered item: one streamed query, columns only."""
    since, days, site_id, area_id = _scope()
    form = export_format(request.args.get("format"))
    query = queries.audit_rows(since, site_id, area_id)
    zone = plant_zone()  # read now: the rows are written after the view has returned
    return stream_csv(
        f"audits-last-{days}-days.csv",
        AUDIT_COLUMNS,
        query,
        lambda row: _audit_row(row, zone),
        form=form,
    )


def _audit_row(row, zone: str) -> tuple:
    zone = row.timezone or zone  # each row in its own site's local time
    return (
        row.uuid,
        format_csv(row.submitted_at, zone),
        row.site,
        row.code,
        row.area,
        row.checklist,
        row.version,
        row.auditor,
        format_csv(row.scanned_at, zone),
        row.section,
        row.prompt,
        "" if row.score is None else row.score,
        _answer(row.value_bool, row.value_number, row.value_text),
        row.note,
        "" if row.score_total is None else row.score_total,
    )


@bp.get("/findings.csv")
@leader_required
def findings_csv():
    """Findings of the period, one row each, with the ticket each opened or joined: one
    streamed query, photos counted once per finding in a grouped subquery."""
    since, days, site_id, area_id = _scope()
    form = export_format(request.args.get("format"))
    query = queries.finding_rows(since, site_id, area_id)
    zone = plant_zone()
    return stream_csv(
        f"findings-last-{days}-days.csv",
        FINDING_COLUMNS,
        query,
        lambda row: _finding_row(row, zone),
        form=form,
    )


def _finding_row(row, zone: str) -> tuple:
    zone = row.timezone or zone  # each row in its own site's local time
    return (
        format_csv(row.observed_at, zone),
        row.site,
        row.code,
        row.area,
        label_of(TEMPLATE_KINDS, row.kind),
        label_of(CATEGORY_TERMS, row.category),
        label_of(SEVERITIES, row.severity),
        row.description,
        row.reporter,
        f"KZ-{row.number:04d}" if row.number else "",
        row.photos,
    )


@bp.get("/audits/<uuid>")
@login_required
def audit_report(uuid: str):
    """One audit, printable: who, when, scan proof, scores, every answer, findings, tickets."""
    audit = queries.audit_for_report(uuid)
    if audit is None:
        abort(404, description=_("There is no audit with this id."))
    use_zone(audit.area.site.timezone)
    answers = {response.item_id: response for response in audit.responses}
    findings_by_item: dict[int | None, list] = {}
    for finding in audit.findings:
        findings_by_item.setdefault(finding.item_id, []).append(finding)
    tickets = queries.tickets_of_findings(audit.findings)
    previous = queries.previous_audit(audit)
    charts = {}
    if audit.pillar_scores:
        series = [(_("This audit"), audit.pillar_scores)]
        if previous is not None and previous.pillar_scores:
            before = format_date(previous.submitted_at)
            series.append((_("Previous, %(date)s", date=before), previous.pillar_scores))
        charts["chart-radar"] = _radar(series)
    return render_template(
        "reports/audit.html",
        audit=audit,
        previous=previous,
        items=audit.template_version.items,
        answers=answers,
        findings_by_item=findings_by_item,
        tickets=tickets,
        pillars=FIVE_S_PILLARS,
        charts=charts,
        category_label=lambda key: label_of(CATEGORY_TERMS, key),
        as_read=lambda text: shown(audit.template_version, text),
        shown_photos=shown_photos,
    )


@bp.get("/audits/<uuid>/signature.png")
@login_required
def audit_signature(uuid: str):
    """The auditor's signature drawn on the phone, as the server re-encoded it (PNG)."""
    audit_uuid = parse_uuid(uuid)  # a NUL or any other junk never reaches the database
    row = None
    if audit_uuid is not None:
        row = db.session.execute(
            sa.select(Audit.signature_png, Audit.signature_sha256).where(Audit.uuid == audit_uuid)
        ).first()
    if row is None or row.signature_png is None:
        abort(404, description=_("This audit has no drawn signature."))
    response = Response(row.signature_png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.set_etag(row.signature_sha256 or "")
    return response.make_conditional(request)


@bp.get("/areas/<int:area_id>")
@login_required
def area(area_id: int):
    """One area: 5S radar (latest against the previous audit), trend, last walks, tickets."""
    found = db.session.get(Area, area_id)
    if found is None:
        abort(404, description=_("There is no such area."))
    use_zone(found.site.timezone)
    view = insight.area_insight(found, utcnow())
    charts = {}
    if view.latest:
        shown = [(_("Latest"), view.latest)]
        if view.previous:
            shown.append((_("Previous"), view.previous))
        charts["chart-area-radar"] = _radar(
            [
                (f"{name} ({format_date(audit.submitted_at)})", audit.pillar_scores)
                for name, audit in shown
            ]
        )
        charts["chart-area-trend"] = {
            "kind": "trend",
            "labels": [format_date(a.submitted_at) for a in view.five_s],
            "series": [{"label": "5S", "values": [a.score_total for a in view.five_s]}]
            + [
                {
                    "label": label_of(FIVE_S_PILLARS, p.key),
                    "values": [(a.pillar_scores or {}).get(p.key) for a in view.five_s],
                }
                for p in FIVE_S_PILLARS
            ],
        }
    return render_template("reports/area.html", view=view, pillars=FIVE_S_PILLARS, charts=charts)


def _radar(series: list[tuple[str, dict | None]]) -> dict:
    """A 5S radar chart: one line of pillar scores per (label, scores)."""
    return {
        "kind": "radar",
        "labels": [label_of(FIVE_S_PILLARS, p.key) for p in FIVE_S_PILLARS],
        "series": [
            {"label": label, "values": [(scores or {}).get(p.key) for p in FIVE_S_PILLARS]}
            for label, scores in series
        ],
    }

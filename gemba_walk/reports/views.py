"""The site dashboard: where areas stand (latest 5S), where problems come from (Pareto), how
kaizen flows (ticket KPIs), and which areas nobody has walked lately."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request

from gemba_walk.areas.models import Site
from gemba_walk.auth.roles import leader_required
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import FIVE_S_PILLARS
from gemba_walk.reports import insight

bp = Blueprint("reports", __name__, url_prefix="/insight")

PERIODS = (30, 90, 365)
PARETOS = (
    ("waste", "Wastes seen on walks"),
    ("abnormality", "Abnormalities by SQDCE category"),
    ("5s", "5S findings by pillar"),
)


def _number_arg(name: str, default: int, allowed=None, low: int = 1, high: int = 3650) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        abort(400, description=f"“{value}” is not a valid {name} (a whole number of days).")
    if allowed and int(value) not in allowed:
        abort(400, description=f"Choose a period of {', '.join(map(str, allowed))} days.")
    return int(value)


@bp.get("/")
@leader_required
def dashboard():
    days = _number_arg("days", 90, PERIODS)
    walked = _number_arg("walked", 14)
    sites = db.session.scalars(sa.select(Site).where(Site.active).order_by(Site.name)).all()
    site_id = request.args.get("site", "")
    site_id = int(site_id) if site_id.isdigit() else None
    now = utcnow()
    start = now - timedelta(days=days)
    kpis = insight.ticket_kpis(now.date(), start, now, site_id)
    paretos = [
        (kind, title, insight.findings_pareto(kind, start, now, site_id)) for kind, title in PARETOS
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
        "label": "Open tickets",
        "labels": [label for label, _ in kpis.ageing],
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
        heat=insight.five_s_heat_map(site_id),
        pillars=FIVE_S_PILLARS,
        paretos=paretos,
        unwalked=insight.not_walked(walked, now, site_id),
    )

"""What the REST read endpoints list: tickets, audits (walk results), findings and areas, each
filtered by time and site and paginated by id (``after`` = the last id seen)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import request

from gemba_walk.api.schema import (
    AreaRecord,
    FindingRecord,
    Ticket,
    TicketHistory,
    TicketHistoryEvent,
    WalkResult,
)
from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.core.errors import ApiError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import parse_id
from gemba_walk.extensions import db
from gemba_walk.lean import TICKET_STATUSES, keys
from gemba_walk.tickets import history, workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent

MAX_LIMIT = 200


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() + ("Z" if isinstance(value, datetime) else "") if value else None


def _time(name: str) -> datetime | None:
    text = request.args.get(name)
    if text in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(
            422, _("%(name)s must be an ISO 8601 time, e.g. 2026-11-26T08:00:00Z.", name=name)
        ) from error
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _number(name: str, default: int | None = None, largest: int | None = None) -> int | None:
    text = request.args.get(name)
    if text in (None, ""):
        return default
    value = parse_id(text)
    if value is None or (largest is not None and value > largest):
        if largest:
            raise ApiError(
                422,
                _(
                    "%(name)s must be a whole number from 1 to %(largest)s.",
                    name=name,
                    largest=largest,
                ),
            )
        raise ApiError(422, _("%(name)s must be a whole number.", name=name))
    return value


def page(query: Any, model: Any, time_column: Any) -> dict[str, Any]:
    """Apply since/until/site/after/limit and answer {"items", "next_after"}."""
    since, until = _time("since"), _time("until")
    if since is not None:
        query = query.where(time_column >= since)
    if until is not None:
        query = query.where(time_column < until)
    site = _number("site")
    if site is not None:
        area_column = model.id if model is Area else model.area_id
        query = query.where(area_column.in_(sa.select(Area.id).where(Area.site_id == site)))
    after = _number("after")
    if after is not None:
        query = query.where(model.id > after)
    limit = _number("limit", 50, MAX_LIMIT) or 50
    rows = list(db.session.scalars(query.order_by(model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"rows": rows, "next_after": rows[-1].id if more else None}


def ticket_query() -> Any:
    query = sa.select(KaizenTicket).options(sa.orm.joinedload(KaizenTicket.area))
    status = request.args.get("status")
    if status:
        if status not in keys(TICKET_STATUSES):
            raise ApiError(
                422,
                _("status must be one of %(known)s.", known=", ".join(keys(TICKET_STATUSES))),
            )
        query = query.where(KaizenTicket.status == status)
    return query


def ticket_json(ticket: KaizenTicket) -> Ticket:
    return Ticket(
        **{
            "id": ticket.id,
            "number": ticket.number,
            "display_number": ticket.display_number,
            "area_id": ticket.area_id,
            "site_id": ticket.area.site_id,
            "kind": ticket.kind,
            "category": ticket.category,
            "title": ticket.title,
            "severity": ticket.severity,
            "status": ticket.status,
            "owner_id": ticket.owner_id,
            "due_date": ticket.due_date.isoformat() if ticket.due_date else None,
            "problem": ticket.problem,
            "whys": ticket.whys or [],
            "root_cause": ticket.root_cause,
            "countermeasure": ticket.countermeasure,
            "check_result": ticket.check_result,
            "standardize": ticket.standardize,
            "no_change_reason": ticket.no_change_reason,
            "occurrences": ticket.occurrences,
            "recurred": ticket.recurred,
            "opened_at": _iso(ticket.opened_at),
            "done_at": _iso(ticket.done_at),
            "verified_at": _iso(ticket.verified_at),
            "verified_how": ticket.verified_how if ticket.verified_at else None,
            "verified_scan_at": _iso(ticket.verified_scan_at),
            "verification": workflow.verification_words(ticket),
            "updated_at": _iso(ticket.updated_at),
        }
    )


def history_json(ticket: KaizenTicket) -> TicketHistory:
    """The ticket's history: each event's kind and values, and its sentence in the request's
    language."""
    events = db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .options(sa.orm.selectinload(TicketEvent.actor))
        .order_by(TicketEvent.created_at, TicketEvent.id)
    )
    return TicketHistory(
        number=ticket.display_number,
        items=[
            TicketHistoryEvent(
                id=event.id,
                kind=event.kind,
                data=event.data or {},
                sentence=history.sentence(event),
                actor_id=event.actor_id,
                actor_name=event.actor.name if event.actor else None,
                occurred_at=_iso(event.occurred_at),
                created_at=_iso(event.created_at),
            )
            for event in events
        ],
    )


def audit_json(audit: Audit) -> WalkResult:
    return WalkResult(
        **{
            "id": audit.id,
            "uuid": audit.uuid,
            "area_id": audit.area_id,
            "site_id": audit.area.site_id,
            "kind": audit.kind,
            "auditor_id": audit.auditor_id,
            "started_at": _iso(audit.started_at),
            "submitted_at": _iso(audit.submitted_at),
            "scanned_at": _iso(audit.scanned_at),
            "score_total": audit.score_total,
            "pillar_scores": audit.pillar_scores,
            "findings": len(audit.findings),
        }
    )


def finding_json(finding: Finding) -> FindingRecord:
    return FindingRecord(
        **{
            "id": finding.id,
            "uuid": finding.uuid,
            "audit_id": finding.audit_id,
            "area_id": finding.area_id,
            "site_id": finding.area.site_id,
            "kind": finding.kind,
            "category": finding.category,
            "severity": finding.severity,
            "description": finding.description,
            "reported_by_id": finding.reported_by_id,
            "observed_at": _iso(finding.observed_at),
            "ticket_id": finding.ticket_id,
        }
    )


def area_json(area: Area) -> AreaRecord:
    return AreaRecord(
        **{
            "id": area.id,
            "site_id": area.site_id,
            "site": area.site.name,
            "code": area.code,
            "name": area.name,
            "owner_id": area.owner_id,
            "active": area.active,
            "created_at": _iso(area.created_at),
        }
    )

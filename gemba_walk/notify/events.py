"""Recording what is worth telling: each fact becomes one ``NotifyEvent`` row in the caller's
transaction (so an event exists exactly when its change was committed). Who hears it is
``audience``; the fan-out into deliveries is ``fanout``, run by the jobs."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.core.i18n import Phrase, said, said_data
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ABNORMALITY_CATEGORIES, N_, Term
from gemba_walk.notify.audience import recipients
from gemba_walk.notify.kinds import REPLACES, SUMMARY_KIND, URGENT_KINDS
from gemba_walk.notify.models import Delivery, NotifyEvent
from gemba_walk.tickets.models import KaizenTicket


def add_event(
    kind: str,
    *,
    ticket: KaizenTicket | None = None,
    actor_id: int | None = None,
    message: str = "",
    key: str | None = None,
    data: dict | None = None,
) -> NotifyEvent | None:
    """Record an event in the caller's transaction; with ``key``, only once ever."""
    if key is not None and db.session.scalar(
        sa.select(NotifyEvent.id).where(NotifyEvent.key == key)
    ):
        return None
    spoken = said_data(message)  # a Said: each reader hears it in their own language
    if spoken:
        data = {**(data or {}), **spoken}
    event = NotifyEvent(
        kind=kind,
        key=key,
        ticket=ticket,
        actor_id=actor_id,
        message=str(message),
        urgent=kind in URGENT_KINDS,
        data=data,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def audit_completed(audit, actor_id: int | None, message: str = "") -> NotifyEvent | None:
    """An audit or walk was synced (told to nobody; webhooks send it)."""
    return add_event(
        "audit.completed",
        actor_id=actor_id,
        message=message,
        data={
            "audit": {
                "id": audit.id,
                "uuid": audit.uuid,
                "kind": audit.kind,
                "area_id": audit.area_id,
                "score_total": audit.score_total,
                "submitted_at": audit.submitted_at.isoformat() + "Z",
            }
        },
    )


def andon_event(
    kind: str, *, area: Area, report=None, reports: int = 0, key: str = ""
) -> NotifyEvent | None:
    """From an area's label, before any ticket: an urgent report (``andon.reported``: the
    area's leaders hear at once, on every channel, like a critical finding) or a flood of
    reports past the area's limit (``andon.flooded``, once per key)."""
    where = {"code": area.code, "area": area.name}
    if kind == "andon.reported":
        return add_event(
            kind,
            message=said(
                N_("ANDON %(category)s reported in %(code)s · %(area)s, before triage: %(what)s"),
                category=Phrase(_term_msgid(ABNORMALITY_CATEGORIES, report.category)),
                what=report.description,
                **where,
            ),
            data={"area_id": area.id, "andon_report": report.id},
            key=f"andon-report:{report.id}",
        )
    return add_event(
        kind,
        message=said(
            N_(
                "Andon flood in %(code)s · %(area)s: %(count)s reports within the hour. "
                "New reporters still get through, more slowly."
            ),
            count=reports,
            **where,
        ),
        data={"area_id": area.id},
        key=f"andon-flood:{key}",
    )


def _term_msgid(terms: tuple[Term, ...], key: str) -> str:
    # The English label (the msgid), so each reader hears it in their own language.
    return next((term.label for term in terms if term.key == key), key)


def add_checked_events(candidates: list, today, summary_after: int) -> int:
    """The due check's events ``(kind, ticket, message, key)``, each once ever (by key). A
    person who would hear of more than ``summary_after`` of them at once — the first run on a
    plant's old tickets, or after the jobs were down — hears one summary instead; the events
    are still kept (webhooks, the history) but not told to them again."""
    known = set(
        db.session.scalars(
            sa.select(NotifyEvent.key).where(NotifyEvent.key.in_([c[3] for c in candidates]))
        )
    )
    fresh = [candidate for candidate in candidates if candidate[3] not in known]
    audience = {
        key: recipients(NotifyEvent(kind=kind, ticket=ticket)) for kind, ticket, _, key in fresh
    }
    counts: dict[int, int] = {}
    for people in audience.values():
        for person in people:
            counts[person] = counts.get(person, 0) + 1
    crowded = {person for person, count in counts.items() if count > summary_after}
    for kind, ticket, message, key in fresh:
        summarised = sorted(audience[key] & crowded)
        data = {"told_in_summary": summarised} if summarised else None
        add_event(kind, ticket=ticket, message=message, key=key, data=data)
    for person in sorted(crowded):
        event = add_event(
            SUMMARY_KIND,
            message=said(
                N_("%(count)s tickets need you: overdue or due tomorrow. The board lists them."),
                count=counts[person],
            ),
            key=f"{SUMMARY_KIND}:{person}:{today.isoformat()}",
        )
        if event is not None:
            db.session.flush()
            db.session.add(_inbox_placeholder(event, person))
    return len(fresh)


def replace_earlier(event: NotifyEvent, people: set[int], now) -> None:
    """In the fan-out: what these people were told of the ticket's earlier condition (overdue,
    before escalated) is read in the inbox and not sent any more, so the later one replaces it."""
    earlier = REPLACES.get(event.kind)
    if not earlier or event.ticket_id is None or not people:
        return
    older = sa.select(NotifyEvent.id).where(
        NotifyEvent.ticket_id == event.ticket_id,
        NotifyEvent.kind.in_(earlier),
        NotifyEvent.id != event.id,
    )
    mine = (Delivery.event_id.in_(older), Delivery.user_id.in_(people))
    db.session.execute(
        sa.update(Delivery)
        .where(*mine, Delivery.channel == "inbox", Delivery.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.execute(
        sa.update(Delivery)
        .where(*mine, Delivery.channel != "inbox", Delivery.status.in_(("held", "pending")))
        .values(status="skipped", last_error="replaced by a later notice of the same ticket")
    )


def walk_event(kind: str, *, key: str, user_ids: list[int], message: str) -> bool:
    """A planned walk's event (``checks.check_walks``): tells these people once per key;
    whether it was new."""
    if kind not in ("walk.due", "walk.missed"):
        raise ValueError(f"{kind} is not a walk event")
    event = add_event(kind, message=message, key=key)
    if event is None:
        return False
    db.session.flush()
    for user_id in set(user_ids):
        db.session.add(_inbox_placeholder(event, user_id))
    return True


def _inbox_placeholder(event: NotifyEvent, user_id: int) -> Delivery:
    # Walk events name their audience themselves; the fan-out adds the other channels.
    return Delivery(
        event_id=event.id, user_id=user_id, channel="inbox", status="sent", sent_at=utcnow()
    )

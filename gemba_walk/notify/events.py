"""What is worth telling and who hears it.

Domains emit through ``core.hooks``; ``on_hook`` writes a ``NotifyEvent`` in the same
transaction (so an event exists exactly when its change was committed), and after the commit its
fan-out job is queued. ``recipients`` is the matrix of who hears what (tests/test_notify_events.py
pins it); nobody ever hears of what they did themselves.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding
from gemba_walk.auth.models import User
from gemba_walk.core import hooks
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import Phrase, Problem, said, said_data
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ABNORMALITY_CATEGORIES, N_, Term
from gemba_walk.notify.models import AndonPull, Delivery, NotifyEvent
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket

logger = logging.getLogger(__name__)

# Every event a person may hear of, in the words of the preferences page.
EVENT_KINDS: dict[str, str] = {
    "ticket.opened": N_("A ticket is opened in your area"),
    "ticket.assigned": N_("A ticket is assigned to you"),
    "ticket.due_soon": N_("Your ticket is due tomorrow"),
    "ticket.overdue": N_("Your ticket is overdue (and, later, your area's)"),
    "ticket.done": N_("A fix waits for your verification"),
    "ticket.sent_back": N_("Your ticket is sent back"),
    "ticket.reopened": N_("Your ticket is reopened"),
    "ticket.recurred": N_("Your ticket's problem recurred"),
    "ticket.seen_again": N_("Your done ticket's problem is seen again"),
    "ticket.rejected": N_("Your ticket is rejected"),
    "ticket.verified": N_("A fix you own or reported is verified"),
    "andon.pulled": N_("Andon: a critical (safety) finding in your area"),
    "walk.due": N_("A planned walk is due"),
    "walk.missed": N_("A planned walk was missed"),
}
# Andon pulls, their escalations and urgent (Safety) reports from an area's label before
# triage reach every channel, past quiet hours and digests.
URGENT_KINDS = {"andon.pulled", "andon.escalated", "andon.reported"}
# Emitted by domains, sent to webhooks, told to nobody: ticket.started, audit.completed.


def register() -> None:
    hooks.subscribe(on_hook)
    if sa.event.contains(sa.orm.Session, "after_flush", _remember_new_events):
        return
    sa.event.listen(sa.orm.Session, "after_flush", _remember_new_events)
    sa.event.listen(sa.orm.Session, "after_commit", _queue_new_events)
    sa.event.listen(sa.orm.Session, "after_soft_rollback", _forget_new_events)


def on_hook(kind: str, ticket: KaizenTicket | None = None, actor_id=None, message="", **details):
    if kind == "ticket.viewed":
        mark_ticket_read(actor_id, ticket)
        return
    if kind == "audit.completed":
        audit = details["audit"]
        add_event(
            kind,
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
        return
    if kind in ("andon.reported", "andon.flooded"):
        andon_event(kind, **details)
        return
    add_event(kind, ticket=ticket, actor_id=actor_id, message=message)


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


def pull_andon(ticket: KaizenTicket, actor_id: int | None) -> None:
    """A finding made the ticket critical (findings.operations.record_finding calls this): the
    area's leaders hear at once, on every channel (once a ticket)."""
    db.session.flush()
    if db.session.scalar(sa.select(AndonPull.id).where(AndonPull.ticket_id == ticket.id)):
        return
    db.session.add(AndonPull(ticket_id=ticket.id, pulled_at=utcnow()))
    add_event(
        "andon.pulled",
        ticket=ticket,
        actor_id=actor_id,
        message=said(
            N_("ANDON %(number)s in %(code)s · %(area)s: %(title)s"),
            number=ticket.display_number,
            code=ticket.area.code,
            area=ticket.area.name,
            title=Problem(ticket.title),
        ),
        key=f"andon:{ticket.id}",
    )


def andon_event(kind: str, *, area: Area, report=None, reports: int = 0, key: str = "") -> None:
    """From an area's label, before any ticket: an urgent report (``andon.reported``: the
    area's leaders hear at once, on every channel, like a critical finding) or a flood of
    reports past the area's limit (``andon.flooded``, once per key)."""
    where = {"code": area.code, "area": area.name}
    if kind == "andon.reported":
        add_event(
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
    else:
        add_event(
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


# What the periodic due check says, and the one summary a person hears instead of many.
CHECKED_KINDS = ("ticket.due_soon", "ticket.overdue", "ticket.overdue_escalated")
SUMMARY_KIND = "ticket.overdue_summary"
# A later condition of a ticket replaces what the same person was told of an earlier one.
REPLACES = {
    "ticket.overdue": ("ticket.due_soon",),
    "ticket.overdue_escalated": ("ticket.due_soon", "ticket.overdue"),
}


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
    """A planned walk's event (``jobs.check_walks``): tells these people once per key; whether
    it was new."""
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


# --- who hears what -------------------------------------------------------------------------


def area_leaders(area: Area) -> set[int]:
    """The area's owner when a leader; otherwise every active leader (admins if none)."""
    if area.owner is not None and area.owner.is_leader and area.owner.active:
        return {area.owner.id}
    leaders = set(db.session.scalars(sa.select(User.id).where(User.role == "leader", User.active)))
    return leaders or admins()


def admins() -> set[int]:
    return set(db.session.scalars(sa.select(User.id).where(User.role == "admin", User.active)))


def verifiers(ticket: KaizenTicket) -> set[int]:
    """Leaders who may verify it: the leaders of the layer above the owner's where the site asks
    for the owner's own leader (and they are known), else every active leader or admin but its
    owner."""
    chosen = workflow.verifiers(ticket).leader_ids
    if chosen:
        return set(chosen)
    ids = db.session.scalars(
        sa.select(User.id).where(User.role.in_(("leader", "admin")), User.active)
    )
    return set(ids) - {ticket.owner_id}


def reporters(ticket: KaizenTicket) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Finding.reported_by_id).where(
                Finding.ticket_id == ticket.id, Finding.reported_by_id.is_not(None)
            )
        )
    )


def recipients(event: NotifyEvent) -> set[int]:
    """Who hears of this event (before preferences), never the person who caused it."""
    ticket = event.ticket
    kind = event.kind
    people: set[int | None] = set()
    if kind == "ticket.opened":
        people = {ticket.owner_id, ticket.area.owner_id}
    elif kind in (
        "ticket.assigned",
        "ticket.due_soon",
        "ticket.overdue",
        "ticket.sent_back",
        "ticket.reopened",
        "ticket.seen_again",
        "ticket.rejected",
    ):
        people = {ticket.owner_id}
    elif kind == "ticket.recurred":
        # The leader who verified the fix that did not hold hears too.
        people = {ticket.owner_id, ticket.verified_by_id}
    elif kind == "ticket.overdue_escalated":
        people = area_leaders(ticket.area)
    elif kind == "ticket.done":
        people = verifiers(ticket)
    elif kind == "ticket.verified":
        people = {ticket.owner_id} | reporters(ticket)
    elif kind == "andon.pulled":
        people = area_leaders(ticket.area)
    elif kind == "andon.escalated":
        people = admins() | area_leaders(ticket.area)
    elif kind in ("andon.reported", "andon.flooded"):
        area = db.session.get(Area, (event.data or {}).get("area_id") or 0)
        people = area_leaders(area) if area is not None else set()
    elif kind == "webhook.paused":
        people = admins()
    elif kind in ("walk.due", "walk.missed", SUMMARY_KIND):
        people = set(
            db.session.scalars(
                sa.select(Delivery.user_id).where(
                    Delivery.event_id == event.id, Delivery.channel == "inbox"
                )
            )
        )
    people -= {None, event.actor_id, *((event.data or {}).get("told_in_summary") or ())}
    if not people:
        return set()
    active = db.session.scalars(sa.select(User.id).where(User.id.in_(people), User.active))
    return set(active)


# --- the inbox read -------------------------------------------------------------------------


def mark_ticket_read(user_id: int, ticket: KaizenTicket) -> None:
    """The person opened the ticket: what the inbox told them about it is read."""
    event_ids = sa.select(NotifyEvent.id).where(NotifyEvent.ticket_id == ticket.id)
    with write_transaction():
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.user_id == user_id,
                Delivery.channel == "inbox",
                Delivery.read_at.is_(None),
                Delivery.event_id.in_(event_ids),
            )
            .values(read_at=utcnow())
        )


# --- queue the fan-out after the commit -----------------------------------------------------


def _remember_new_events(session, _context) -> None:
    # In after_flush, session.new still lists what was just inserted, now with its id.
    new = [obj.id for obj in session.new if isinstance(obj, NotifyEvent)]
    if new:
        session.info.setdefault("notify_new_events", set()).update(new)


def _queue_new_events(session) -> None:
    ids = session.info.pop("notify_new_events", None)
    if not ids:
        return
    from gemba_walk.notify import jobs

    for event_id in sorted(ids):
        try:
            jobs.fan_out(event_id)
        except Exception:  # the queue is down: the minute sweep fans the event out later
            logger.exception("Could not queue the fan-out of event %s", event_id)


def _forget_new_events(session, _previous) -> None:
    session.info.pop("notify_new_events", None)

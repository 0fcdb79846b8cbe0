"""Who hears of what: the matrix of recipients (tests/test_notify_events.py pins it), before
each person's preferences. Nobody ever hears of what they did themselves."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding
from gemba_walk.auth.models import User
from gemba_walk.extensions import db
from gemba_walk.notify.kinds import SUMMARY_KIND
from gemba_walk.notify.models import Delivery, NotifyEvent
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket

# Events told to the ticket's owner alone.
OWNER_KINDS = (
    "ticket.assigned",
    "ticket.due_soon",
    "ticket.overdue",
    "ticket.sent_back",
    "ticket.reopened",
    "ticket.seen_again",
    "ticket.rejected",
)
# Events whose audience was named when they were recorded (their inbox rows).
NAMED_KINDS = ("walk.due", "walk.missed", SUMMARY_KIND)


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


def _ticket_audience(kind: str, ticket: KaizenTicket) -> set[int | None]:
    if kind == "ticket.opened":
        return {ticket.owner_id, ticket.area.owner_id}
    if kind in OWNER_KINDS:
        return {ticket.owner_id}
    if kind == "ticket.recurred":
        # The leader who verified the fix that did not hold hears too.
        return {ticket.owner_id, ticket.verified_by_id}
    if kind == "ticket.done":
        return set(verifiers(ticket))
    if kind == "ticket.verified":
        return {ticket.owner_id} | reporters(ticket)
    if kind in ("ticket.overdue_escalated", "andon.pulled"):
        return set(area_leaders(ticket.area))
    if kind == "andon.escalated":
        return admins() | area_leaders(ticket.area)
    return set()


def _audience(event: NotifyEvent) -> set[int | None]:
    kind = event.kind
    if kind in ("andon.reported", "andon.flooded"):
        area = db.session.get(Area, (event.data or {}).get("area_id") or 0)
        return set(area_leaders(area)) if area is not None else set()
    if kind == "webhook.paused":
        return set(admins())
    if kind in NAMED_KINDS:
        return set(
            db.session.scalars(
                sa.select(Delivery.user_id).where(
                    Delivery.event_id == event.id, Delivery.channel == "inbox"
                )
            )
        )
    if event.ticket is not None:
        return _ticket_audience(kind, event.ticket)
    return set()


def recipients(event: NotifyEvent) -> set[int]:
    """Who hears of this event (before preferences), never the person who caused it."""
    people = _audience(event)
    people -= {None, event.actor_id, *((event.data or {}).get("told_in_summary") or ())}
    if not people:
        return set()
    active = db.session.scalars(sa.select(User.id).where(User.id.in_(people), User.active))
    return set(active)

"""The one event mechanism notifications use: domains state facts through ``core.hooks``
(``emit("ticket.done", ...)``; they may not import the layers above them), and ``on_hook``
records each as a ``NotifyEvent`` in the caller's transaction and asks for its fan-out job
once that transaction commits (``core.database.after_commit``: a call, not a second event
bus). An event recorded outside a write transaction, or whose job could not be queued, is fanned
out by the sweep within the minute.

A hook is a fact (``ticket.opened``, ``audit.completed``); what a caller wants done is a
function call (``inbox.mark_ticket_read``, ``pull_andon_for``, which ``findings`` calls).
"""

from __future__ import annotations

import logging

from gemba_walk.core import hooks
from gemba_walk.core.database import after_commit
from gemba_walk.extensions import db
from gemba_walk.notify import jobs
from gemba_walk.notify.andon_pulls import pull_andon
from gemba_walk.notify.events import add_event, andon_event, audit_completed
from gemba_walk.notify.models import NotifyEvent
from gemba_walk.tickets.models import KaizenTicket

logger = logging.getLogger(__name__)


def register() -> None:
    hooks.subscribe(on_hook)


def on_hook(kind: str, ticket: KaizenTicket | None = None, actor_id=None, message="", **details):
    made: list[NotifyEvent | None] = []
    if kind == "audit.completed":
        made.append(audit_completed(details["audit"], actor_id, message))
    elif kind in ("andon.reported", "andon.flooded"):
        made.append(andon_event(kind, **details))
    else:
        made.append(add_event(kind, ticket=ticket, actor_id=actor_id, message=message))
    fan_out_after_commit([event for event in made if event is not None])


def pull_andon_for(ticket: KaizenTicket, actor_id: int | None) -> None:
    """Pull the andon for a ticket a finding made critical (a command: once per ticket), and
    fan its event out once the caller's transaction commits."""
    fan_out_after_commit([event for event in [pull_andon(ticket, actor_id)] if event])


def fan_out_after_commit(made: list[NotifyEvent]) -> None:
    """Queue the fan-out of these new events once the transaction that records them commits."""
    if not made:
        return
    db.session.flush()  # their ids
    for event_id in sorted(event.id for event in made):
        after_commit(lambda event_id=event_id: _queue(event_id))


def _queue(event_id: int) -> None:
    try:
        jobs.fan_out(event_id)
    except Exception:  # the queue is down: the minute sweep fans the event out later
        logger.exception("Could not queue the fan-out of event %s", event_id)

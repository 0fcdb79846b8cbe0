"""The kaizen workflow: who may move a ticket where, and what each step needs.

Open → In progress → Done → Verified (closed), with Reopened (sent back, recurred, or reopened
after closing) and Rejected (with a reason). Any signed-in user comments; the owner or a leader
starts work and marks it done; Done needs a countermeasure and an "after" photo; who verifies
is the site's choice (tickets/verification.py): by default a leader or admin who is not the
owner (separation of duties); leaders reassign. Every change is an event in the ticket's
history (tickets/history.py), so the history is the ticket's whole story.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from gemba_walk.audits.models import Photo
from gemba_walk.auth.models import User
from gemba_walk.core import hooks
from gemba_walk.core.i18n import Problem, current_language, format_date, said
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import site_today
from gemba_walk.extensions import db
from gemba_walk.lean import CLOSED_TICKET_STATUSES, N_, TICKET_STATUSES, label_of
from gemba_walk.tickets import history
from gemba_walk.tickets.checks import MAX_TEXT, TicketError, is_worker, parse_date, text_value
from gemba_walk.tickets.history import CHANGED_FIELD_WORDS
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from gemba_walk.tickets.pdca import MAX_WHYS, update_pdca
from gemba_walk.tickets.steps import ACTIONS, STATUS_HOOKS, Action, status_message
from gemba_walk.tickets.verification import (
    may_verify,
    verification_words,
    verifiers,
    verify,
    who_may_verify,
)

# The workflow's one name for each of these (pages, the API and tests say workflow.X).
__all__ = [
    "ACTIONS",
    "CHANGED_FIELD_WORDS",
    "MAX_TEXT",
    "MAX_WHYS",
    "TicketError",
    "is_worker",
    "may_verify",
    "update_pdca",
    "verification_words",
    "verifiers",
    "who_may_verify",
]


def may(user: User, ticket: KaizenTicket, action: Action) -> bool:
    if action.who == "worker":
        return is_worker(user, ticket)
    if action.who == "verifier":
        return may_verify(user, ticket)
    return user.is_leader


def available_actions(user: User, ticket: KaizenTicket) -> list[Action]:
    return [
        action
        for action in ACTIONS.values()
        if ticket.status in action.from_statuses and may(user, ticket, action)
    ]


def after_photo_count(ticket: KaizenTicket) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Photo.id)).where(
            Photo.ticket_id == ticket.id, Photo.role == "after"
        )
    )


def _event(ticket: KaizenTicket, actor: User, kind: str, **data) -> TicketEvent:
    ticket.updated_at = utcnow()
    return history.record(ticket, kind, actor.id, **data)


def _refuse_step(ticket: KaizenTicket, user: User, action_key: str) -> Action:
    """The step, if this person may take it now; else a TicketError saying why not."""
    action = ACTIONS.get(action_key)
    if action is None:
        raise TicketError(
            400, "unknown_action", _("There is no step called %(step)s.", step=repr(action_key))
        )
    if ticket.status not in action.from_statuses:
        status = label_of(TICKET_STATUSES, ticket.status)
        raise TicketError(
            409,
            "illegal_transition",
            _(
                "%(number)s is %(status)s: “%(step)s” is not possible now.",
                number=ticket.display_number,
                status=status.lower() if current_language() == "en" else status,
                step=_(action.label),
            ),
        )
    if not may(user, ticket, action):
        if action.who == "verifier" and ticket.owner_id == user.id:
            raise TicketError(
                403,
                "own_ticket",
                _("You own this ticket, so another leader verifies it (separation of duties)."),
            )
        if action.who == "worker":
            only = _("Only its owner or a leader can do “%(step)s”.", step=_(action.label))
        else:
            only = _("Only a leader can do “%(step)s”.", step=_(action.label))
        raise TicketError(403, "not_allowed", only)
    return action


def _new_due(ticket: KaizenTicket, due_date: date | str | None, today: date) -> date | None:
    """Sending back or reopening: the new due date, required when the old one has passed."""
    new_due = parse_date(due_date)
    if new_due is None and ticket.due_date is not None and ticket.due_date < today:
        raise TicketError(
            422,
            "due_date_required",
            _(
                "Give a new due date: the old one (%(date)s) has passed.",
                date=format_date(ticket.due_date),
            ),
        )
    if new_due is not None and new_due < today:
        raise TicketError(422, "due_date_past", _("The new due date cannot be in the past."))
    return new_due


def _check_needs(ticket: KaizenTicket, action: Action) -> None:
    """What the step needs on the ticket: Act before it closes, the fix before it is done."""
    if action.key == "verify" and not (
        ticket.standardize.strip() or ticket.no_change_reason.strip()
    ):
        # PDCA's Act: a closed ticket says which standard changed, or why none needed to.
        raise TicketError(
            422,
            "act_required",
            _(
                "Before it closes, fill in “Act”: which standard, checklist or visual control "
                "changed — or that no standard change is needed, and why."
            ),
        )
    if action.key == "done":
        if not ticket.countermeasure.strip():
            raise TicketError(
                422,
                "countermeasure_required",
                _("Write the countermeasure before marking done."),
            )
        if after_photo_count(ticket) == 0:
            raise TicketError(
                422,
                "after_photo_required",
                _("Add at least one “after” photo that shows the countermeasure in place."),
            )


def transition(
    ticket: KaizenTicket,
    user: User,
    action_key: str,
    reason: str = "",
    result: str = "",
    due_date: date | str | None = None,
    today: date | None = None,
) -> TicketEvent:
    """Move the ticket by ``action_key``; raises TicketError (and changes nothing) otherwise.

    Sending back or reopening takes a new due date (``due_date``); it is required when the
    old one has passed, so the ticket does not come back overdue at once."""
    action = _refuse_step(ticket, user, action_key)
    reason = text_value(reason, N_("The reason"))
    result = text_value(result, N_("The result"))
    if action.needs_reason and not reason:
        raise TicketError(
            422, "reason_required", _("Say why: “%(step)s” needs a reason.", step=_(action.label))
        )
    new_due = None
    if action.key in ("send_back", "reopen"):
        new_due = _new_due(ticket, due_date, today or site_today(ticket.area.site))
    _check_needs(ticket, action)
    from_status = ticket.status
    kind, data = _take_step(ticket, user, action, reason, result, new_due)
    ticket.status = action.to_status
    event = _event(ticket, user, kind, **{"from": from_status, "to": action.to_status}, **data)
    hooks.emit(
        STATUS_HOOKS[action.key],
        ticket=ticket,
        actor_id=user.id,
        message=status_message(ticket, user, action, reason),
        from_status=from_status,
    )
    return event


def _take_step(
    ticket: KaizenTicket,
    user: User,
    action: Action,
    reason: str,
    result: str,
    new_due: date | None,
) -> tuple[str, dict]:
    """Change the ticket as the step says; answer the history event's kind and values."""
    now = utcnow()
    if action.key == "start" and ticket.owner_id is None:
        ticket.owner_id = user.id
        return "taken", {"name": user.name, "reason": reason or None}
    if action.key == "done":
        ticket.done_at = now
    elif action.key == "verify":
        return "verified", verify(ticket, user, result, now)
    elif action.key == "reject":
        ticket.reject_reason = reason
    elif action.key in ("send_back", "reopen"):
        data: dict = {"reason": reason}
        if new_due is not None and new_due != ticket.due_date:
            old_due = ticket.due_date.isoformat() if ticket.due_date else None
            data["due_date"] = [old_due, new_due.isoformat()]
            ticket.due_date = new_due
        # no longer verified: the history keeps who had verified it and when
        ticket.verified_by_id, ticket.verified_at, ticket.self_verified = None, None, False
        ticket.verified_how, ticket.verified_scan_at = None, None
        return "status_changed", data
    return "status_changed", {"reason": reason or None}


def comment(
    ticket: KaizenTicket,
    user: User,
    body: str,
    kind: str = "comment",
    uuid: str | None = None,
    occurred_at: datetime | None = None,
) -> TicketEvent:
    """Anyone signed in may comment, or note a check at the gemba (append-only)."""
    if kind not in ("comment", "gemba_check"):
        raise TicketError(400, "unknown_kind", _("A note is a comment or a gemba check."))
    body = text_value(body, N_("The comment"))
    if not body:
        raise TicketError(422, "empty_comment", _("Write something first."))
    ticket.updated_at = utcnow()
    return history.record(ticket, kind, user.id, text=body, uuid=uuid, occurred_at=occurred_at)


def reassign(ticket: KaizenTicket, user: User, new_owner: User | None) -> TicketEvent:
    """Leaders and admins hand a ticket to someone else (users are not tied to sites yet, so a
    leader's sites are all sites)."""
    if not user.is_leader:
        raise TicketError(403, "not_allowed", _("Only a leader or an admin can reassign a ticket."))
    if new_owner is not None and not new_owner.is_active:
        raise TicketError(
            422, "inactive_user", _("%(name)s can no longer sign in.", name=new_owner.name)
        )
    old = ticket.owner
    if (old.id if old else None) == (new_owner.id if new_owner else None):
        raise TicketError(409, "same_owner", _("The ticket already belongs to them."))
    ticket.owner_id = new_owner.id if new_owner else None
    if new_owner is not None:
        hooks.emit(
            "ticket.assigned",
            ticket=ticket,
            actor_id=user.id,
            message=said(
                N_("%(number)s is now yours: %(title)s"),
                number=ticket.display_number,
                title=Problem(ticket.title),
            ),
        )
    owners = [old.name if old else None, new_owner.name if new_owner else None]
    return _event(ticket, user, "owner_set", owner=owners)


def check_may_add_photo(user: User, ticket: KaizenTicket) -> None:
    """Refuse anyone but the ticket's workers (a page checks before it stores the upload)."""
    if not is_worker(user, ticket):
        raise TicketError(403, "not_allowed", _("Only the ticket's owner or a leader adds photos."))


def record_after_photo(
    ticket: KaizenTicket, user: User, photo: Photo, original: Photo | None = None
) -> TicketEvent:
    """Attach an "after" photo; a marked-up one brings the photo as taken, kept beside it."""
    check_may_add_photo(user, ticket)
    if ticket.status in CLOSED_TICKET_STATUSES:
        raise TicketError(
            409, "closed", _("%(number)s is closed; reopen it first.", number=ticket.display_number)
        )
    photo.ticket_id = ticket.id
    photo.role = "after"
    if original is not None and original.id != photo.id:
        original.ticket_id = ticket.id
        original.role = "after"
        photo.original = original  # its id may not be flushed yet
    return _event(ticket, user, "after_photo")

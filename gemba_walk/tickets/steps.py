"""The workflow's steps as a table: where each may start, where it leads, who may take it,
and what it tells when taken (``gemba_walk.notify`` decides who hears it)."""

from __future__ import annotations

from dataclasses import dataclass

from gemba_walk.auth.models import User
from gemba_walk.core.i18n import Problem, said
from gemba_walk.lean import N_
from gemba_walk.tickets.models import KaizenTicket


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    from_statuses: tuple[str, ...]
    to_status: str
    who: str  # "worker" (owner or leader), "verifier" (see may_verify), "leader"
    needs_reason: bool = False
    done_words: str = ""  # the plain sentence shown once the step is taken


ACTIONS: dict[str, Action] = {
    action.key: action
    for action in (
        Action(
            "start",
            N_("Start work"),
            ("open", "reopened"),
            "in_progress",
            "worker",
            False,
            N_("Work started."),
        ),
        Action(
            "done",
            N_("Mark done"),
            ("in_progress",),
            "done",
            "worker",
            False,
            N_("Marked done. A leader now checks at the gemba that the fix holds."),
        ),
        Action(
            "verify",
            N_("Verify — the fix holds"),
            ("done",),
            "verified",
            "verifier",
            False,
            N_("Verified: the fix holds. The ticket is closed."),
        ),
        Action(
            "send_back",
            N_("Send back — it does not hold"),
            ("done",),
            "reopened",
            "leader",
            True,
            N_("Sent back to the owner with your reason."),
        ),
        Action(
            "reject",
            N_("Reject"),
            ("open", "in_progress", "reopened"),
            "rejected",
            "leader",
            True,
            N_("Rejected. The reason is on the ticket."),
        ),
        Action(
            "reopen",
            N_("Reopen"),
            ("verified", "rejected"),
            "reopened",
            "leader",
            True,
            N_("Reopened with your reason."),
        ),
    )
}


# What each step tells (``gemba_walk.notify.audience`` decides who hears it).
STATUS_HOOKS = {
    "start": "ticket.started",
    "done": "ticket.done",
    "verify": "ticket.verified",
    "send_back": "ticket.sent_back",
    "reject": "ticket.rejected",
    "reopen": "ticket.reopened",
}


def status_message(ticket: KaizenTicket, user: User, action: Action, reason: str) -> str:
    # said(): stored in English, read by each person in their own language
    values = {"number": ticket.display_number, "name": user.name}
    if action.key == "done":
        text = N_("%(number)s is done and waits for verification: %(title)s")
        return said(text, number=ticket.display_number, title=Problem(ticket.title))
    if action.key == "verify":
        text = N_("%(number)s was verified by %(name)s — the fix holds: %(title)s")
        return said(text, **values, title=Problem(ticket.title))
    if action.key == "send_back":
        return said(N_("%(number)s was sent back by %(name)s: %(reason)s"), **values, reason=reason)
    if action.key == "reopen":
        return said(N_("%(number)s was reopened by %(name)s: %(reason)s"), **values, reason=reason)
    if action.key == "reject":
        return said(N_("%(number)s was rejected by %(name)s: %(reason)s"), **values, reason=reason)
    return said(
        N_("%(number)s was started by %(name)s: %(title)s"), **values, title=Problem(ticket.title)
    )

"""The facts notifications tell of: every kind a person may hear of, in the words of the
preferences page, and which of them are urgent, checked periodically, or replace another."""

from __future__ import annotations

from gemba_walk.lean import N_

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

# What the periodic due check says, and the one summary a person hears instead of many.
CHECKED_KINDS = ("ticket.due_soon", "ticket.overdue", "ticket.overdue_escalated")
SUMMARY_KIND = "ticket.overdue_summary"
# A later condition of a ticket replaces what the same person was told of an earlier one.
REPLACES = {
    "ticket.overdue": ("ticket.due_soon",),
    "ticket.overdue_escalated": ("ticket.due_soon", "ticket.overdue"),
}

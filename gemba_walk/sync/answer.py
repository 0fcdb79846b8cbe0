"""What the phone is told of each record: created (a finding with the ticket it opened, joined
or reopened) or a duplicate of one stored before (with what it got then)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from gemba_walk.audits.models import Audit, Finding
from gemba_walk.extensions import db
from gemba_walk.findings.operations import Recorded
from gemba_walk.sync.schema import (
    AuditResult,
    FindingResult,
    FindingTicket,
    SyncResult,
    TicketNoteResult,
)
from gemba_walk.tickets.models import KaizenTicket


@dataclass
class Results:
    """The answer being built; a group's records join it only once the group is committed."""

    audits: list[AuditResult] = field(default_factory=list)
    findings: list[FindingResult] = field(default_factory=list)
    ticket_notes: list[TicketNoteResult] = field(default_factory=list)

    def merge(self, group: Results) -> None:
        self.audits.extend(group.audits)
        self.findings.extend(group.findings)

    def answer(self, batch_id: str, with_notes: bool) -> SyncResult:
        answer = SyncResult(batch_id=batch_id, audits=self.audits, findings=self.findings)
        if with_notes:
            answer.ticket_notes = self.ticket_notes
        return answer


def created_audit(audit: Audit) -> AuditResult:
    return AuditResult(uuid=audit.uuid, status="created", score_total=audit.score_total)


def duplicate_audit(audit: Audit) -> AuditResult:
    return AuditResult(uuid=audit.uuid, status="duplicate", score_total=audit.score_total)


def created_finding(recorded: Recorded) -> FindingResult:
    ticket = FindingTicket.model_validate(recorded.ticket.as_json())
    return FindingResult(uuid=recorded.finding.uuid, status="created", ticket=ticket)


def duplicate_finding(uuid: str) -> FindingResult:
    """A finding stored before: the ticket it went to, as recorded."""
    stored = db.session.scalars(sa.select(Finding).where(Finding.uuid == uuid)).one()
    ticket = db.session.get(KaizenTicket, stored.ticket_id) if stored.ticket_id else None
    answer = FindingTicket(number=ticket.display_number, outcome="recorded") if ticket else None
    return FindingResult(uuid=uuid, status="duplicate", ticket=answer)

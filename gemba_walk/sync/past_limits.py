"""An answer past its item's limit (a low score, a failed check, a reading out of range) opens
a ticket even when the phone sent no finding for it: the server makes the finding itself."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from gemba_walk import field_rules
from gemba_walk.audits.models import Audit
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.findings.operations import NewFinding, record_finding
from gemba_walk.sync.answer import created_finding
from gemba_walk.sync.references import References
from gemba_walk.sync.schema import FindingResult, SyncAudit, SyncFinding


def item_rules(item: ChecklistItem) -> dict[str, Any]:
    """A checklist item as the field rules read it (the field pack's names)."""
    return {
        "response_type": item.response_type,
        "ticket_threshold": item.ticket_threshold,
        "min": item.min_value,
        "max": item.max_value,
    }


def findings_for_answers_past_limits(
    user: User,
    data: SyncAudit,
    sent_findings: list[SyncFinding],
    audit: Audit,
    refs: References,
) -> list[FindingResult]:
    """The findings made for the audit's answers past their limits that the phone sent no
    finding for (each id derived from the audit's and the item's)."""
    if audit.kind == "abnormality":
        return []  # the report is itself the finding
    covered = {f.item_id for f in sent_findings}
    results = []
    for response in data.responses:
        item = refs.items[response.item_id]
        problem = field_rules.past_limits(item_rules(item), response.answer())
        if not problem or item.id in covered:
            continue
        note = response.note.strip()
        seen = NewFinding(
            uuid=str(uuid_module.uuid5(uuid_module.UUID(audit.uuid), f"item-{item.id}")),
            audit=audit,
            area_id=audit.area_id,
            item=item,
            kind=audit.kind,
            category=item.section,
            severity=field_rules.default_severity(audit.kind),
            description=f"{item.prompt} — {problem}" + (f": {note}" if note else ""),
            observed_at=audit.submitted_at,
        )
        results.append(created_finding(record_finding(user, seen)))
    return results

"""The factories make valid, stored records on either database, so tests can lean on them."""

from __future__ import annotations

from tests.factories import AuditFactory, FindingFactory, TicketFactory


def test_an_audit_with_a_finding_that_opened_a_ticket_is_stored_whole(db):
    audit = AuditFactory()
    ticket = TicketFactory(area=audit.area)
    finding = FindingFactory(audit=audit, area=audit.area, ticket_id=ticket.id)
    db.session.expire_all()
    assert audit.template_version.template.key == "5s-audit"
    assert finding.audit_id == audit.id and finding.ticket_id == ticket.id
    assert [TicketFactory().number, TicketFactory().number] == [
        ticket.number + 1,
        ticket.number + 2,
    ]

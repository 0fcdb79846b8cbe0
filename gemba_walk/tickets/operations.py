"""Ticket operations the pages call: a problem reported from the web."""

from __future__ import annotations

import logging
import uuid as uuid_module

from gemba_walk.audits.models import Finding
from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo
from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.tickets.rules import TicketOutcome, ticket_for_finding

logger = logging.getLogger(__name__)


def report_problem(
    user: User,
    *,
    area_id: int,
    category: str,
    severity: str,
    description: str,
    photo: bytes | None = None,
    photo_store: PhotoStore | None = None,
    same_as: int | None = None,
) -> TicketOutcome:
    """Store a problem reported from a desk as an abnormality finding (with its photo, checked by
    content like one synced from a phone), then apply the same ticket rules as sync does."""
    with write_transaction():
        finding = Finding(
            uuid=str(uuid_module.uuid4()),
            area_id=area_id,
            kind="abnormality",
            category=category,
            severity=severity,
            description=description.strip(),
            reported_by_id=user.id,
            observed_at=utcnow(),
        )
        db.session.add(finding)
        db.session.flush()
        if photo is not None:
            if photo_store is None:
                raise ValueError("A photo needs a photo store.")
            stored = store_photo(
                photo_store, user, str(uuid_module.uuid4()), photo, sha256_hex(photo)
            )
            stored.photo.finding_id = finding.id
            db.session.flush()
        outcome = ticket_for_finding(finding, same_as=same_as)
        logger.info(
            "Problem reported on the web by user %s: %s %s",
            user.id,
            outcome.ticket.display_number,
            outcome.outcome,
        )
    return outcome

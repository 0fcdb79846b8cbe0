"""record_finding: store a finding, give it its photos and its ticket, pull the andon.

A finding synced from a phone, one the server makes for an answer past its item's limits, an
andon report a leader accepts, a problem reported on the web and the demo's walks are all
recorded here, inside the caller's transaction:

1. the finding is stored as seen (the phone's own id and time where it came from one);
2. its photos become its own (and, through the ticket rules, the ticket's "before" photos);
3. the ticket rules (``tickets.rules.ticket_for_finding``) open, join or reopen its ticket and
   say so as events (facts: ``ticket.opened``, ``ticket.recurred``...);
4. a finding that made its ticket critical pulls the andon: a command, so a direct call
   (``notify.listen.pull_andon_for``, once per ticket).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.audits.photos import PhotoStore, sha256_hex, store_photo
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import new_uuid, utcnow
from gemba_walk.extensions import db
from gemba_walk.notify.listen import pull_andon_for
from gemba_walk.tickets.rules import TicketOutcome, ticket_for_finding

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewFinding:
    """What was seen, as the finding keeps it."""

    area_id: int
    kind: str
    category: str
    severity: str
    description: str
    observed_at: datetime
    audit: Audit | None = None  # the walk it was seen on
    item: ChecklistItem | None = None  # the checklist item it answers
    # Each becomes the finding's: stored already (uploaded from a phone) or new.
    photos: Sequence[Photo] = ()
    # The number of the ticket the person chose as the same problem (no item only).
    same_as: int | None = None
    uuid: str = field(default_factory=new_uuid)  # a phone's own id for it
    # From a phone: its own time where its clock ran ahead, when it arrived, and the hash of
    # the JSON it sent (a resend is compared by it).
    phone_observed_at: datetime | None = None
    received_at: datetime | None = None
    payload_sha256: str | None = None


@dataclass(frozen=True)
class Recorded:
    finding: Finding
    ticket: TicketOutcome


def record_finding(reporter: User, new: NewFinding, now: datetime | None = None) -> Recorded:
    """Store the finding with its photos and apply the ticket rules (see the module
    docstring); the caller's transaction commits. ``now`` is when the rules act (the demo
    writes history)."""
    finding = Finding(
        uuid=new.uuid,
        audit=new.audit,
        area_id=new.area_id,
        item=new.item,
        kind=new.kind,
        category=new.category,
        severity=new.severity,
        description=new.description.strip(),
        reported_by_id=reporter.id,
        observed_at=new.observed_at,
        phone_observed_at=new.phone_observed_at,
        received_at=new.received_at or now or utcnow(),
        payload_sha256=new.payload_sha256,
    )
    db.session.add(finding)
    db.session.flush()
    if new.photos:
        for photo in new.photos:
            photo.finding_id = finding.id
            db.session.add(photo)
        db.session.flush()
    outcome = ticket_for_finding(finding, now=now, same_as=new.same_as)
    if outcome.made_critical:
        pull_andon_for(outcome.ticket, reporter.id)
    logger.debug(
        "Finding %s by user %s: %s %s",
        finding.uuid,
        reporter.id,
        outcome.ticket.display_number,
        outcome.outcome,
    )
    return Recorded(finding, outcome)


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
    """A problem reported on the web: an abnormality finding (its photo checked by content like
    one synced from a phone), recorded like any other."""
    if photo is not None and photo_store is None:
        raise ValueError("A photo needs a photo store.")
    with write_transaction():
        photos = []
        if photo is not None and photo_store is not None:
            stored = store_photo(photo_store, user, new_uuid(), photo, sha256_hex(photo))
            photos.append(stored.photo)
        new = NewFinding(
            area_id=area_id,
            kind="abnormality",
            category=category,
            severity=severity,
            description=description,
            observed_at=utcnow(),
            photos=photos,
            same_as=same_as,
        )
        outcome = record_finding(user, new).ticket
        logger.info(
            "Problem reported on the web by user %s: %s %s",
            user.id,
            outcome.ticket.display_number,
            outcome.outcome,
        )
    return outcome

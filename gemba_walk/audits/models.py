"""Field records synced from phones: audits, their responses, findings and photos.

Each carries the UUID its phone gave it; the unique constraint makes every sync idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.areas.models import Area
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplateVersion
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import SEVERITIES, TEMPLATE_KINDS, keys


class Audit(db.Model):
    __tablename__ = "audits"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(keys(TEMPLATE_KINDS)), name="kind_known"),
        sa.Index("ix_audits_area_submitted", "area_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    template_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checklist_template_versions.id"), index=True
    )
    auditor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    scanned_at: Mapped[datetime | None]  # proof of presence: started by scanning the label
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The phone's own times where its clock ran ahead (field_rules.trusted_time): then
    # started_at / submitted_at hold the time the server received the audit.
    phone_started_at: Mapped[datetime | None]
    phone_submitted_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    # SHA-256 of the record as the phone sent it: a resend must match it exactly.
    payload_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    score_total: Mapped[float | None]  # 5S: mean of the pillar scores, 0–5
    pillar_scores: Mapped[dict | None] = mapped_column(sa.JSON)
    # The auditor's signature drawn on the phone: a small PNG, checked and re-encoded by the
    # server (audits/signatures.py). Part of the audit record, so it syncs exactly once with it.
    signature_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    signature_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # of signature_png

    area: Mapped[Area] = relationship()
    auditor: Mapped[User] = relationship()
    template_version: Mapped[ChecklistTemplateVersion] = relationship()
    responses: Mapped[list[Response]] = relationship(back_populates="audit")
    findings: Mapped[list[Finding]] = relationship(back_populates="audit")


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (sa.UniqueConstraint("audit_id", "item_id", name="uq_responses_audit_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    score: Mapped[int | None]
    value_bool: Mapped[bool | None]
    value_number: Mapped[float | None]
    value_text: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="responses")
    item: Mapped[ChecklistItem] = relationship()


class Finding(db.Model):
    """Something seen at the gemba worth acting on; the ticket rules turn it into kaizen."""

    __tablename__ = "findings"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(keys(TEMPLATE_KINDS)), name="kind_known"),
        sa.CheckConstraint(sa.column("severity").in_(keys(SEVERITIES)), name="severity_known"),
        sa.Index("ix_findings_area_observed", "area_id", "observed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_items.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    category: Mapped[str] = mapped_column(sa.String(64))  # pillar, waste or SQDCE key
    severity: Mapped[str] = mapped_column(sa.String(16), default="medium")
    description: Mapped[str] = mapped_column(sa.Text)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    observed_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    phone_observed_at: Mapped[datetime | None]  # the phone's, where its clock ran ahead
    payload_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)

    audit: Mapped[Audit | None] = relationship(back_populates="findings")
    area: Mapped[Area] = relationship()
    item: Mapped[ChecklistItem | None] = relationship()
    reported_by: Mapped[User] = relationship()
    photos: Mapped[list[Photo]] = relationship(back_populates="finding")


class Photo(db.Model):
    """An image checked and re-encoded by the server, stored content-addressed by SHA-256."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  # of the bytes as uploaded
    stored_sha256: Mapped[str] = mapped_column(sa.String(64))  # of the re-encoded file on disk
    content_type: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default="before")  # before | after
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A photo marked up on the phone (arrows, circles, a label) points at the photo as taken,
    # which is kept beside it, attached to the same finding or ticket, and shown one tap away.
    original_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("photos.id"), unique=True, default=None
    )

    finding: Mapped[Finding | None] = relationship(back_populates="photos")
    original: Mapped[Photo | None] = relationship(remote_side=[id])


@dataclass(frozen=True)
class ShownPhoto:
    """A photo as pages show it: the marked-up one, with its original one tap away."""

    photo: Photo
    original: Photo | None


def shown_photos(photos: list[Photo]) -> list[ShownPhoto]:
    """Photos to show, originals of marked-up photos folded under them (and not shown twice)."""
    by_id = {photo.id: photo for photo in photos}
    originals = {photo.original_id for photo in photos if photo.original_id is not None}
    return [
        ShownPhoto(photo, by_id.get(photo.original_id) if photo.original_id else None)
        for photo in photos
        if photo.id not in originals
    ]

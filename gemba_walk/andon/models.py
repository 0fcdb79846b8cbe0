"""A problem reported at an area's label by someone who is not signed in, waiting for triage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.areas.models import Area
from gemba_walk.auth.models import User
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import ABNORMALITY_CATEGORIES, keys
from gemba_walk.tickets.models import KaizenTicket

REPORT_STATUSES = ("new", "accepted", "dismissed")


class AndonReport(db.Model):
    """Never a finding by itself: a leader accepts it (a finding and its ticket are made then,
    through the ticket rules) or dismisses it with a reason. Its photo was checked and re-encoded
    like every upload and sits in the photo store under ``photo_sha256`` until then."""

    __tablename__ = "andon_reports"
    __table_args__ = (
        sa.CheckConstraint(
            sa.column("category").in_(keys(ABNORMALITY_CATEGORIES)), name="category_known"
        ),
        sa.CheckConstraint(sa.column("status").in_(REPORT_STATUSES), name="status_known"),
        sa.Index("ix_andon_reports_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(16))  # SQDCE
    description: Mapped[str] = mapped_column(sa.Text)
    reporter_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # The photo as stored (re-encoded JPEG, content-addressed); the original bytes' SHA-256.
    photo_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    photo_original_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    photo_width: Mapped[int | None]
    photo_height: Mapped[int | None]
    photo_byte_size: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The id a device gave the report when it kept it offline: a resend is the same report.
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    dismiss_reason: Mapped[str] = mapped_column(sa.Text, default="")
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id"))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)

    area: Mapped[Area] = relationship()
    decided_by: Mapped[User | None] = relationship()
    ticket: Mapped[KaizenTicket | None] = relationship()

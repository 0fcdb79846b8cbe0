"""Kaizen tickets, the events that make up their history, and their human numbers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.areas.models import Area
from gemba_walk.auth.models import User
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import SEVERITIES, TEMPLATE_KINDS, TICKET_STATUSES, keys

# What a history event can be (tickets/history.py says what each keeps in its data).
EVENT_KINDS = (
    "opened",
    "status_changed",
    "taken",
    "verified",
    "back_to_team",
    "recurred",
    "seen_again",
    "seen_before_verification",
    "severity_raised",
    "fields_changed",
    "owner_set",
    "comment",
    "gemba_check",
    "andon_report",
    "after_photo",
    "note",
)


TITLE_LENGTH = 120  # a ticket's title: one line on a card


class KaizenTicket(db.Model):
    __tablename__ = "kaizen_tickets"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(keys(TICKET_STATUSES)), name="status_known"),
        sa.CheckConstraint(sa.column("severity").in_(keys(SEVERITIES)), name="severity_known"),
        sa.CheckConstraint(sa.column("kind").in_(keys(TEMPLATE_KINDS)), name="kind_known"),
        sa.Index("ix_kaizen_tickets_status_due", "status", "due_date"),
        sa.Index("ix_kaizen_tickets_area_status", "area_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)  # shown as KZ-0042, never reused
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    category: Mapped[str] = mapped_column(sa.String(64))  # pillar, waste or SQDCE key
    item_key: Mapped[str | None] = mapped_column(sa.String(64))  # the checklist item, for dedupe
    title: Mapped[str] = mapped_column(sa.String(200))
    # The team wrote the title (or the problem): findings joining no longer rewrite it.
    title_edited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    severity: Mapped[str] = mapped_column(sa.String(16), default="medium")
    priority: Mapped[int] = mapped_column(default=3)  # 1 highest
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_date: Mapped[date | None]
    # PDCA
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    whys: Mapped[list | None] = mapped_column(sa.JSON)  # up to five answers to "why?"
    root_cause: Mapped[str] = mapped_column(sa.Text, default="")
    countermeasure: Mapped[str] = mapped_column(sa.Text, default="")
    check_result: Mapped[str] = mapped_column(sa.Text, default="")
    standardize: Mapped[str] = mapped_column(sa.Text, default="")
    reject_reason: Mapped[str] = mapped_column(sa.Text, default="")
    occurrences: Mapped[int] = mapped_column(default=1)
    recurred: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_observed_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    # verified by its own owner, where the site lets any leader verify (one-leader lines)
    self_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # How the verifier checked: "scan" (their label scan of the area, at verified_scan_at, in
    # the hours before) or "no_scan"; None for tickets verified before this was recorded.
    verified_how: Mapped[str | None] = mapped_column(sa.String(8))
    verified_scan_at: Mapped[datetime | None]
    # Act: the standard changed (standardize), or why no standard change is needed.
    no_change_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.created_at"
    )

    @property
    def display_number(self) -> str:
        return f"KZ-{self.number:04d}"


class TicketEvent(db.Model):
    """One entry in a ticket's history: a change, a comment or a check at the gemba, stored as
    its kind and values (``data``) and written out in the reader's language when read."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(EVENT_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)  # set for field records
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    occurred_at: Mapped[datetime | None]  # when it happened on the phone, if offline
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[KaizenTicket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def from_status(self) -> str | None:
        """The status it moved the ticket from, if it moved it."""
        return (self.data or {}).get("from")

    @property
    def to_status(self) -> str | None:
        return (self.data or {}).get("to")


class Counter(db.Model):
    """Named monotonically increasing counters (ticket numbers), safe under concurrent syncs."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)

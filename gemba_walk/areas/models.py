"""Plant sites, the areas within them, their QR labels and the scans that prove presence."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.auth.models import User
from gemba_walk.core.ids import new_qr_token, utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import DEFAULT_VERIFICATION_MODE, VERIFICATION_MODES, keys


class Site(db.Model):
    __tablename__ = "sites"
    __table_args__ = (
        sa.CheckConstraint(
            sa.column("verification_mode").in_(keys(VERIFICATION_MODES)),
            name="verification_mode_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # who may verify a done ticket here (lean.VERIFICATION_MODES)
    verification_mode: Mapped[str] = mapped_column(
        sa.String(24), default=DEFAULT_VERIFICATION_MODE, server_default=DEFAULT_VERIFICATION_MODE
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    areas: Mapped[list[Area]] = relationship(back_populates="site", order_by="Area.code")

    def __repr__(self) -> str:
        return f"<Site {self.name}>"


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (sa.UniqueConstraint("site_id", "code", name="uq_areas_site_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    code: Mapped[str] = mapped_column(sa.String(16))  # short code typed when a label is damaged
    description: Mapped[str] = mapped_column(sa.Text, default="")
    qr_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_qr_token)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    token_rotated_at: Mapped[datetime | None]
    # Opt-in: the label page offers "Report a problem" to people who are not signed in.
    andon_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    site: Mapped[Site] = relationship(back_populates="areas")
    owner: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"


class RetiredQrToken(db.Model):
    """A label token replaced by rotation: old labels then explain that they are outdated."""

    __tablename__ = "retired_qr_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    area: Mapped[Area] = relationship()


class AreaScan(db.Model):
    """Proof of presence: someone opened an area by scanning its label."""

    __tablename__ = "area_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(16))  # "label" (phone camera) or "in_app"
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

"""What idempotent sync keeps: the answer given to each batch, so a replay gets the same one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db


class SyncBatch(db.Model):  # type: ignore[name-defined,misc]  # Flask-SQLAlchemy's dynamic base
    __tablename__ = "sync_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    # Empty while the request that claimed the batch id stores it (sync/claim.py).
    response: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

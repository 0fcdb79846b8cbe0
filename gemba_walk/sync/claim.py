"""A batch id is claimed once: the request that claims it stores the batch and keeps its
answer; the same batch sent again gets that answer, byte for byte."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.sync.models import SyncBatch
from gemba_walk.sync.received import SyncError
from gemba_walk.sync.schema import SyncRequest

# A claim left by a server killed mid-batch is taken over after this long.
STALE_CLAIM_SECONDS = 120
# How long a request waits for the same batch being stored by another request.
CLAIM_WAIT_SECONDS = 20.0


def claim_batch(user: User, batch: SyncRequest, request_hash: str) -> dict[str, Any] | None:
    """Claim the batch id for this request, or return the answer already given to it.

    The first request to claim a batch id stores it; the same batch arriving meanwhile (the
    phone retried while the first answer was on its way) waits for that answer and gets the
    same one, byte for byte, instead of a stripped "duplicate"."""
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            with write_transaction():
                claimed, answer = _claim_or_answer(user, batch, request_hash)
                if claimed:
                    return answer
        except IntegrityError:
            pass  # claimed by another request this instant: wait for its answer below
        if time.monotonic() > deadline:
            raise SyncError(
                503,
                "batch_in_progress",
                _("This batch is being stored by another request; try again in a moment."),
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _claim_or_answer(
    user: User, batch: SyncRequest, request_hash: str
) -> tuple[bool, dict[str, Any] | None]:
    """Inside the write transaction: (True, None) when this request now holds the batch id,
    (True, the answer) when it was answered before, (False, None) while another request
    stores it."""
    previous = db.session.scalar(sa.select(SyncBatch).where(SyncBatch.uuid == batch.batch_id))
    if previous is None:
        db.session.add(
            SyncBatch(
                uuid=batch.batch_id,
                user_id=user.id,
                device_id=batch.device_id,
                request_sha256=request_hash,
                response=None,
            )
        )
        return True, None
    if previous.user_id != user.id or previous.request_sha256 != request_hash:
        raise SyncError(
            409,
            "batch_reused",
            _("This batch id was already used for different records."),
        )
    if previous.response is not None:
        answer: dict[str, Any] = previous.response
        return True, answer
    stale = utcnow() - previous.received_at > timedelta(seconds=STALE_CLAIM_SECONDS)
    if stale:  # the request that claimed it died: this one takes the batch over
        previous.received_at = utcnow()
        return True, None
    return False, None


def keep_answer(batch_id: str, answer: dict[str, Any]) -> None:
    """The batch is stored: keep its answer for the same batch sent again."""
    with write_transaction():
        db.session.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.uuid == batch_id)
            .values(response=answer, received_at=utcnow())
        )


def release_claim(batch_id: str) -> None:
    """The batch was refused or failed: free its id so a corrected resend is not blocked."""
    db.session.rollback()
    with write_transaction():
        db.session.execute(
            sa.delete(SyncBatch).where(SyncBatch.uuid == batch_id, SyncBatch.response.is_(None))
        )

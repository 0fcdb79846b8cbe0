"""Failed sign-ins counted per sign-in name in the database, with a cool-down.

The name is the normalised identifier (``auth.operations.normalise_identifier``): an e-mail
address or a username. When it names an account, the count is the account's, under its own
sign-in name, so typing the e-mail and then the username of one account adds up to one count.

After ``SIGN_IN_LOCKOUT_FAILURES`` wrong passwords in a row, a name is refused for
``SIGN_IN_LOCKOUT_MINUTES`` after the last one, even with the right password; each further wrong
password after the cool-down starts it again; a successful sign-in or a new password (set by the
person or an admin) clears the count. Counting is one atomic upsert, so attempts spread over
several workers or servers add up exactly. Rows untouched for a day are deleted as others are
counted. The per-address limit (Flask-Limiter, 10 a minute) is the other half.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from gemba_walk.auth.models import SignInThrottle
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db

KEEP_ROWS_FOR = timedelta(days=1)


def _key(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()


def _threshold() -> int:
    return int(current_app.config["SIGN_IN_LOCKOUT_FAILURES"])


def _cool_down() -> timedelta:
    return timedelta(minutes=float(current_app.config["SIGN_IN_LOCKOUT_MINUTES"]))


def minutes_locked(identifier: str) -> int:
    """Whole minutes (rounded up) this sign-in name must still wait; 0 when it may try."""
    row = db.session.get(SignInThrottle, _key(identifier))
    if row is None or row.failures < _threshold():
        return 0
    remaining = (row.last_failure_at + _cool_down() - utcnow()).total_seconds()
    return max(0, math.ceil(remaining / 60))


def count_failure(identifier: str) -> None:
    now = utcnow()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(SignInThrottle).values(
        identifier_sha256=_key(identifier), failures=1, last_failure_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[SignInThrottle.identifier_sha256],
        set_={"failures": SignInThrottle.failures + 1, "last_failure_at": now},
    )
    with write_transaction():
        db.session.execute(statement)
        db.session.execute(
            sa.delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - KEEP_ROWS_FOR)
        )


def clear(identifier: str) -> None:
    with write_transaction():
        db.session.execute(
            sa.delete(SignInThrottle).where(SignInThrottle.identifier_sha256 == _key(identifier))
        )

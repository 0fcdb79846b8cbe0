"""Failed sign-ins counted in the database, per sign-in name and address, with a growing delay.

The name is the normalised identifier (``auth.operations.normalise_identifier``): an e-mail
address or a username. When it names an account, the count is the account's, under its own
sign-in name, so typing the e-mail and then the username of one account adds up to one count.

Two counts, so that nobody can lock someone else out by guessing:

- per (name, address) pair: after ``SIGN_IN_LOCKOUT_FAILURES`` wrong passwords in a row from one
  address, that address waits before its next try for this name — 1 minute, then 2, 4, 8 …
  (doubling with each further wrong password, at most ``SIGN_IN_DELAY_MAX_MINUTES``), even
  with the right password. The real owner at another address is not held up.
- per name, all addresses together: past ``SIGN_IN_ACCOUNT_CEILING`` wrong passwords within
  ``SIGN_IN_ACCOUNT_WINDOW_MINUTES``, every address waits ``SIGN_IN_ACCOUNT_COOL_DOWN_MINUTES``
  after the last one: a ceiling against many addresses guessing at once, loose and short so
  it costs an attacker far more than it costs the owner.

A successful sign-in clears the pair and the name's count; a new password (set by the person
or an admin) clears every count of the name. Counting is an atomic upsert, so attempts spread
over several workers or servers add up exactly. Rows untouched for a day are deleted as others
are counted. The per-address limit (Flask-Limiter, 10 a minute) is the other half.
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


def _name_key(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()


def _pair_key(identifier: str, address: str) -> str:
    # The name's own prefix, so every pair of one name can be cleared together (new password).
    return _name_key(identifier)[:32] + hashlib.sha256(address.encode()).hexdigest()[:32]


def _config(name: str) -> float:
    return float(current_app.config[name])


def pair_delay(failures: int) -> timedelta:
    """How long an address waits after this many wrong passwords in a row for one name."""
    free = int(_config("SIGN_IN_LOCKOUT_FAILURES"))
    if failures < free:
        return timedelta(0)
    minutes = min(2.0 ** min(failures - free, 30), _config("SIGN_IN_DELAY_MAX_MINUTES"))
    return timedelta(minutes=minutes)


def seconds_locked(identifier: str, address: str) -> int:
    """Seconds this name must still wait at this address; 0 when it may try."""
    now = utcnow()
    waits = [0.0]
    pair = db.session.get(SignInThrottle, _pair_key(identifier, address))
    if pair is not None:
        waits.append((pair.last_failure_at + pair_delay(pair.failures) - now).total_seconds())
    name = db.session.get(SignInThrottle, _name_key(identifier))
    if name is not None and name.failures >= _config("SIGN_IN_ACCOUNT_CEILING"):
        cool_down = timedelta(minutes=_config("SIGN_IN_ACCOUNT_COOL_DOWN_MINUTES"))
        waits.append((name.last_failure_at + cool_down - now).total_seconds())
    return max(0, math.ceil(max(waits)))


def minutes_locked(identifier: str, address: str = "") -> int:
    """Whole minutes (rounded up) this name must still wait at this address; 0 when it may."""
    return math.ceil(seconds_locked(identifier, address) / 60)


def _count(key: str, now, restart_before=None):
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    failures = SignInThrottle.failures + 1
    if restart_before is not None:  # a count of a window: an old last failure starts it again
        failures = sa.case((SignInThrottle.last_failure_at < restart_before, 1), else_=failures)
    statement = insert(SignInThrottle).values(
        identifier_sha256=key, failures=1, last_failure_at=now
    )
    return statement.on_conflict_do_update(
        index_elements=[SignInThrottle.identifier_sha256],
        set_={"failures": failures, "last_failure_at": now},
    )


def count_failure(identifier: str, address: str = "") -> None:
    now = utcnow()
    window = timedelta(minutes=_config("SIGN_IN_ACCOUNT_WINDOW_MINUTES"))
    with write_transaction():
        db.session.execute(_count(_pair_key(identifier, address), now))
        db.session.execute(_count(_name_key(identifier), now, restart_before=now - window))
        db.session.execute(
            sa.delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - KEEP_ROWS_FOR)
        )


def clear(identifier: str, address: str | None = None) -> None:
    """A successful sign-in at ``address``: that pair and the name's count; without an
    address (a new password): every count of the name."""
    if address is None:
        where = SignInThrottle.identifier_sha256.like(_name_key(identifier)[:32] + "%")
    else:
        keys = (_name_key(identifier), _pair_key(identifier, address))
        where = SignInThrottle.identifier_sha256.in_(keys)
    with write_transaction():
        db.session.execute(sa.delete(SignInThrottle).where(where))

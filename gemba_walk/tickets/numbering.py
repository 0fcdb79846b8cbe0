"""Human ticket numbers (KZ-0042): unique, never reused, safe when two phones sync at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gemba_walk.extensions import db
from gemba_walk.tickets.models import Counter

TICKET_COUNTER = "kaizen_ticket"


def next_counter_value(name: str) -> int:
    """Increment the named counter inside the caller's transaction and return the new value.

    The UPDATE takes a row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE), so
    concurrent callers queue instead of reading the same value.
    """
    bump = (
        sa.update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = db.session.execute(bump).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, value=1))
        return 1
    except IntegrityError:  # someone else created it first: take the next one
        return db.session.execute(bump).scalar_one()


def next_ticket_number() -> int:
    return next_counter_value(TICKET_COUNTER)

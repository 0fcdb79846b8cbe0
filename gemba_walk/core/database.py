"""SQLite tuned for a busy plant: WAL, foreign keys, a busy timeout, immediate write transactions.

Reads run in ordinary (deferred) transactions, so pages never wait for each other. Operations
that write run inside ``write_transaction()``, which on SQLite begins with BEGIN IMMEDIATE: the
write lock is taken up front, and two syncs arriving together queue on the busy timeout instead
of one failing halfway with "database is locked" when it upgrades a stale read snapshot.

``after_commit(call)`` asks for a function call once the write transaction in progress has
committed (a job queued for a row that now exists); a rollback drops the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy import event
from werkzeug.local import LocalProxy

from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db

logger = logging.getLogger(__name__)
_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)
_tuned = False


def tune_sqlite() -> None:
    """Attach the SQLite connection settings once for every engine of the process."""
    global _tuned
    if _tuned:
        return
    _tuned = True

    @event.listens_for(sa.engine.Engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__ != "sqlite3":
            return
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sa.engine.Engine, "begin")
    def _on_begin(connection) -> None:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one write transaction, committed at the end or rolled back on error.

    Nested calls join the outer transaction, so operations compose into one atomic write.
    """
    if _immediate.get():
        yield
        return
    session = db.session()  # the session itself, not the scoped proxy
    if session.in_transaction():
        session.commit()  # end the read transaction so the write one starts fresh
    token = _immediate.set(True)
    calls: list[Callable[[], None]] = []
    calls_token = _after_commit.set(calls)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(token)
        _after_commit.reset(calls_token)
    for call in calls:
        try:
            call()
        except Exception:  # committed already: what failed after it is logged, not undone
            logger.exception("A call after the commit failed")


def after_commit(call: Callable[[], None]) -> bool:
    """Call ``call()`` once the write transaction in progress commits (never if it rolls back);
    False when no write transaction is in progress (nothing will be called)."""
    calls = _after_commit.get()
    if calls is None:
        return False
    calls.append(call)
    return True


def lock(instance: object) -> None:
    """Inside ``write_transaction()``: read the row again and hold it until the transaction ends.

    Two requests that change one thing (a ticket, an andon report, a walk plan) then take turns,
    and the second one sees what the first did: on PostgreSQL this is ``SELECT ... FOR UPDATE``
    (a plain read would let both see the old state and both write); on SQLite the dialect leaves
    FOR UPDATE out, as BEGIN IMMEDIATE already lets one writer in at a time.
    """
    if not _immediate.get():
        raise RuntimeError("lock() holds a row for a write transaction: call it inside one")
    if isinstance(instance, LocalProxy):  # current_user
        instance = instance._get_current_object()
    state = sa.inspect(instance)
    if state.identity is None:
        return  # made in this very transaction: nobody else can see it yet
    db.session.flush()  # changes made before the lock are kept, not read over
    found = db.session.get(
        state.mapper.class_, state.identity, with_for_update=True, populate_existing=True
    )
    if found is None:
        raise DomainError(
            409, "gone", _("Someone else removed this a moment ago; nothing was changed.")
        )

"""Identifiers and timestamps used across the domains."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what both SQLite and PostgreSQL columns store here)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_qr_token() -> str:
    """A label token with 192 random bits, URL-safe, 32 characters."""
    return secrets.token_urlsafe(24)


def new_uuid() -> str:
    return str(uuid.uuid4())


def parse_uuid(value: object) -> str | None:
    """The canonical text of a client UUID, or None when the value is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# PostgreSQL's INTEGER, the type of every id, ticket number and count column here. SQLite would
# store more, but the same request must get the same answer on both databases.
MAX_ID = 2**31 - 1


def parse_id(value: object) -> int | None:
    """A whole number from 1 to MAX_ID written in ASCII digits (from a URL or a form), or None.

    ``str.isdigit`` alone is not enough: "²" is a digit to it and not to ``int``, and a number
    past MAX_ID reaches the database as an error instead of a "not found"."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None

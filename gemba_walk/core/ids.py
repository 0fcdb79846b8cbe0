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

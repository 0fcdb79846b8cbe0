"""What every change to a ticket checks: who works on it, and text and dates as sent."""

from __future__ import annotations

from datetime import date

from gemba_walk.auth.models import User
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.tickets.models import KaizenTicket

MAX_TEXT = 5000


class TicketError(DomainError):
    """A change that is not allowed or not valid; nothing was changed."""


def is_worker(user: User, ticket: KaizenTicket) -> bool:
    """The owner, or a leader; anybody may take a ticket nobody owns."""
    return user.is_leader or ticket.owner_id in (None, user.id)


def text_value(value, name: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TicketError(422, "invalid_value", _("%(what)s must be text.", what=_(name)))
    value = value.strip()
    if len(value) > limit:
        raise TicketError(
            422,
            "too_long",
            _("%(what)s is longer than %(limit)s characters.", what=_(name), limit=limit),
        )
    return value


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise TicketError(
            422, "invalid_date", _("%(value)s is not a date (YYYY-MM-DD).", value=repr(value))
        ) from error

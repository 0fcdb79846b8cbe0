"""Plant local time: storage stays naive UTC; every date decision and every time a person reads
is in the zone of the site the record belongs to. This is the one module that decides it.

Pages, reminders, due and overdue, planned walks and exports all ask here: ``site_zone(site)``
is a site's zone (its own; ``NOTIFY_TIMEZONE`` only when it names none), ``site_today(site)``
its date today. A page not about one site uses ``plant_zone()``, resolved once per request by
the resolver the app registers (the first active site's zone; see docs/PLANNED-WALKS.md); a page
about one site's record calls ``use_zone`` with that site's zone first; exports pass each row's
own site zone. A zone name that is empty or unknown falls back to ``NOTIFY_TIMEZONE``.

The fixed format (``fixed_datetime``: ``26 Nov 2026, 08:33``, as the phone writes it with
``Intl.DateTimeFormat``) is English's; ``core/i18n`` writes the same moment in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, g, has_app_context, has_request_context, request

from gemba_walk.core.ids import utcnow

DATETIME_FORMAT = "%d %b %Y, %H:%M"
DATE_FORMAT = "%d %b %Y"
DEFAULT_ZONE = "UTC"
_KEY = "gemba_walk.plant_zone"


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zones a site may choose (the ``localtime`` ones and ``posixrules`` left out)."""
    names = {n for n in available_timezones() if "/" in n or n == "UTC"}
    names -= {n for n in names if n.startswith(("posix/", "right/", "Etc/", "SystemV/"))}
    return tuple(sorted(names | {"UTC"}))


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in time_zone_names()


@cache
def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; an unknown or empty name is UTC (never an error on a page)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def fallback_zone() -> str:
    """``NOTIFY_TIMEZONE``: the zone of a site that names none (and of a plant with no site)."""
    name = current_app.config["NOTIFY_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return name if is_time_zone(name) else DEFAULT_ZONE


def site_zone(site) -> str:
    """The zone of every date decision about this site's records (None: the plant's)."""
    if site is None:
        return plant_zone()
    return site.timezone if is_time_zone(site.timezone) else fallback_zone()


def site_today(site, now: datetime | None = None) -> date:
    """The site's date now (or at ``now``, naive UTC): "today" for due, overdue and walks."""
    return local_today(site_zone(site), now)


def plant_zone() -> str:
    """The zone of this request's plant, from the resolver registered with the app."""
    if not has_app_context():
        return DEFAULT_ZONE
    # Kept with the request (an app context may outlive many requests, as in the tests).
    store = request.environ if has_request_context() else g.__dict__
    if _KEY not in store:
        resolver: Callable[[], str | None] | None = current_app.extensions.get("plant_zone")
        name = resolver() if resolver else None
        store[_KEY] = name if is_time_zone(name) else fallback_zone()
    return store[_KEY]


def _zone_named(zone_name: str | None) -> ZoneInfo:
    # None: the plant's zone; a name no site may choose ("" included): the fallback.
    if zone_name is None:
        return zone(plant_zone())
    return zone(zone_name if is_time_zone(zone_name) else fallback_zone())


def use_zone(name: str | None) -> None:
    """This request is about one site's record (a ticket, an audit, an area): every time on
    its page, and "today", in that site's zone rather than the plant zone. An unknown name is
    ignored."""
    if has_app_context() and is_time_zone(name):
        store = request.environ if has_request_context() else g.__dict__
        store[_KEY] = name


def to_local(value: datetime, zone_name: str | None = None) -> datetime:
    """A stored (naive UTC) or aware datetime as an aware datetime in the zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(_zone_named(zone_name))


def to_utc(value: datetime) -> datetime:
    """An aware datetime as the naive UTC value the database stores."""
    return value.astimezone(UTC).replace(tzinfo=None)


def local_today(zone_name: str | None = None, now: datetime | None = None) -> date:
    return to_local(now or utcnow(), zone_name).date()


def fixed_datetime(value: datetime | None, zone_name: str | None = None) -> str:
    """``26 Nov 2026, 08:33`` (the fixed, English format) in the plant's local time; ``—``
    when there is none."""
    if value is None:
        return "—"
    return to_local(value, zone_name).strftime(DATETIME_FORMAT)


def fixed_date(value: date | datetime | None, zone_name: str | None = None) -> str:
    """``26 Nov 2026``: a date as it is; a datetime as its local date."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_local(value, zone_name)
    return value.strftime(DATE_FORMAT)


def format_time(value: datetime | None, zone_name: str | None = None) -> str:
    return "—" if value is None else to_local(value, zone_name).strftime("%H:%M")


def format_csv(value: datetime | None, zone_name: str) -> str:
    """A spreadsheet cell: ``2026-11-26 08:33`` in the plant's local time (sorts as text);
    empty when there is none. Exports run outside the request, so the zone is passed in."""
    return "" if value is None else to_local(value, zone_name).strftime("%Y-%m-%d %H:%M")

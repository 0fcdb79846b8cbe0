"""Pure schedule rules: a plan, a date range and a zone give the walks due (no database).

The rules (docs/PLANNED-WALKS.md says the same in words):

- Intervals are in the plant's local time; windows are stored as naive UTC.
- ``daily``: every calendar day, local midnight to the next local midnight (23 or 25 hours on
  a daylight-saving change). ``weekdays``: the same window on the chosen weekdays only.
- ``weekly``: the local ISO week, Monday 00:00 to the next Monday 00:00, dated its Monday.
- ``monthly``: the chosen day of the month, the whole local day; a month shorter than that day
  uses its last day (the 31st is 30 April, 28 or 29 February).
- ``every_shift``: each shift on the weekdays it runs (the weekday it *starts*); a shift whose
  end is not after its start ends the next day (22:00–06:00).
- A wall time that does not exist (the hour skipped in spring) is read with the offset before
  the change, so a 02:30 start on that day begins at 03:30 local; a wall time that happens twice
  (autumn) is its first occurrence. A night shift across either change simply lasts an hour
  less or more.
- Each interval has an index (0, 1, 2, ... counted from the plan's first day); rotation uses it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


@dataclass(frozen=True)
class ShiftSpec:
    name: str
    starts: time
    ends: time
    weekdays: str = "01234"  # Monday = 0, the days the shift starts on


@dataclass(frozen=True)
class PlanSpec:
    frequency: str
    starts_on: date
    weekdays: str = "01234"
    day_of_month: int | None = None
    shifts: tuple[ShiftSpec, ...] = ()


@dataclass(frozen=True)
class Window:
    index: int
    local_date: date
    shift: str
    start: datetime  # naive UTC
    end: datetime  # naive UTC


def utc_of(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The naive UTC instant of a local wall time (fold 0: see the module's rules)."""
    local = datetime.combine(day, wall.replace(tzinfo=None), tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _day_window(index: int, day: date, zone: ZoneInfo, days: int = 1, shift: str = "") -> Window:
    return Window(
        index, day, shift, utc_of(day, time(0), zone), utc_of(day + days * DAY, time(0), zone)
    )


def monthly_day(year: int, month: int, day_of_month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day_of_month, last))


def _occurrences(plan: PlanSpec, last: date, zone: ZoneInfo) -> Iterator[Window]:
    index = 0
    frequency = plan.frequency
    if frequency == "weekly":
        monday = plan.starts_on - timedelta(days=plan.starts_on.weekday())
        while monday <= last:
            yield _day_window(index, monday, zone, days=7)
            index += 1
            monday += 7 * DAY
        return
    if frequency == "monthly":
        wanted = plan.day_of_month or 1
        year, month = plan.starts_on.year, plan.starts_on.month
        while date(year, month, 1) <= last:
            day = monthly_day(year, month, wanted)
            if plan.starts_on <= day <= last:
                yield _day_window(index, day, zone)
                index += 1
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return
    shifts = sorted(plan.shifts, key=lambda s: s.starts)
    day = plan.starts_on
    while day <= last:
        weekday = str(day.weekday())
        if frequency == "daily" or (frequency == "weekdays" and weekday in plan.weekdays):
            yield _day_window(index, day, zone)
            index += 1
        elif frequency == "every_shift":
            for shift in shifts:
                if weekday not in shift.weekdays:
                    continue
                start = utc_of(day, shift.starts, zone)
                end_day = day if shift.ends > shift.starts else day + DAY
                yield Window(index, day, shift.name, start, utc_of(end_day, shift.ends, zone))
                index += 1
        day += DAY


def windows(plan: PlanSpec, first: date, last: date, zone_name: str) -> list[Window]:
    """The plan's windows whose local date lies in ``first``..``last`` (inclusive); a week that
    overlaps ``first`` counts."""
    if last < first or last < plan.starts_on:
        return []
    zone = ZoneInfo(zone_name)
    # A week is dated its Monday but belongs to every day it spans.
    span = timedelta(days=6) if plan.frequency == "weekly" else timedelta(0)
    return [w for w in _occurrences(plan, last, zone) if w.local_date + span >= first]


def assign(
    index: int, people: Sequence[int], areas: Sequence[int], rotate: bool
) -> list[tuple[int, int]]:
    """Who walks which area in interval ``index``: (person, area) pairs.

    Without rotation every person walks every area. With rotation each person walks one area
    and the areas move on by one each interval: person j gets area (j + index) mod m when there
    are no more people than areas (each person sees every area once in m intervals, each area
    is walked n times in m intervals); with more people than areas each area gets one person,
    person (i + index) mod n, so each person walks m times in n intervals.
    """
    people, areas = sorted(people), sorted(areas)
    n, m = len(people), len(areas)
    if not n or not m:
        return []
    if not rotate:
        return [(p, a) for p in people for a in areas]
    if n <= m:
        return [(people[j], areas[(j + index) % m]) for j in range(n)]
    return [(people[(i + index) % n], areas[i]) for i in range(m)]

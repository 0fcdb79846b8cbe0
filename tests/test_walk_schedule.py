"""The schedule rules, against times worked out by hand (docs/PLANNED-WALKS.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gemba_walk.walks.schedule import PlanSpec, ShiftSpec, assign, windows

NIGHT = ShiftSpec("Night", time(22), time(6), "0123456")
EARLY = ShiftSpec("Early", time(6), time(14), "01234")


def hours(window) -> float:
    return (window.end - window.start) / timedelta(hours=1)


def one_day(zone: str, day: date, plan: PlanSpec | None = None):
    plan = plan or PlanSpec("daily", date(2026, 1, 1))
    return windows(plan, day, day, zone)


def test_a_berlin_day_is_local_midnight_to_midnight_in_utc():
    [window] = one_day("Europe/Berlin", date(2026, 11, 26))
    assert (window.start, window.end) == (datetime(2026, 11, 25, 23), datetime(2026, 11, 26, 23))


def test_the_spring_day_in_berlin_has_23_hours_and_the_autumn_day_25():
    [spring] = one_day("Europe/Berlin", date(2026, 3, 29))
    assert (spring.start, spring.end) == (datetime(2026, 3, 28, 23), datetime(2026, 3, 29, 22))
    assert hours(spring) == 23
    [autumn] = one_day("Europe/Berlin", date(2026, 10, 25))
    assert (autumn.start, autumn.end) == (datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 23))
    assert hours(autumn) == 25


def test_new_york_changes_on_other_days_with_other_offsets():
    [spring] = one_day("America/New_York", date(2026, 3, 8))
    assert (spring.start, spring.end) == (datetime(2026, 3, 8, 5), datetime(2026, 3, 9, 4))
    [autumn] = one_day("America/New_York", date(2026, 11, 1))
    assert (autumn.start, autumn.end) == (datetime(2026, 11, 1, 4), datetime(2026, 11, 2, 5))
    # The day Berlin springs forward is an ordinary day in New York (already on summer time).
    [berlin_change] = one_day("America/New_York", date(2026, 3, 29))
    assert hours(berlin_change) == 24


def shifts_on(zone: str, day: date, *shifts: ShiftSpec):
    return windows(PlanSpec("every_shift", date(2026, 1, 1), shifts=shifts), day, day, zone)


def test_a_night_shift_ends_the_next_morning():
    [night] = shifts_on("Europe/Berlin", date(2026, 11, 23), NIGHT)
    assert (night.local_date, night.shift) == (date(2026, 11, 23), "Night")
    assert (night.start, night.end) == (datetime(2026, 11, 23, 21), datetime(2026, 11, 24, 5))


def test_a_night_shift_across_the_spring_change_lasts_7_hours_and_across_autumn_9():
    [spring] = shifts_on("Europe/Berlin", date(2026, 3, 28), NIGHT)
    assert (spring.start, spring.end) == (datetime(2026, 3, 28, 21), datetime(2026, 3, 29, 4))
    assert hours(spring) == 7
    [autumn] = shifts_on("Europe/Berlin", date(2026, 10, 24), NIGHT)
    assert (autumn.start, autumn.end) == (datetime(2026, 10, 24, 20), datetime(2026, 10, 25, 5))
    assert hours(autumn) == 9
    [ny_autumn] = shifts_on("America/New_York", date(2026, 10, 31), NIGHT)
    assert (ny_autumn.start, ny_autumn.end) == (datetime(2026, 11, 1, 2), datetime(2026, 11, 1, 11))


def test_a_shift_starting_in_the_skipped_hour_starts_an_hour_later_on_the_clock():
    odd = ShiftSpec("Odd", time(2, 30), time(10), "6")
    [window] = shifts_on("Europe/Berlin", date(2026, 3, 29), odd)
    assert window.start == datetime(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert window.end == datetime(2026, 3, 29, 8)  # 10:00 CEST
    [twice] = shifts_on("Europe/Berlin", date(2026, 10, 25), odd)
    assert twice.start == datetime(2026, 10, 25, 0, 30)  # the first 02:30 (CEST)


def test_shifts_follow_their_working_days_in_start_order():
    week = windows(
        PlanSpec("every_shift", date(2026, 11, 23), shifts=(NIGHT, EARLY)),
        date(2026, 11, 27),
        date(2026, 11, 28),
        "Europe/Berlin",
    )
    assert [(w.local_date.day, w.shift) for w in week] == [
        (27, "Early"),
        (27, "Night"),
        (28, "Night"),
    ]
    # Monday to Friday: 2 shifts a day = 10 windows, then Saturday's night only.
    assert [w.index for w in week] == [8, 9, 10]


def test_monthly_on_the_31st_takes_the_last_day_of_short_months():
    plan = PlanSpec("monthly", date(2026, 1, 1), day_of_month=31)
    dates = [w.local_date for w in windows(plan, date(2026, 1, 1), date(2026, 12, 31), "UTC")]
    assert [d.day for d in dates] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    leap = windows(plan, date(2028, 2, 1), date(2028, 2, 29), "UTC")
    assert [w.local_date for w in leap] == [date(2028, 2, 29)]
    assert leap[0].index == 25  # Jan 2026 .. Feb 2028


def test_a_monthly_plan_starting_after_this_months_day_begins_next_month():
    plan = PlanSpec("monthly", date(2026, 4, 15), day_of_month=10)
    dates = [w.local_date for w in windows(plan, date(2026, 4, 1), date(2026, 6, 30), "UTC")]
    assert dates == [date(2026, 5, 10), date(2026, 6, 10)]


def test_chosen_weekdays_only():
    plan = PlanSpec("weekdays", date(2026, 11, 1), weekdays="024")
    week = windows(plan, date(2026, 11, 23), date(2026, 11, 29), "Europe/Berlin")
    assert [w.local_date.day for w in week] == [23, 25, 27]


def test_a_week_runs_monday_to_monday_and_can_have_167_hours():
    plan = PlanSpec("weekly", date(2026, 3, 25))
    [week] = windows(plan, date(2026, 3, 23), date(2026, 3, 29), "Europe/Berlin")
    assert week.local_date == date(2026, 3, 23)
    assert (week.start, week.end) == (datetime(2026, 3, 22, 23), datetime(2026, 3, 29, 22))
    assert hours(week) == 167


def test_a_frequency_that_yields_nothing_gives_no_windows():
    plan = PlanSpec("weekdays", date(2026, 1, 1), weekdays="")
    assert windows(plan, date(2026, 1, 1), date(2026, 12, 31), "UTC") == []
    shiftless = PlanSpec("every_shift", date(2026, 1, 1))
    assert windows(shiftless, date(2026, 1, 1), date(2026, 1, 31), "UTC") == []
    assert (
        windows(PlanSpec("daily", date(2027, 1, 1)), date(2026, 1, 1), date(2026, 1, 31), "UTC")
        == []
    )


def test_rotation_by_hand():
    people, areas = [7, 8, 9], [1, 2, 3, 4, 5]
    assert assign(0, people, areas, rotate=True) == [(7, 1), (8, 2), (9, 3)]
    assert assign(1, people, areas, rotate=True) == [(7, 2), (8, 3), (9, 4)]
    assert assign(4, people, areas, rotate=True) == [(7, 5), (8, 1), (9, 2)]
    assert assign(0, people, areas, rotate=False) == [(p, a) for p in people for a in areas]
    assert assign(0, [], areas, rotate=True) == []
    assert assign(0, people, [], rotate=False) == []


@given(
    people=st.lists(st.integers(1, 10_000), min_size=1, max_size=8, unique=True),
    areas=st.lists(st.integers(1, 10_000), min_size=1, max_size=8, unique=True),
    start=st.integers(0, 1000),
)
def test_rotation_is_fair_over_a_full_cycle(people, areas, start):
    n, m = len(people), len(areas)
    cycle = max(n, m)
    pairs = [pair for k in range(start, start + cycle) for pair in assign(k, people, areas, True)]
    per_pair = Counter(pairs)
    per_person = Counter(p for p, _ in pairs)
    per_area = Counter(a for _, a in pairs)
    # Nobody walks two areas in one interval, no area is walked twice in one interval.
    for k in range(start, start + cycle):
        once = assign(k, people, areas, True)
        assert len({p for p, _ in once}) == len(once) == len({a for _, a in once})
    if n <= m:  # every person sees every area exactly once; every area is walked n times
        assert set(per_pair.values()) == {1} and len(per_pair) == n * m
        assert set(per_area.values()) == {n}
    else:  # every person walks m times; every area once per interval
        assert set(per_person.values()) == {m}
        assert set(per_area.values()) == {n}


def test_a_week_that_began_before_the_first_day_asked_still_counts():
    plan = PlanSpec("weekly", date(2026, 11, 26))  # a Thursday
    [week] = windows(plan, date(2026, 11, 26), date(2026, 11, 27), "UTC")
    assert week.local_date == date(2026, 11, 23)
    assert windows(plan, date(2026, 11, 30), date(2026, 12, 6), "UTC")[0].local_date == date(
        2026, 11, 30
    )

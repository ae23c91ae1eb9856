"""Calendar arithmetic: workdays, opening hours with lunch, holidays, cut-off, working minutes."""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np
import pytest

from simlib.scenario.model import Calendar
from simlib.timekeeping import DAY, HallCalendar, Timetable


def test_timetable_counts_working_minutes_across_lunch_and_nights() -> None:
    t = Timetable(
        [(540, 720), (780, 1020), (DAY + 540, DAY + 720)]
    )  # day 0 both halves, day 1 morning
    assert t.worked_before(0) == 0
    assert t.worked_before(600) == 60
    assert t.worked_before(750) == 180  # lunch adds nothing
    assert t.working_minutes(700, DAY + 560) == 20 + 240 + 20
    assert t.add_working(700, 30) == 790  # 20 before lunch, 10 after
    assert t.add_working(1000, 30) == DAY + 550  # 20 today, 10 tomorrow morning
    assert t.add_working(DAY + 700, 30) == float("inf")  # beyond the last period


def test_timetable_merges_contiguous_periods() -> None:
    t = Timetable([(0, DAY), (DAY, 2 * DAY)])
    assert t.periods == [(0, 2 * DAY)]
    assert t.next_working(3 * DAY) == float("inf")


def test_vectorised_working_minutes_match_scalar() -> None:
    t = Timetable([(540, 720), (780, 1020), (DAY + 540, DAY + 720)])
    points = np.array([0, 540, 600, 750, 1020, 1200, DAY + 600, 5 * DAY])
    assert list(t.worked_before_array(points)) == [t.worked_before(p) for p in points]


def test_weekdays_holidays_and_start_date() -> None:
    cal = Calendar(start_date=dt.date(2025, 4, 3), holidays=[dt.date(2025, 4, 4)])  # a Thursday
    hc = HallCalendar(cal, 7)
    # Thu open, Fri holiday, Sat/Sun closed, Mon-Wed open
    assert hc.is_workday == [True, False, False, False, True, True, True]
    assert hc.weekday[0] == 3


def test_default_day_zero_is_monday_and_default_hours_have_lunch() -> None:
    hc = HallCalendar(Calendar(), 7)
    assert hc.workdays() == [0, 1, 2, 3, 4]
    assert hc.hours == [(540, 720), (780, 1020)]
    assert hc.day_minutes == 420
    assert hc.closing_times() == [d * DAY + 1020 for d in range(5)]


def test_ticket_cutoff_clips_the_last_period() -> None:
    hc = HallCalendar(Calendar(), 1, ticket_cutoff="16:30")
    assert hc.tickets.periods == [(540, 720), (780, 990)]


def test_lead_time_in_working_days() -> None:
    hc = HallCalendar(Calendar(), 14)
    # Friday 10:00 to Monday 10:00 is exactly one working day (420 open minutes).
    friday_10 = 4 * DAY + 600
    monday_10 = 7 * DAY + 600
    assert hc.working_days(np.array([friday_10]), np.array([monday_10]))[0] == pytest.approx(1.0)


def _plain_add_working(t: Timetable, at: float, work: float) -> float:
    """``add_working`` with bisects of the whole lists (before the day and work indexes)."""
    i = bisect.bisect_right(t.starts, at) - 1
    target = (0.0 if i < 0 else t.cum[i] + min(at, t.ends[i]) - t.starts[i]) + work
    i = bisect.bisect_left(t.cum, target) - 1
    if i >= len(t.starts):
        return float("inf")
    i = max(i, 0)
    return t.starts[i] + target - t.cum[i]


def _plain_is_working(t: Timetable, at: float) -> bool:
    i = bisect.bisect_right(t.starts, at) - 1
    return i >= 0 and at < t.ends[i]


@pytest.mark.parametrize("seed", range(4))
def test_indexed_lookups_answer_as_whole_list_bisects(seed: int) -> None:
    """Lunch breaks, nights, shifts across midnight, days without hours; instants on every
    boundary (period ends, midnights, multiples of the work index's step) and between."""
    rng = np.random.default_rng(seed)
    periods = []
    for d in range(30):
        if rng.random() < 0.2:
            continue  # closed
        s = float(rng.integers(0, 20 * 60))
        for _ in range(int(rng.integers(1, 4))):
            e = s + float(rng.integers(1, 600)) + rng.random() * (seed % 2)
            periods.append((d * DAY + s, d * DAY + e))  # may run past midnight
            s = e + float(rng.integers(1, 120))
    t = Timetable(periods)
    edges = t.starts + t.ends + [d * DAY for d in range(33)] + [-5.0, 1e9, float("inf")]
    instants = (
        edges + [e + x for e in edges for x in (-1e-9, 1e-9)] + list(rng.random(500) * 32 * DAY)
    )
    for at in instants:
        assert t.is_working(at) == _plain_is_working(t, at), at
    works = [0.0, 1.0, 240.0, 239.999, 420.0, 840.0, 1e7, -30.0, -420.0, *rng.random(20) * 5000]
    for at in instants[::3]:
        for work in works:
            assert t.add_working(at, work) == _plain_add_working(t, at, work), (at, work)
    for target in [k * 240.0 + x for k in range(40) for x in (-1e-9, 0.0, 1e-9)]:
        assert t.add_working(0.0, target) == _plain_add_working(t, 0.0, target), target

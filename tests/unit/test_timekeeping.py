"""Calendar arithmetic: workdays, opening hours with lunch, holidays, cut-off, working minutes."""

from __future__ import annotations

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

"""Calendar arithmetic: workdays, opening hours, shifts, holidays, working minutes and
arrival rate segments. Pure functions of a scenario's calendar, outside the engine, so the
engine, the checks, optimize and costs (via :mod:`simlib.duty`) share one definition.

The clock runs in minutes from day 0, 00:00. Day 0 is ``start_date`` when one is given,
otherwise a Monday. A :class:`Timetable` is the list of working periods of one set of
daily hours over the horizon; it answers "how many working minutes lie between a and b"
and "when will w working minutes have passed after t" in O(log n).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from simlib.scenario.model import (
    WEEKDAYS,
    Calendar,
    PerHourOrDay,
    Weekday,
    parse_clock,
    parse_hours,
)

__all__ = ["DAY", "HallCalendar", "Segment", "Timetable", "rate_segments"]

DAY = 1440.0

Segment = tuple[float, float, float]  # start, end (minutes), rate per minute


class Timetable:
    """Disjoint, sorted working periods [start, end) in absolute minutes."""

    def __init__(self, periods: Iterable[tuple[float, float]]):
        merged: list[list[float]] = []
        for start, end in sorted(periods):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)  # contiguous across midnight
            else:
                merged.append([start, end])
        self.starts = [p[0] for p in merged]
        self.ends = [p[1] for p in merged]
        self.cum = [0.0]  # working minutes before period i
        for s, e in merged:
            self.cum.append(self.cum[-1] + e - s)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def periods(self) -> list[tuple[float, float]]:
        return list(zip(self.starts, self.ends, strict=True))

    def worked_before(self, t: float) -> float:
        """Working minutes in [0, t)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def working_minutes(self, a: float, b: float) -> float:
        return self.worked_before(b) - self.worked_before(a)

    def add_working(self, t: float, work: float) -> float:
        """The instant at which ``work`` working minutes have passed after ``t`` (inf if never)."""
        # worked_before(t) inline (every walk-in return asks this): the same expression.
        # min and max as expressions (the builtins' values): a call each per walk-in return.
        starts, cum = self.starts, self.cum
        i = bisect.bisect_right(starts, t) - 1
        if i < 0:
            target = 0.0 + work
        else:
            end = self.ends[i]
            target = (cum[i] + (end if end < t else t) - starts[i]) + work
        i = bisect.bisect_left(cum, target) - 1
        if i >= len(starts):
            return float("inf")
        if i < 0:
            i = 0
        return starts[i] + target - cum[i]

    def is_working(self, t: float) -> bool:
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def next_working(self, t: float) -> float:
        """``t`` if it is working time, else the start of the next period (inf if none)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else float("inf")

    def working_minutes_array(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`working_minutes`."""
        return self.worked_before_array(np.asarray(b)) - self.worked_before_array(np.asarray(a))

    def worked_before_array(self, t: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`worked_before` (for KPIs over thousands of cases)."""
        if not self.starts:
            return np.zeros_like(t, dtype=float)
        knots_t = np.empty(2 * len(self.starts))
        knots_w = np.empty_like(knots_t)
        knots_t[0::2], knots_t[1::2] = self.starts, self.ends
        knots_w[0::2], knots_w[1::2] = self.cum[:-1], self.cum[1:]
        return np.interp(t, knots_t, knots_w, left=0.0)


Spans = list[tuple[int, int]]


def _spans(hours: Sequence[str] | Spans) -> Spans:
    """Parsed hours as they are (the scenario parsed them at validation), or parsed now."""
    items: list[Any] = list(hours)
    return parse_hours(items) if items and isinstance(items[0], str) else items


class HallCalendar:
    """Which days are workdays, and the timetables of the hall and of any shift."""

    def __init__(self, calendar: Calendar, days: int, ticket_cutoff: int | str | None = None):
        self.days = days
        first = calendar.start_date.weekday() if calendar.start_date else 0
        workdays = {WEEKDAYS.index(d) for d in calendar.workdays}
        holidays: set[int] = set()
        if calendar.start_date is not None:
            holidays = {(h - calendar.start_date).days for h in calendar.holidays}
        self.weekday = [(first + d) % 7 for d in range(days)]
        self.is_workday = [self.weekday[d] in workdays and d not in holidays for d in range(days)]
        self.start_date: dt.date | None = calendar.start_date
        self.hours = calendar.open_spans  # the usual day
        cutoff = parse_clock(ticket_cutoff) if isinstance(ticket_cutoff, str) else ticket_cutoff
        self._cutoff = cutoff
        self.ticket_hours = self._tickets(self.hours)
        # Hours of each day: weekdays with their own hours (hours_by_weekday) differ.
        by_weekday = {
            WEEKDAYS.index(d): parse_hours(list(h)) for d, h in calendar.hours_by_weekday.items()
        }
        self.day_hours = [by_weekday.get(w, self.hours) for w in self.weekday]
        self.open = Timetable(
            (d * DAY + s, d * DAY + e) for d in self.workdays() for s, e in self.day_hours[d]
        )
        self.tickets = Timetable(
            (d * DAY + s, d * DAY + e)
            for d in self.workdays()
            for s, e in self._tickets(self.day_hours[d])
        )
        # A working day, for lead times: the open minutes of one usual workday.
        self.day_minutes = float(sum(e - s for s, e in self.hours))

    def _tickets(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        cutoff = self._cutoff
        return [(s, min(e, cutoff) if cutoff is not None else e) for s, e in spans]

    def ticket_hours_on(self, day: int) -> list[tuple[int, int]]:
        """Ticket spans (minutes after midnight) of ``day``: its opening hours, cut off."""
        return self._tickets(self.day_hours[day])

    def workdays(self) -> list[int]:
        return [d for d in range(self.days) if self.is_workday[d]]

    def next_ticket_at_habit(self, at: float, habit: float) -> float:
        """When someone who comes at ``habit`` minutes after midnight next finds tickets
        issued, at or after ``at`` (within a month; else the next ticket period)."""
        tickets = self.tickets
        day = int(at // DAY)
        if day * DAY + habit < at:
            day += 1
        for d in range(day, min(day + 31, self.days)):
            if self.is_workday[d] and tickets.is_working(d * DAY + habit):
                return d * DAY + habit
        return tickets.next_working(at)

    def timetable(self, hours: Sequence[str] | Spans) -> Timetable:
        """Working periods of daily ``hours`` on every workday of the horizon."""
        spans = _spans(hours)
        return Timetable((d * DAY + s, d * DAY + e) for d in self.workdays() for s, e in spans)

    def shift_periods(
        self,
        hours: Sequence[str] | Spans | None,
        days: Sequence[str] | None = None,
        by_weekday: Mapping[Weekday, Sequence[str]] | None = None,
    ) -> list[tuple[float, float]]:
        """Daily ``hours`` (None: each day's opening hours; ``by_weekday``: other hours on
        those weekdays, the same officers) on the workdays that fall on ``days`` (None: every
        workday), *not* merged across midnight: the roster draws absences per day, so a
        24-hour shift still starts afresh each day."""
        spans = _spans(hours) if hours is not None else None
        own = {WEEKDAYS.index(w): _spans(h) for w, h in (by_weekday or {}).items()}
        weekdays = None if days is None else {WEEKDAYS.index(d) for d in days}
        return [
            (d * DAY + s, d * DAY + e)
            for d in self.workdays()
            if weekdays is None or self.weekday[d] in weekdays
            for s, e in own.get(self.weekday[d], spans if spans is not None else self.day_hours[d])
        ]

    def closing_times(self) -> list[float]:
        """When the hall closes for the day (end of the last opening period of each workday)."""
        starts, ends = self.open.starts, self.open.ends
        out = []
        for i, end in enumerate(ends):
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            if nxt is None or (end - 1e-9) // DAY != nxt // DAY:
                out.append(end)
        return out

    def working_days(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Working days (hall open minutes / minutes of a working day) between a and b."""
        return (self.open.worked_before_array(b) - self.open.worked_before_array(a)) / (
            self.day_minutes
        )


def _split_by_hour(spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Ticket spans of one day cut at clock-hour boundaries: (start, end, hour)."""
    out = []
    for s, e in spans:
        t = s
        while t < e:
            h = int(t // 60)
            nxt = min(e, (h + 1) * 60)
            out.append((t, nxt, h))
            t = nxt
    return out


def rate_segments(spec: PerHourOrDay, calendar: HallCalendar, factor: float = 1.0) -> list[Segment]:
    """Arrival rate segments over the horizon for one matter (rates times ``factor``)."""
    if factor != 1.0:
        return [(s, e, r * factor) for s, e, r in rate_segments(spec, calendar)]
    if spec.per_hour is not None:
        rate = spec.per_hour / 60.0
        return [(s, e, rate) for s, e in calendar.tickets.periods] if rate > 0 else []
    shapes: dict[tuple[object, ...], list[tuple[int, int, float]]] = {}
    segments: list[Segment] = []
    factors: dict[str, float] = {str(k): v for k, v in spec.weekday_factors.items()}
    own: dict[str, dict[str, float]] = {str(k): v for k, v in spec.profile_by_weekday.items()}
    for d in calendar.workdays():
        weekday = WEEKDAYS[calendar.weekday[d]]
        n = (spec.per_day or 0.0) * factors.get(weekday, 1.0)
        if n <= 0:
            continue
        spans = tuple(calendar.ticket_hours_on(d))
        profile = own.get(weekday, spec.profile)
        key = (spans, weekday if weekday in own else None)
        if key not in shapes:  # days with their own hours (or profile) have their own shape
            shapes[key] = _day_shape(profile, list(spans))
        base = d * DAY
        segments.extend((base + s, base + e, n * r) for s, e, r in shapes[key])
    return segments


def _day_shape(
    profile: dict[str, float] | None, spans: list[tuple[int, int]]
) -> list[tuple[int, int, float]]:
    """(start, end, share per minute) of one day's ticket hours; the shares sum to 1."""
    pieces = _split_by_hour([(s, e) for s, e in spans if e > s])
    if profile is not None:
        weights = [profile.get(f"{h:02d}", 0.0) for _, _, h in pieces]
        # Each clock hour's weight is spread over the open minutes of that hour.
        minutes_in_hour: dict[int, float] = {}
        for s, e, h in pieces:
            minutes_in_hour[h] = minutes_in_hour.get(h, 0.0) + e - s
        hours_seen = {h for _, _, h in pieces}
        total = sum(profile.get(f"{h:02d}", 0.0) for h in hours_seen)
        per_minute = [
            (w / total / minutes_in_hour[h]) if total > 0 else 0.0
            for w, (_, _, h) in zip(weights, pieces, strict=True)
        ]
    else:
        total_minutes = sum(e - s for s, e, _ in pieces)
        per_minute = [1.0 / total_minutes if total_minutes else 0.0] * len(pieces)
    return [(s, e, r) for (s, e, _), r in zip(pieces, per_minute, strict=True) if r > 0]

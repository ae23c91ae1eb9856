"""Officers on duty and officer-hours: one definition for the engine's roster, the checks,
the staffing optimiser and the cost of a reform.

A pool's officers are its shifts (``count`` officers during ``hours`` on ``days``; the
one-shift shorthand is a shift on the opening hours of every workday). Which clock periods
a shift covers on which calendar day comes from :meth:`HallCalendar.shift_periods` — the
same periods the engine's roster puts officers on duty in — so weekday hours
(``hours_by_weekday``), shift days and holidays count the same everywhere. Pure functions
of a scenario, no simulation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY, HallCalendar

__all__ = [
    "officer_hours",
    "officers_present",
    "on_duty",
    "peak_on_duty",
    "pool_hours",
    "rostered",
]

WEEKS = 2  # two calendar weeks: every weekday twice, whatever the start date


def _calendar(scenario: Scenario) -> HallCalendar:
    return HallCalendar(scenario.calendar, 7 * WEEKS, scenario.hall.ticket_cutoff)


def pool_hours(scenario: Scenario, pool_id: str, calendar: HallCalendar | None = None) -> float:
    """Officer-hours on duty in pool ``pool_id`` per working day (mean over two weeks)."""
    cal = calendar or _calendar(scenario)
    workdays = max(1, len(cal.workdays()))
    minutes = 0.0
    for shift in scenario.pools[pool_id].crews():
        periods = cal.shift_periods(shift.hours, shift.days, shift.hours_by_weekday)
        minutes += shift.count * sum(end - start for start, end in periods)
    return minutes / 60 / workdays


def on_duty(
    scenario: Scenario, pool_id: str, hours: Sequence[int], calendar: HallCalendar | None = None
) -> list[int]:
    """Officers of pool ``pool_id`` on duty for the whole of each clock hour in ``hours`` on
    a usual working day: per hour, the most common count over two weeks' workdays (so a
    shift on some weekdays only, or a short Friday, does not set the usual day)."""
    cal = calendar or _calendar(scenario)
    days = cal.workdays()
    counts = {d: [0] * len(hours) for d in days}
    for shift in scenario.pools[pool_id].crews():
        for start, end in cal.shift_periods(shift.hours, shift.days, shift.hours_by_weekday):
            day = int(start // DAY)
            for i, h in enumerate(hours):
                if start <= day * DAY + h * 60 and day * DAY + (h + 1) * 60 <= end:
                    counts[day][i] += shift.count
    return [Counter(counts[d][i] for d in days).most_common(1)[0][0] for i in range(len(hours))]


def officer_hours(scenario: Scenario, cost: bool = False, pools: set[str] | None = None) -> float:
    """Officer-hours on duty per working day over every pool (or the given ``pools`` only),
    or (``cost``) their price per working day (pools without ``cost_per_hour`` count 0)."""
    cal = _calendar(scenario)
    total = 0.0
    for pool_id, pool in scenario.pools.items():
        if pools is not None and pool_id not in pools:
            continue
        price = (pool.cost_per_hour or 0.0) if cost else 1.0
        total += price * pool_hours(scenario, pool_id, cal)
    return total


def officers_present(
    scenario: Scenario, pool_ids: Iterable[str], start: float, end: float, calendar: HallCalendar
) -> float:
    """Officers of ``pool_ids`` on duty over [start, end) (absolute minutes, the mean over
    the interval), less each pool's daily absence: the shift periods the roster uses."""
    total = 0.0
    for pool_id in pool_ids:
        pool = scenario.pools[pool_id]
        present = 1 - pool.absence.daily_prob
        for shift in pool.crews():
            covered = sum(
                max(0.0, min(e, end) - max(s, start))
                for s, e in calendar.shift_periods(shift.hours, shift.days, shift.hours_by_weekday)
                if s < end and e > start
            )
            total += shift.count * covered / (end - start) * present
    return total


def rostered(scenario: Scenario, pool_id: str) -> int:
    """People on pool ``pool_id``'s roster: each shift's officers are different people."""
    return sum(shift.count for shift in scenario.pools[pool_id].crews())


def peak_on_duty(scenario: Scenario, pool_id: str, calendar: HallCalendar | None = None) -> int:
    """The most officers of pool ``pool_id`` on duty at once over two weeks — what the pool
    needs at its busiest moment. A log fitted hour by hour has many shift fragments, so the
    sum of shift counts would count every fragment of a working day again."""
    cal = calendar or _calendar(scenario)
    changes: dict[float, int] = {}
    for shift in scenario.pools[pool_id].crews():
        for start, end in cal.shift_periods(shift.hours, shift.days, shift.hours_by_weekday):
            changes[start] = changes.get(start, 0) + shift.count
            changes[end] = changes.get(end, 0) - shift.count
    best = now = 0
    for t in sorted(changes):  # at a moment one shift ends as another starts, both net out
        now += changes[t]
        best = max(best, now)
    return best

"""The back office's deadline-driven take-up, fitted from an event log (map key
``pick: deadline``).

Why a policy and not a queue alone: the log's wait before the first task is about three
weeks in every month while the backlog stays level (about 80 cases). Any order that keeps
officers busy while work waits (FIFO, earliest deadline first) has the same mean wait
(Kleinrock's conservation law), and below utilisation 1 that wait is about a week; a
steady three weeks needs a pool past saturation, whose backlog then grows month after
month and the later months wait far too long. So cases are taken up as their deadline
nears: the first task becomes eligible a fitted lead before the deadline and then waits,
earliest deadline first, for a free officer (``pools.<id>.pick``). That is a queue
discipline, not a delay: with fewer officers, eligible work waits longer.

What is fitted, from what:

- the lead: per case, the model's deadline (``time_limit_days`` working days after
  receipt) less the working days from receipt to the first completion (working time of
  the calendar's open hours), at least 0, as empirical quantiles; the log shows a wait
  from receipt of 14-19 working days whatever the statutory limit (40, 60 or 80 days), so
  the lead is measured against the model's one deadline, not each case's own. The
  observed first completion also holds the queue and the work, so the lead is shifted by
  simulation until the simulated median first wait is the log's;
- the capacity: the availability, between utilisation 0.95 and the log's presence, at
  which the simulated mean gap between a case's steps within a day (under
  ``hold_gap_hours``: the pool finishing a started case) is the log's. That gap is set by
  how much of the day the pool spends on this process, not by the take-up policy, so the
  two fits do not compete for one number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from simlib.calibrate.simlog import first_task_wait_days, simulated_events
from simlib.scenario.model import WEEKDAYS
from simlib.timekeeping import Timetable

if TYPE_CHECKING:
    from simlib.calibrate.eventcal import EventCalibration

__all__ = ["lead_days", "lead_spec", "refine_pick", "step_gaps_min", "working_days_waited"]

QUANTILES = 100  # of the lead in the scenario (empirical, equal weights)
MAX_UTILISATION = 0.95  # the capacity search keeps the pool below saturation


def working_days_waited(
    ev: pd.DataFrame, workdays: list[str], hours: list[str], day_minutes: float
) -> np.ndarray:
    """Per case: working days (open minutes / a day's open minutes) from receipt to the
    first completion, on the calendar the scenario uses."""
    g = ev.groupby("case")
    received, first = g["received"].first(), g["end"].min()
    epoch = received.min().normalize()
    days = int((first.max() - epoch).days) + 2
    spans = [(int(h[:2]) * 60 + int(h[3:5]), int(h[6:8]) * 60 + int(h[9:11])) for h in hours]
    open_days = {WEEKDAYS.index(d) for d in workdays}
    periods = [
        (d * 1440 + s, d * 1440 + e)
        for d in range(days)
        if (epoch + pd.Timedelta(days=d)).weekday() in open_days
        for s, e in spans
    ]
    table = Timetable(periods)

    def minutes(t: pd.Series) -> np.ndarray:
        return ((t - epoch).dt.total_seconds() / 60).to_numpy(dtype=float)

    return table.working_minutes_array(minutes(received), minutes(first)) / day_minutes


def lead_days(waited: np.ndarray, limit_days: float) -> np.ndarray:
    """The lead before the model's deadline at which each case was taken up (at least 0)."""
    return np.clip(limit_days - waited, 0.0, None)


def lead_spec(leads: np.ndarray, shift: float) -> dict[str, Any]:
    """The lead as empirical quantiles, shifted (the queue and the work after take-up)."""
    probs = (np.arange(QUANTILES) + 0.5) / QUANTILES
    values = np.clip(np.quantile(leads, probs) + shift, 0.0, None)
    return {"dist": "empirical", "values": [round(float(v), 3) for v in values]}


def step_gaps_min(log: pd.DataFrame, case: str, time: str, hold_gap_hours: float) -> np.ndarray:
    """Minutes between a case's consecutive completions, under ``hold_gap_hours`` (longer
    gaps are holds, waiting on someone outside)."""
    t = log.sort_values([case, time])
    gap = t.groupby(case)[time].diff().dt.total_seconds() / 60
    gap = gap.dropna().to_numpy(dtype=float)
    return gap[gap < hold_gap_hours * 60]


def _mean_ci(x: np.ndarray) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return (float(x.mean()) if len(x) else float("inf")), 0.0
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


def refine_pick(cal: EventCalibration, rounds: int, seed: int, reps: int) -> None:
    """Fit the capacity to the within-day gap between steps (bisection on the availability,
    log scale, below utilisation 0.95) and the lead's shift to the median first wait (the
    simulated excess in working days), on the same replications every round (common
    random numbers); stop when both are inside their rounds' 95 % intervals, or the wait is
    and the availability's bracket has closed to 5 % (a gap the model cannot reach, at
    the bound)."""
    hold = cal.logmap.hold_gap_hours
    target_gap = float(np.mean(step_gaps_min(cal.events, "case", "end", hold)))
    cal.target_gap_min = target_gap
    target_wait = cal.target_first_wait_days
    per_week = len(cal.data["calendar"]["workdays"].value) / 7  # working per calendar day
    top = min(1.0, max(cal.availability_log, 0.05))
    lo = min(cal.critical_availability() / MAX_UTILISATION, top)
    hi = top
    for _ in range(rounds):
        a = float(np.sqrt(lo * hi))
        cal.set_pick(a, cal.lead_shift)
        scenario = cal.scenario()
        logs = [simulated_events(scenario, seed + r) for r in range(reps)]
        cal.simulated_days += reps * (scenario.horizon.days + scenario.horizon.drain_days)
        wait, wait_half = _mean_ci(
            np.array([np.median(first_task_wait_days(s)) for s in logs if len(s)])
        )
        gap, gap_half = _mean_ci(
            np.array(
                [
                    np.mean(step_gaps_min(s, "case:concept:name", "time:timestamp", hold))
                    for s in logs
                    if len(s)
                ]
            )
        )
        cal.refinement.append((a, wait))
        cal.pick_rounds.append((a, cal.lead_shift, wait, gap))
        gap_met = abs(gap - target_gap) <= gap_half or hi / lo < 1.05  # or at its bound
        if abs(wait - target_wait) <= wait_half and gap_met:
            cal.settled = True
            return
        if abs(gap - target_gap) > gap_half:
            lo, hi = (a, hi) if gap > target_gap else (lo, a)
        cal.lead_shift += (wait - target_wait) * per_week
    cal.set_pick(float(np.sqrt(lo * hi)), cal.lead_shift)

"""The back-office pool's work by weekday, from an event log: how much of a mean day's
capacity each weekday carries (real logs: Fridays carry less).

Completions per working day of each weekday, divided by their mean over the workdays, so
that the factors average 1 and the pool's overall availability stays the mean. The working
days are every date of a workday between the pool's first and last completion, days without
any completion included: the calibrated scenario works on all of them (its calendar has no
holidays), so its capacity by weekday is the log's work spread over the same days. With a
backlog of weeks, as the permit pool has, completions follow the capacity on duty, not the
arrivals.
The 95 % interval comes from resampling whole weeks (a week's days are not independent:
absences and batch work come in runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.scenario.model import WEEKDAYS

__all__ = ["WeekdayCapacity", "weekday_capacity"]


@dataclass(frozen=True)
class WeekdayCapacity:
    """Per workday: its factor on the mean day's capacity, the factor's 95 % interval,
    its working days and completions in the log."""

    factor: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    days: dict[str, int]
    events: dict[str, int]

    def note(self) -> str:
        parts = ", ".join(
            f"{d} {self.factor[d]:.2f} [{self.low[d]:.2f}-{self.high[d]:.2f}]" for d in self.factor
        )
        return (
            f"capacity by weekday, x the mean day (95 % CI, weeks resampled): {parts}; from "
            "the pool's completions per working day of each weekday in the log's window"
        )


def _factors(counts: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Completions per working day of each weekday (last axis) over their mean."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(days > 0, counts / np.maximum(days, 1), np.nan)
        return rate / np.nanmean(rate, axis=-1, keepdims=True)


def weekday_capacity(
    ends: pd.Series, workdays: list[str], reps: int = 400, seed: int = 0
) -> WeekdayCapacity:
    """Factors of each of ``workdays`` from the completion times ``ends`` of one pool."""
    seen = ends.dropna().dt.normalize().value_counts()
    if seen.empty:
        raise ValueError("no completion times: the capacity by weekday cannot be fitted")
    window = pd.date_range(seen.index.min(), seen.index.max(), freq="D")
    per_day = seen.reindex(window, fill_value=0)
    cols = [WEEKDAYS.index(d) for d in workdays]
    dates = pd.DatetimeIndex(per_day.index)
    week = ((dates - dates.min()).days // 7).to_numpy()
    weekday = dates.day_of_week.to_numpy()
    inside = np.isin(weekday, cols)
    n_weeks = int(week.max()) + 1
    counts = np.zeros((n_weeks, 7))
    days = np.zeros((n_weeks, 7))
    np.add.at(counts, (week[inside], weekday[inside]), per_day.to_numpy()[inside])
    np.add.at(days, (week[inside], weekday[inside]), 1)
    counts, days = counts[:, cols], days[:, cols]
    point = _factors(counts.sum(0), days.sum(0))
    pick = np.random.default_rng(seed).integers(0, n_weeks, (reps, n_weeks))
    boot = _factors(counts[pick].sum(1), days[pick].sum(1))
    low, high = np.nanpercentile(boot, [2.5, 97.5], axis=0)
    return WeekdayCapacity(
        factor={d: float(point[i]) for i, d in enumerate(workdays)},
        low={d: float(low[i]) for i, d in enumerate(workdays)},
        high={d: float(high[i]) for i, d in enumerate(workdays)},
        days={d: int(days[:, i].sum()) for i, d in enumerate(workdays)},
        events={d: int(counts[:, i].sum()) for i, d in enumerate(workdays)},
    )

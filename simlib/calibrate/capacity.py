"""Effective capacity refined by simulation: the hall must serve what the log served.

The first estimate of officers effectively available (busy while someone waited, see
:mod:`simlib.calibrate.staffing`) misses what a per-matter service time cannot hold (the
pace of service changes over the day) and how availability varies inside an hour. In an
hour where callers queue, the calls *served* in it measure capacity directly: so the
calibrated hall is simulated and, weekday by hour, its officers are scaled by the ratio of
calls the log served (by the hour service started) to calls the simulation served. Hours
with no queue are hardly affected (what is served there is what arrives). Two or three
rounds settle it; each costs a few runs.

Matching served calls fixes capacity where there is a queue, but not how long callers wait
or how many are called within the target: a last step (``settle_scale``) scales all officers
by one factor from a short grid, simulated with common random numbers, and keeps the one
whose busy-hours mean wait of those served, share who gave up and share called within the
target are jointly nearest the log (least sum of squared relative errors).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simlib.engine import simulate
from simlib.experiment.core import Progress

__all__ = ["refine_capacity", "served_by_cell", "settle_scale"]


def served_by_cell(call: np.ndarray, start_weekday: int, days: int) -> pd.DataFrame:
    """Calls served per weekday x clock hour of service start, per date of the weekday."""
    call = call[np.isfinite(call)]
    day = (call // 1440).astype(int)
    keep = day < days
    day, hour = day[keep], ((call[keep] % 1440) // 60).astype(int)
    counts = np.zeros((7, 24))
    np.add.at(counts, ((start_weekday + day) % 7, hour), 1)
    n_dates = np.bincount((start_weekday + np.arange(days)) % 7, minlength=7)
    return pd.DataFrame(counts / np.maximum(n_dates, 1)[:, None])


def run_served(scenario: Any, seed: int) -> dict[str, float]:
    """One run as flat numbers (a run function for the run core): calls served per date of
    each weekday and clock hour of service start, ``"served[w,hh]"``."""
    start = scenario.calendar.start_date
    rec = simulate(scenario, seed, detail="kpi")
    v = rec.visits
    v = v[v["ticket"] < rec.horizon]
    cells = served_by_cell(
        v.loc[v["outcome"] == "served", "call"].to_numpy(),
        start.weekday() if start is not None else 0,
        scenario.horizon.days,
    )
    return {f"served[{w},{h:02d}]": float(cells.iloc[w, h]) for w in range(7) for h in range(24)}


def refine_capacity(
    cal: Any,
    rounds: int = 2,
    reps: int = 3,
    seed: int = 11,
    lo: float = 0.6,
    hi: float = 1.6,
    executor: Any = None,
    on_progress: Progress | None = None,
) -> list[float]:
    """Scale ``cal.staffing.simulated`` in place, round by round; returns the mean
    |log/sim - 1| of served calls over busy cells before each round."""
    from simlib.calibrate.check import simulate_rows

    t = cal.tickets
    days = int(t.attrs["days"])
    start_wd = t.attrs["start_date"].weekday()
    log = served_by_cell(t.loc[t["served"], "call"].to_numpy(), start_wd, days)
    staff = cal.staffing
    history = []
    for r in range(rounds):
        mean = simulate_rows(
            run_served, cal.scenario(), seed + r, reps, executor, on_progress
        ).mean()
        sim = pd.DataFrame([[mean[f"served[{w},{h:02d}]"] for h in range(24)] for w in range(7)])
        ratio = (log / sim.where(sim > 0)).reindex(index=staff.simulated.index)
        busy = log.reindex(index=staff.simulated.index) >= 5
        history.append(float((ratio[busy] - 1).abs().stack().mean()))
        factor = ratio.where(busy, 1.0).fillna(1.0).clip(lo, hi)
        staff.simulated = staff.simulated * factor.to_numpy()
        cal.rebuild()
    return history


SCALES = (0.94, 0.97, 1.0, 1.03, 1.06)
SETTLED = ("wait_served_min", "gave_up_share", "service_level")


def settle_scale(
    cal: Any,
    scales: tuple[float, ...] = SCALES,
    reps: int = 3,
    seed: int = 17,
    target: float = 1.0,
    executor: Any = None,
    on_progress: Progress | None = None,
) -> dict[float, dict[str, float]]:
    """Scale ``cal.staffing.simulated`` by the factor of ``scales`` whose simulated busy-hours
    measures (:data:`SETTLED`) are jointly nearest the log's; returns each factor's relative
    errors and their sum of squares (``"loss"``). A measure the log cannot compare with (0 or
    missing there) has no relative error (NaN) and is left out of every scale's loss; a scale
    whose simulation lacks a measure the log has is not chosen (NaN loss). With no measure to
    compare at all the officers are left as they are (scale 1)."""
    import functools

    from simlib.calibrate.check import _overall, run_profile, simulate_rows

    t = cal.tickets
    hours = (int(cal.logmap.busy_hours[0]), int(cal.logmap.busy_hours[1]))
    log = _overall(t, int(t.attrs["days"]), hours, target)
    run = functools.partial(run_profile, target=target, busy_hours=hours, levels=cal.levels())
    base = cal.staffing.simulated.copy()
    out: dict[float, dict[str, float]] = {}
    for s in scales:
        cal.staffing.simulated = base * s
        cal.rebuild()
        mean = simulate_rows(run, cal.scenario(), seed, reps, executor, on_progress).mean()
        err = {k: relative_error(float(mean[k]), log[k]) for k in SETTLED}
        known = [err[k] for k in SETTLED if math.isfinite(log[k]) and log[k] != 0]
        err["loss"] = sum(e * e for e in known) if known else math.nan
        out[s] = err
    scored = [s for s in out if math.isfinite(out[s]["loss"])]
    best = min(scored, key=lambda s: out[s]["loss"]) if scored else 1.0
    cal.staffing.simulated = base * best
    cal.rebuild()
    return out


def relative_error(simulated: float, log: float) -> float:
    """``simulated / log - 1``, or NaN (not known) when the log has no value to compare
    with: a measure that is 0 in the log (nobody gave up) or missing (nobody served)."""
    if not (math.isfinite(log) and math.isfinite(simulated)) or log == 0:
        return math.nan
    return simulated / log - 1

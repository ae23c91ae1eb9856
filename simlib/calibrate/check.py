"""The decisive test of a calibration: simulate the fitted hall and set it beside the log.

Hour by hour (the clock hour of the ticket): tickets per day, mean wait of those served,
share who gave up, and service level (called within ``target`` minutes). The log's own
sampling error comes from a bootstrap over whole days (days, not tickets, are the
independent units); the simulation's from its replications. The summary reads off the
acceptance figures: tickets per day, busy-hours means, and the share of busy hours
within 25 % and 40 % of the log.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simlib.engine import simulate
from simlib.experiment.core import Job, Progress, evaluate, replication_seed

__all__ = ["FitCheck", "check_fit", "hourly", "run_profile", "sim_tickets", "simulate_rows"]

MEASURES = ("tickets_per_day", "wait_served_min", "gave_up_share", "service_level")


def sim_tickets(
    records: Any,
    start_weekday: int,
    priorities: dict[str, int] | None = None,
) -> pd.DataFrame:
    """A run's hall tickets in the shape of :func:`simlib.calibrate.read_ticket_log`."""
    v = records.visits
    v = v[v["outcome"].isin(["served", "reneged", "sent_home"]) & (v["ticket"] < records.horizon)]
    matter = records.cases["matter"].astype(str).to_numpy()[v["case"].to_numpy()]
    level = pd.Series(matter).map(priorities or {}).fillna(0).astype(int).to_numpy()
    served = (v["outcome"] == "served").to_numpy()
    ticket = v["ticket"].to_numpy()
    wait = np.where(served, v["call"].to_numpy() - ticket, v["end"].to_numpy() - ticket)
    day = (ticket // 1440).astype(int)
    return pd.DataFrame(
        {
            "day": day,
            "weekday": (start_weekday + day) % 7,
            "hour": ((ticket % 1440) // 60).astype(int),
            "ticket": ticket,
            "wait": wait,
            "served": served,
            "gave_up": ~served,
            "level": level,
        }
    )


def hourly(t: pd.DataFrame, days: int, target: float) -> pd.DataFrame:
    """Per clock hour: the four measures (NaN where an hour has no ticket)."""
    g = t.groupby("hour")
    served = t[t["served"]].groupby("hour")["wait"]
    out = pd.DataFrame(index=pd.RangeIndex(24, name="hour"))
    out["tickets_per_day"] = g.size().reindex(out.index, fill_value=0) / days
    out["wait_served_min"] = served.mean()
    out["gave_up_share"] = g["gave_up"].mean()
    out["service_level"] = (t["served"] & (t["wait"] <= target)).groupby(t["hour"]).mean()
    return out


def by_level(t: pd.DataFrame, hours: tuple[int, int]) -> pd.DataFrame:
    """Mean wait of those served and share who gave up per priority level, busy hours."""
    busy = t[(t["hour"] >= hours[0]) & (t["hour"] < hours[1])]
    return pd.DataFrame(
        {
            "wait_served_min": busy[busy["served"]].groupby("level")["wait"].mean(),
            "gave_up_share": busy.groupby("level")["gave_up"].mean(),
        }
    )


def _overall(t: pd.DataFrame, days: int, hours: tuple[int, int], target: float) -> dict:
    busy = t[(t["hour"] >= hours[0]) & (t["hour"] < hours[1])]
    return {
        "tickets_per_day": len(t) / days,
        "wait_served_min": float(busy.loc[busy["served"], "wait"].mean()),
        "gave_up_share": float(busy["gave_up"].mean()),
        "service_level": float((busy["served"] & (busy["wait"] <= target)).mean()),
    }


@dataclass
class FitCheck:
    log_hourly: pd.DataFrame  # hour x measure
    log_lo: pd.DataFrame  # bootstrap 95 % interval over days
    log_hi: pd.DataFrame
    sim_hourly: pd.DataFrame  # mean over replications
    sim_lo: pd.DataFrame  # 95 % t-interval over replications
    sim_hi: pd.DataFrame
    log_overall: dict
    sim_overall: dict
    sim_overall_ci: dict
    busy_hours: tuple[int, int]
    emd_wait_min: float  # Wasserstein distance of served waits, busy hours
    log_wait_sample: np.ndarray  # quantiles of waits of those served, busy hours
    sim_wait_sample: np.ndarray
    log_rel_se: pd.DataFrame  # bootstrap standard error / value, per hour
    reps: int
    log_by_level: pd.DataFrame | None = None  # priority level x (wait, gave up), busy hours
    sim_by_level: pd.DataFrame | None = None

    def errors(self) -> pd.DataFrame:
        """Relative error sim / log - 1, busy hours."""
        h = list(range(*self.busy_hours))
        return (self.sim_hourly.loc[h] / self.log_hourly.loc[h] - 1).astype(float)

    def summary(self) -> dict[str, float]:
        e = self.errors()
        out = {
            f"{k}_rel_error": self.sim_overall[k] / self.log_overall[k] - 1
            for k in self.log_overall
        }
        for k in ("wait_served_min", "gave_up_share"):
            err = e[k].abs()
            out[f"{k}_hours_within_25pct"] = float((err <= 0.25).mean())
            out[f"{k}_hours_within_40pct"] = float((err <= 0.40).mean())
            out[f"{k}_mean_abs_hourly_error"] = float(err.mean())
            out[f"{k}_log_rel_se_median"] = float(
                self.log_rel_se.loc[list(range(*self.busy_hours)), k].median()
            )
        out["emd_wait_min"] = self.emd_wait_min
        return out

    def table(self) -> pd.DataFrame:
        """Busy hours side by side: log, simulation, relative error, per measure."""
        h = list(range(*self.busy_hours))
        cols = {}
        for k in MEASURES:
            cols[(k, "log")] = self.log_hourly.loc[h, k]
            cols[(k, "sim")] = self.sim_hourly.loc[h, k]
            cols[(k, "error")] = self.sim_hourly.loc[h, k] / self.log_hourly.loc[h, k] - 1
        return pd.DataFrame(cols)


def run_profile(
    scenario: Any,
    seed: int,
    *,
    target: float = 1.0,
    busy_hours: tuple[int, int] = (10, 22),
    levels: dict[str, int] | None = None,
) -> dict[str, float]:
    """One run of ``scenario`` as flat numbers (a run function for the run core): the four
    measures per clock hour (``"<measure>[hour=HH]"``), over the busy hours (``"<measure>"``),
    per priority level (``"<measure>[level=L]"``) and quantiles of the waits of those served
    in busy hours (``"wait_q[i]"``). ``levels``: each matter's level in the log (default:
    its priority; a hall fitted as one FIFO queue keeps its levels here)."""
    start = scenario.calendar.start_date
    start_wd = start.weekday() if start is not None else 0
    rec = simulate(scenario, seed, detail="kpi")
    st = sim_tickets(rec, start_wd, levels or {m.id: m.priority for m in scenario.matters})
    days = scenario.horizon.days
    row: dict[str, float] = {}
    h = hourly(st, days, target)
    for k in MEASURES:
        for hour, v in h[k].items():
            row[f"{k}[hour={hour:02d}]"] = float(v)
    row.update(_overall(st, days, busy_hours, target))
    lv = by_level(st, busy_hours)
    for k in lv.columns:
        for level, v in lv[k].items():
            row[f"{k}[level={level}]"] = float(v)
    busy = st[(st["hour"] >= busy_hours[0]) & (st["hour"] < busy_hours[1]) & st["served"]]
    if len(busy):
        for i, q in enumerate(np.quantile(busy["wait"], QUANTILES)):
            row[f"wait_q[{i}]"] = float(q)
    return row


QUANTILES = (np.arange(200) + 0.5) / 200


def simulate_rows(
    run: Any,
    scenario: Any,
    seed: int,
    reps: int,
    executor: Any = None,
    on_progress: Progress | None = None,
) -> pd.DataFrame:
    """``reps`` replications of ``run(scenario, seed_r)`` through the run core (any
    executor), as a table in replication order; a failed run is an error, not a gap."""
    jobs = [Job(scenario, replication_seed(seed, i), {"replication": i}) for i in range(reps)]
    done = evaluate(jobs, executor, on_progress=on_progress, run=run)
    rows = sorted(done, key=lambda r: r["replication"])
    failed = [r for r in rows if r.get("error")]
    if failed:
        raise RuntimeError(f"a simulation of the calibrated hall failed: {failed[0]['error']}")
    drop = ("replication", "seed", "seconds", "error")
    return pd.DataFrame([{k: v for k, v in r.items() if k not in drop} for r in rows])


def check_fit(
    scenario: Any,
    log: pd.DataFrame,
    reps: int = 10,
    seed: int = 1,
    target: float = 1.0,
    busy_hours: tuple[int, int] = (10, 22),
    boot: int = 200,
    executor: Any = None,
    levels: dict[str, int] | None = None,
    on_progress: Progress | None = None,
) -> FitCheck:
    """Simulate ``scenario`` ``reps`` times and compare with the tickets ``log``
    (``levels``: the matters' priority levels in the log, see :func:`run_profile`)."""
    days = int(log.attrs["days"])
    rng = np.random.default_rng(seed)
    log_h = hourly(log, days, target)
    by_day = [log[log["day"] == d] for d in range(days)]
    boots = []
    for _ in range(boot):  # whole days resampled: days, not tickets, are independent
        pick = rng.integers(0, days, days)
        boots.append(hourly(pd.concat([by_day[d] for d in pick]), days, target).to_numpy())
    b = np.stack(boots)

    def frame(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=log_h.index, columns=log_h.columns)

    with warnings.catch_warnings():  # hours without tickets in a resample stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = frame(np.nanpercentile(b, 2.5, axis=0)), frame(np.nanpercentile(b, 97.5, axis=0))
        se = frame(np.nanstd(b, axis=0)) / log_h
    run = functools.partial(run_profile, target=target, busy_hours=busy_hours, levels=levels)
    rows = simulate_rows(run, scenario, seed, reps, executor, on_progress)
    tq = stats.t.ppf(0.975, max(reps - 1, 1))

    def hourly_of(stat: pd.Series) -> pd.DataFrame:
        out = pd.DataFrame(index=log_h.index, columns=log_h.columns, dtype=float)
        for k in MEASURES:
            out[k] = [stat.get(f"{k}[hour={hour:02d}]", np.nan) for hour in log_h.index]
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, half = rows.mean(), tq * rows.std(ddof=1) / np.sqrt(reps)
    sim_h = hourly_of(mean)
    sim_half = hourly_of(half)
    sim_overall = {k: float(mean[k]) for k in MEASURES}
    ci = {k: float(half[k]) for k in MEASURES}
    seen = sorted(
        {int(c.split("=")[1][:-1]) for c in rows.columns if c.startswith("gave_up_share[level")}
    )
    sim_levels = pd.DataFrame(
        {
            k: [mean.get(f"{k}[level={lv}]", np.nan) for lv in seen]
            for k in ("wait_served_min", "gave_up_share")
        },
        index=seen,
    )
    busy_log = log[(log["hour"] >= busy_hours[0]) & (log["hour"] < busy_hours[1]) & log["served"]]
    log_w = busy_log["wait"].dropna().to_numpy()
    qcols = [f"wait_q[{i}]" for i in range(len(QUANTILES))]
    sim_q = mean[qcols].to_numpy(dtype=float) if set(qcols) <= set(rows.columns) else np.zeros(1)
    log_q = np.quantile(log_w, QUANTILES) if len(log_w) else np.zeros(1)
    return FitCheck(
        log_hourly=log_h,
        log_lo=lo,
        log_hi=hi,
        sim_hourly=sim_h,
        sim_lo=sim_h - sim_half,
        sim_hi=sim_h + sim_half,
        log_overall=_overall(log, days, busy_hours, target),
        sim_overall=sim_overall,
        sim_overall_ci=ci,
        busy_hours=busy_hours,
        # Earth mover's distance of the wait distributions: the mean gap between their
        # quantile functions (the simulation's averaged over replications).
        emd_wait_min=float(np.mean(np.abs(log_q - sim_q))),
        log_wait_sample=log_q,
        sim_wait_sample=sim_q,
        log_rel_se=se,
        reps=reps,
        log_by_level=by_level(log, busy_hours) if "level" in log else None,
        sim_by_level=sim_levels,
    )

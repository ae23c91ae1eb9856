"""How far is a simulated event log from the real one: the log-distance measures of
Chapela-Campa, Benchekroun, Baron, Dumas, Grigori & La Rosa (2023), *Can I trust my
simulation model? Measuring the quality of business process simulation models*, beside a
noise floor and the measures a planner reads.

Written here to the paper's definitions (and to those of its package
``log-distance-measures`` 2.2, whose pins, pandas < 3, conflict with this project's
pandas 3). Both logs are tables with ``case``, ``activity``, ``end`` (completion) and,
for the planner measures, ``received`` and ``deadline``. Completion-only logs: every
timestamp measure uses completion times (the package's ``END`` setting).

- control-flow log distance (CFLD): traces as activity strings; the cost of a pair is the
  Damerau-Levenshtein distance / the longer length; the mean cost of the optimal one-to-one
  matching of traces (``linear_sum_assignment``); in [0, 1];
- n-gram distance (n = 3, traces padded with 2 start and 2 end markers): the sum of
  absolute differences of n-gram counts / the sum of both counts; in [0, 1];
- absolute event distribution: 1-D Wasserstein distance between the completion times in
  whole hours since the first event of either log;
- relative event distribution: the same, in hours since the first event of the case;
- circadian event distribution: per weekday, the Wasserstein distance between the clock
  hours of the completions; the mean over weekdays (23 where only one log has events that
  day, 0 where neither does);
- case arrival distribution: Wasserstein distance between the cases' first events in
  hours since the first of either log;
- cycle time distribution: Wasserstein distance between the cases' first-to-last event
  durations in hours.

The noise floor is the same measures between two halves of the real log (by case: split
at the median receipt, and at random): a simulated log cannot be expected to come closer
to the real log than the real log's halves come to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import wasserstein_distance

from simlib.calibrate.fitting import kaplan_meier, km_quantile

__all__ = [
    "MEASURES",
    "damerau_levenshtein",
    "log_distances",
    "noise_floor",
    "planner_measures",
]

MEASURES = {
    "cfld": "control-flow log distance",
    "ngram": "3-gram distance",
    "absolute": "absolute event distribution (h)",
    "relative": "relative event distribution (h)",
    "circadian": "circadian event distribution (h)",
    "arrival": "case arrival distribution (h)",
    "cycle_time": "cycle time distribution (h)",
}


def damerau_levenshtein(a: tuple, b: tuple) -> int:
    """Edit distance with insertions, deletions, substitutions and transpositions of
    adjacent symbols (the unrestricted Damerau-Levenshtein distance, as in jellyfish)."""
    la, lb = len(a), len(b)
    alphabet: dict = {}
    big = la + lb
    # Plain lists: element access on a numpy array costs several times more here.
    d = [[big] * (lb + 2)] + [[big, i] + [0] * lb for i in range(la + 1)]
    d[1][1:] = list(range(lb + 1))
    for i in range(1, la + 1):
        db = 0
        for j in range(1, lb + 1):
            i1 = alphabet.get(b[j - 1], 0)
            j1 = db
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if cost == 0:
                db = j
            d[i + 1][j + 1] = min(
                d[i][j] + cost,
                d[i + 1][j] + 1,
                d[i][j + 1] + 1,
                d[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1),
            )
        alphabet[a[i - 1]] = i
    return int(d[la + 1][lb + 1])


def _traces(log: pd.DataFrame) -> list[tuple]:
    s = log.sort_values(["case", "end"], kind="stable")
    return [tuple(g) for _, g in s.groupby("case", sort=False)["activity"]]


def cfld(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    a, b = _traces(real), _traces(sim)
    if not a or not b:
        return float("nan")
    # Distances between distinct variants only, then spread to the traces (same matrix).
    ua, ub = list(dict.fromkeys(a)), list(dict.fromkeys(b))
    pos_a, pos_b = {t: i for i, t in enumerate(ua)}, {t: j for j, t in enumerate(ub)}
    small = np.array(
        [[damerau_levenshtein(ta, tb) / max(len(ta), len(tb), 1) for tb in ub] for ta in ua]
    )
    cost = small[np.ix_([pos_a[t] for t in a], [pos_b[t] for t in b])]
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def _ngrams(log: pd.DataFrame, n: int) -> dict[tuple, int]:
    out: dict[tuple, int] = {}
    for t in _traces(log):
        seq = (None,) * (n - 1) + t + (None,) * (n - 1)
        for i in range(len(seq) - n + 1):
            key = seq[i : i + n]
            out[key] = out.get(key, 0) + 1
    return out


def ngram(real: pd.DataFrame, sim: pd.DataFrame, n: int = 3) -> float:
    a, b = _ngrams(real, n), _ngrams(sim, n)
    keys = set(a) | set(b)
    diff = sum(abs(a.get(k, 0) - b.get(k, 0)) for k in keys)
    total = sum(a.values()) + sum(b.values())
    return diff / total if total else float("nan")


def _hours(x: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return np.floor((x - origin).dt.total_seconds().to_numpy() / 3600)


def _w(a: np.ndarray, b: np.ndarray) -> float:
    return float(wasserstein_distance(a, b)) if len(a) and len(b) else float("nan")


def circadian(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    out = []
    for day in range(7):
        a = real.loc[real["end"].dt.day_of_week == day, "end"].dt.hour.to_numpy()
        b = sim.loc[sim["end"].dt.day_of_week == day, "end"].dt.hour.to_numpy()
        if len(a) and len(b):
            out.append(_w(a, b))
        elif len(a) or len(b):
            out.append(23.0)
        else:
            out.append(0.0)
    return float(np.mean(out))


def log_distances(real: pd.DataFrame, sim: pd.DataFrame) -> dict[str, float]:
    """Every measure of :data:`MEASURES` between ``real`` and ``sim``."""
    origin = min(real["end"].min(), sim["end"].min()).floor("h")
    first_r = real.groupby("case")["end"].transform("min")
    first_s = sim.groupby("case")["end"].transform("min")
    gr, gs = real.groupby("case")["end"], sim.groupby("case")["end"]
    return {
        "cfld": cfld(real, sim),
        "ngram": ngram(real, sim),
        "absolute": _w(_hours(real["end"], origin), _hours(sim["end"], origin)),
        "relative": _w(
            np.floor((real["end"] - first_r).dt.total_seconds().to_numpy() / 3600),
            np.floor((sim["end"] - first_s).dt.total_seconds().to_numpy() / 3600),
        ),
        "circadian": circadian(real, sim),
        "arrival": _w(_hours(gr.min(), origin), _hours(gs.min(), origin)),
        "cycle_time": _w(
            np.floor((gr.max() - gr.min()).dt.total_seconds().to_numpy() / 3600),
            np.floor((gs.max() - gs.min()).dt.total_seconds().to_numpy() / 3600),
        ),
    }


def halves(log: pd.DataFrame, how: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two halves of a log by case: ``time`` (before / after the median receipt or first
    event) or ``random``."""
    key = "received" if "received" in log and log["received"].notna().all() else "end"
    first = log.groupby("case")[key].min().sort_values(kind="stable")
    if how == "time":
        cases = first.index[: len(first) // 2]
    else:
        rng = np.random.default_rng(seed)
        cases = rng.permutation(first.index.to_numpy())[: len(first) // 2]
    mask = log["case"].isin(set(cases))
    return log[mask], log[~mask]


def noise_floor(real: pd.DataFrame, seed: int = 0) -> dict[str, dict[str, float]]:
    """The measures between two halves of the real log, split by time and at random."""
    return {how: log_distances(*halves(real, how, seed)) for how in ("time", "random")}


@dataclass
class Estimate:
    value: float
    lo: float
    hi: float


def _boot(per_case: pd.DataFrame, stat: Any, reps: int, seed: int) -> Estimate:
    """A statistic of the cases (one row each, :func:`_per_case`) and its 95 % bootstrap
    interval (cases resampled)."""
    value = stat(per_case)
    rng = np.random.default_rng(seed)
    n = len(per_case)
    draws = [stat(per_case.iloc[rng.integers(0, n, n)]) for _ in range(reps)]
    lo, hi = np.nanpercentile(draws, [2.5, 97.5]) if draws else (np.nan, np.nan)
    return Estimate(float(value), float(lo), float(hi))


def _per_case(log: pd.DataFrame) -> pd.DataFrame:
    g = log.groupby("case")
    out = pd.DataFrame(
        {
            "received": g["received"].first(),
            "first": g["end"].min(),
            "last": g["end"].max(),
            "events": g.size(),
            "deadline": g["deadline"].first() if "deadline" in log else pd.NaT,
            "acts": g["activity"].agg(lambda s: frozenset(s)),
        }
    )
    out["lead"] = (out["last"] - out["received"]).dt.total_seconds() / 86400
    # Cases still open when the log ends (no closing date): their lead time is censored at
    # the log's end, not the (short) time to their last event so far.
    if "closed" in log and log["closed"].notna().any():
        out["open"] = g["closed"].first().isna()
        end = log.attrs.get("log_end", log["end"].max())
        censored = (end - out["received"]).dt.total_seconds() / 86400
        out["lead"] = np.where(out["open"], np.maximum(censored, out["lead"]), out["lead"])
    else:
        out["open"] = False
    out["first_wait"] = (out["first"] - out["received"]).dt.total_seconds() / 86400
    return out


def _lead_quantile(p: pd.DataFrame, q: float) -> float:
    """A quantile of the lead time; Kaplan-Meier where some cases are still open."""
    if not p["open"].any():
        return float(p["lead"].quantile(q))
    times, surv = kaplan_meier(p["lead"].to_numpy(), ~p["open"].to_numpy())
    return km_quantile(times, surv, q)


def planner_measures(
    log: pd.DataFrame, activities: list[str], reps: int = 200, seed: int = 0
) -> dict[str, Estimate]:
    """Lead time received -> last event (median, p90, days; cases still open at the log's
    end enter censored, by Kaplan-Meier), wait before the first task
    (median, days), events per case, share within the deadline, share of cases taking
    each of ``activities``; each with a 95 % bootstrap interval over cases."""
    # The cases' figures once (the bootstrap resamples rows of this table): an activity
    # taken is a column of its own.
    p = _per_case(log)
    for a in activities:
        p[f"has:{a}"] = p["acts"].map(lambda s, a=a: a in s).astype(float)
    out = {
        "lead_time_median_days": _boot(p, lambda p: _lead_quantile(p, 0.5), reps, seed),
        "lead_time_p90_days": _boot(p, lambda p: _lead_quantile(p, 0.9), reps, seed),
        "first_task_wait_median_days": _boot(p, lambda p: p["first_wait"].median(), reps, seed),
        "events_per_case": _boot(p, lambda p: p["events"].mean(), reps, seed),
    }
    if "deadline" in log and log["deadline"].notna().any():
        out["within_deadline_share"] = _boot(
            p,
            lambda p: float((p["last"] <= p["deadline"])[p["deadline"].notna()].mean()),
            reps,
            seed,
        )
    for a in activities:
        out[f"share:{a}"] = _boot(p, lambda p, a=a: float(p[f"has:{a}"].mean()), reps, seed)
    return out

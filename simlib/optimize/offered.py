"""Where the search starts: offered load by clock hour and Erlang C staffing on it.

The hall load a pool sees in hour h is the *modified offered load* (the infinite-server
load): m(t) = integral of lambda(t - u) P(S > u) du, the number of applicants that would be
in service at t if nobody waited. It lags the arrival rate by about a service time, which
is what hour-by-hour stationary Erlang C (SIPP) misses after a peak. Staffing each hour by
Erlang C on m(h) is the classical start (Jennings, Mandelbaum, Massey and Whitt 1996);
the simulation then corrects what the formula cannot see (returns, lunch breaks, closing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simlib import theory
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY, HallCalendar, rate_segments

__all__ = [
    "HourlyLoad",
    "erlang_kpi",
    "hall_kpi",
    "hourly_load",
    "open_hours",
    "staff_for",
]

THEORY_KPIS = ("hall_wait_mean_min", "hall_wait_p90_min", "hall_service_level")
_SURVIVAL_POINTS = 2000


@dataclass(frozen=True)
class HourlyLoad:
    """A hall pool's walk-in load on a usual workday, by open clock hour."""

    pool: str
    hours: list[int]  # open clock hours
    arrivals: np.ndarray  # tickets per minute, mean over the hour's open minutes
    offered: np.ndarray  # modified offered load (officers' worth of work), mean over the hour
    mean_service: float  # minutes
    scv: float = 1.0  # squared coefficient of variation of service times

    @property
    def mu(self) -> float:
        return 1.0 / self.mean_service

    @property
    def wait_scale(self) -> float:
        """Waits of M/G/c relative to M/M/c: (1 + scv) / 2 (Allen-Cunneen / Kingman)."""
        return (1.0 + self.scv) / 2.0


def open_hours(scenario: Scenario) -> list[int]:
    """Clock hours in which the hall is open on a usual day."""
    cal = HallCalendar(scenario.calendar, 7, scenario.hall.ticket_cutoff)
    return sorted({h for s, e in cal.hours for h in range(s // 60, math.ceil(e / 60))})


def _survival(times: list[tuple[float, object]], horizon: int) -> np.ndarray:
    """P(S > u) for u = 0, 1, ... minutes of a mixture of service-time distributions."""
    u = (np.arange(_SURVIVAL_POINTS) + 0.5) / _SURVIVAL_POINTS
    grid = np.arange(horizon)
    out = np.zeros(horizon)
    total = sum(w for w, _ in times)
    for weight, dist in times:
        values = np.sort([dist.quantile(x) for x in u])  # type: ignore[attr-defined]
        out += weight / total * (1 - np.searchsorted(values, grid, side="right") / len(values))
    return out


def hourly_load(scenario: Scenario, pool: str) -> HourlyLoad:
    """Walk-in load on ``pool``'s windows by clock hour, averaged over the workdays of two
    weeks: submissions and returns (1 / complete_prob visits each) and in-person collection."""
    days = 14
    cal = HallCalendar(scenario.calendar, days, scenario.hall.ticket_cutoff)
    workdays = max(1, len(cal.workdays()))
    rate = np.zeros(int(DAY))  # tickets per minute by minute of day, mean over workdays
    times: list[tuple[float, object]] = []
    for m in scenario.matters:
        if m.acceptance.pool != pool:
            continue
        visits = (1 - m.online_share) / m.complete_prob
        collect = 1.0 if m.collection == "in_person" else 0.0
        per_case = visits + collect
        if per_case <= 0:
            continue
        timeline = np.zeros(days * int(DAY))
        for start, end, r in rate_segments(m.arrivals, cal, scenario.demand_factor):
            timeline[round(start) : round(end)] += r
        day_rate = timeline.reshape(days, int(DAY)).sum(axis=0) / workdays
        rate += day_rate * per_case
        n = day_rate.sum()
        if visits:
            times.append((n * visits, m.acceptance.time))
        if collect:
            times.append((n * collect, m.collection_time))
    hours = open_hours(scenario)
    if not times:
        zeros = np.zeros(len(hours))
        return HourlyLoad(pool, hours, zeros, zeros, 1.0)
    total = sum(w for w, _ in times)
    mean_service = sum(w * d.expected() for w, d in times) / total  # type: ignore[attr-defined]
    second = sum(w * (d.variance() + d.expected() ** 2) for w, d in times) / total  # type: ignore[attr-defined]
    scv = second / mean_service**2 - 1
    survival = _survival(times, int(DAY))
    # m(t) = sum_u rate(t - u) P(S > u): a convolution over one day (nights are empty).
    offered = np.convolve(rate, survival)[: int(DAY)]
    arrivals, loads = [], []
    for h in hours:
        sl = slice(h * 60, (h + 1) * 60)
        arrivals.append(rate[sl].mean())
        loads.append(offered[sl].mean())
    return HourlyLoad(pool, hours, np.array(arrivals), np.array(loads), mean_service, scv)


Queue = tuple[float, float, int, float]  # lam, mu, officers, wait scale ((1 + scv) / 2)


def _wait_tail(lam: float, mu: float, c: int, t: float, scale: float = 1.0) -> float:
    """P(W > t) in M/M/c, waits stretched by ``scale`` for M/G/c (1 when unstable)."""
    if c < 1 or lam >= c * mu:
        return 1.0
    if lam <= 0:
        return 0.0
    return theory.erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t / scale)


def erlang_kpi(kpi: str, lam: float, mu: float, c: int, target: float, scale: float = 1.0) -> float:
    """A hall KPI of one stationary M/M/c (per minute rates); inf/0 when unstable."""
    return hall_kpi(kpi, [(lam, mu, c, scale)], target)


def hall_kpi(kpi: str, queues: list[Queue], target: float) -> float:
    """A hall KPI over several M/G/c queues (lam, mu, c, scale), tickets weighted by rate.
    M/M/c exactly when every scale is 1; otherwise waits are the M/M/c waits times
    (1 + scv) / 2, the usual two-moment approximation."""
    total = sum(q[0] for q in queues)
    if total <= 0:
        return math.nan
    unstable = any(lam >= c * mu and lam > 0 for lam, mu, c, _ in queues)

    def tail(t: float) -> float:
        return sum(lam / total * _wait_tail(lam, mu, c, t, f) for lam, mu, c, f in queues)

    if kpi == "hall_wait_mean_min":
        if unstable:
            return math.inf
        return sum(
            lam / total * f * theory.mmc_mean_wait(lam, mu, c)
            for lam, mu, c, f in queues
            if lam > 0
        )
    if kpi == "hall_service_level":
        return 0.0 if unstable else 1 - tail(target)
    if kpi == "hall_wait_p90_min":
        if unstable:
            return math.inf
        if tail(0.0) <= 0.1:
            return 0.0
        lo, hi = 0.0, 1.0
        while tail(hi) > 0.1:
            hi *= 2
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if tail(mid) > 0.1 else (lo, mid)
        return hi
    raise ValueError(f"no closed form for {kpi}")


def meets(value: float, bound: float, sense: str) -> bool:
    return value <= bound + 1e-12 if sense == "max" else value >= bound - 1e-12


def staff_for(
    kpi: str,
    sense: str,
    bound: float,
    lam: float,
    mu: float,
    target: float,
    low: int,
    high: int,
    scale: float = 1.0,
) -> int:
    """The fewest officers in [low, high] whose stationary M/M/c KPI meets the bound
    (``high`` if none does)."""
    if lam <= 0:
        return low
    c = max(low, math.floor(lam / mu) + 1)
    while c < high and not meets(erlang_kpi(kpi, lam, mu, c, target, scale), bound, sense):
        c += 1
    return min(max(c, low), high)


def allocate(
    kpi: str,
    sense: str,
    bound: float,
    free: list[tuple[float, float, float, int, int]],
    fixed: list[Queue],
    target: float,
) -> list[int]:
    """Officers for the ``free`` pools (lam, mu, scale, low, high) so that the hall KPI over
    them and the ``fixed`` queues meets the bound, fewest in total: from the least stable
    staffing, one officer at a time to the pool where it helps the hall KPI most (marginal
    analysis). A hall-wide target lets a big pool wait a little longer while small pools
    barely wait, as the hall-wide KPI itself does."""
    if not free:
        return []
    counts = [min(max(low, math.floor(lam / mu) + 1), high) for lam, mu, _, low, high in free]

    def value(cs: list[int]) -> float:
        queues = [(lam, mu, c, f) for (lam, mu, f, _, _), c in zip(free, cs, strict=True)]
        return hall_kpi(kpi, queues + fixed, target)

    current = value(counts)
    better = (lambda a, b: a < b) if sense == "max" else (lambda a, b: a > b)
    while not meets(current, bound, sense) if math.isfinite(current) else True:
        best_i, best_v = -1, current
        for i, (_, _, _, _, high) in enumerate(free):
            if counts[i] >= high:
                continue
            trial = counts.copy()
            trial[i] += 1
            v = value(trial)
            if best_i < 0 or better(v, best_v) or (not math.isfinite(best_v) and math.isfinite(v)):
                best_i, best_v = i, v
        if best_i < 0:
            break
        counts[best_i] += 1
        current = best_v
    return counts

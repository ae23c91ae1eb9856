"""The staffing search: theory start, ISA-style refinement, integer descent, a guarantee.

1. Start: Erlang C on the modified offered load, hour by hour (:mod:`.offered`).
2. By-hour decisions: ISA-style iterations (Feldman, Mandelbaum, Massey and Whitt 2008).
   Simulate the current staffing; in each hour, find the load at which Erlang C reproduces
   the simulated KPI (what the formula misses: lags, returns, closing); staff that hour by
   Erlang C on that load; repeat until the staffing repeats.
3. Level decisions: integer descent with common random numbers (each neighbour one officer
   away, on the same seeds), upward while infeasible, downward while feasible.
4. By-hour needs become shifts by an integer program (:mod:`.shifts`).
5. The guarantee: sequential replications until every requirement of the chosen staffing
   is shown met with the stated confidence; each one-step-cheaper staffing is then shown
   infeasible with the same confidence, or reported as undecided.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib.duty import on_duty
from simlib.experiment.core import Progress
from simlib.optimize import offered as th
from simlib.optimize.by_hour import isa, trim
from simlib.optimize.candidate import Candidate, apply, realise
from simlib.optimize.cheaper import cheaper, cheaper_seen, settled, step_up
from simlib.optimize.evaluate import Evaluator, Judgement
from simlib.optimize.levels import descend
from simlib.optimize.spec import Optimization, Requirement
from simlib.optimize.walk import TODAY, Walk
from simlib.scenario.model import Scenario

__all__ = ["TODAY", "OptimizeResult", "optimize", "theory_start"]

_GUARANTEE_ROUNDS = 40  # moves to a cheaper proven staffing (each strictly cheaper)


@dataclass
class OptimizeResult:
    opt: Optimization
    hours: list[int]
    best: Candidate | None
    judgement: Judgement | None
    feasible: bool | None
    evaluator: Evaluator
    trace: list[dict[str, Any]] = field(default_factory=list)
    cheaper: list[dict[str, Any]] = field(default_factory=list)  # one step cheaper: verdicts
    start: Candidate | None = None
    today: Candidate = TODAY  # the scenario's own staffing, run on the same seeds
    today_judgement: Judgement | None = None

    @property
    def best_scenario(self) -> Scenario | None:
        return apply(self.opt.base, self.best) if self.best is not None else None


def _theory_reqs(opt: Optimization) -> list[Requirement]:
    return [r for r in opt.requirements if r.kpi in th.THEORY_KPIS and r.matter is None]


def theory_start(opt: Optimization) -> tuple[Candidate, dict[str, th.HourlyLoad]]:
    """Erlang C staffing on the modified offered load (square-root staffing where no
    requirement has a closed form)."""
    base, hours = opt.base, th.open_hours(opt.base)
    target = base.hall.wait_target_min
    reqs = _theory_reqs(opt)
    pools = [d.pool for d in opt.levels] + [d.pool for d in opt.by_hour]
    loads = {p: th.hourly_load(base, p) for p in pools}

    def per_hour(load: th.HourlyLoad, low: int, high: int) -> list[int]:
        out = []
        for a in load.offered:
            lam = a * load.mu
            if reqs:
                c = max(
                    th.staff_for(
                        r.kpi, r.sense, r.bound, lam, load.mu, target, low, high, load.wait_scale
                    )
                    for r in reqs
                )
            else:
                c = th.theory.square_root_staffing(lam, load.mu) if a > 0 else low
            out.append(min(max(c, low), high))
        return out

    levels = []
    for d in opt.levels:
        load = loads[d.pool]
        if load.offered.sum() > 0:
            pooled = [r for r in reqs if not r.every_hour]
            every = per_hour(load, d.low, d.high) if any(r.every_hour for r in reqs) else []
            c = max(every, default=d.low)
            for r in pooled:
                c = max(c, _level_for(r, load, target, d.low, d.high))
            if not reqs:
                c = max(per_hour(load, d.low, d.high))
        else:
            c = base.pools[d.pool].count
        levels.append((d.pool, min(max(c, d.low), d.high)))
    needs = _joint_needs(opt, loads, {})
    if not reqs:
        needs = {d.pool: tuple(per_hour(loads[d.pool], d.low, d.high)) for d in opt.by_hour}
    hourly = tuple((d.pool, needs[d.pool]) for d in opt.by_hour)
    shifts = realise(base, opt.by_hour, hours, needs, covered=False)
    return Candidate(tuple(levels), hourly, shifts, _template_start(opt)), loads


def _template_start(opt: Optimization) -> tuple[tuple[str, int], ...]:
    """Each decided template starts where the scenario has it (one number in range), else
    at the most places: the descent takes places away while a requirement is missed."""
    out = []
    for d in opt.templates:
        rule = next(m.appointments for m in opt.base.matters if m.id == d.matter)
        today = rule.template if rule is not None else None
        n = today if isinstance(today, int) and d.low <= today <= d.high else d.high
        out.append((d.matter, n))
    return tuple(out)


def _joint_needs(
    opt: Optimization,
    loads: dict[str, th.HourlyLoad],
    factor: dict[int, float],
) -> dict[str, tuple[int, ...]]:
    """Officers per hour for the by-hour pools, allocated jointly per hour on loads scaled
    by ``factor[hour]`` (or 1); other hall pools count with their officers on duty today."""
    base, hours = opt.base, th.open_hours(opt.base)
    target = base.hall.wait_target_min
    reqs = _theory_reqs(opt)
    decided = {d.pool for d in opt.by_hour}
    others = sorted({m.acceptance.pool for m in base.matters} - decided)
    for p in others:
        loads.setdefault(p, th.hourly_load(base, p))
    today = {p: on_duty(base, p, hours) for p in others}
    out: dict[str, list[int]] = {d.pool: [] for d in opt.by_hour}
    for i, h in enumerate(hours):
        k = factor.get(h, 1.0)
        free = [
            (
                k * loads[d.pool].offered[i] * loads[d.pool].mu,
                loads[d.pool].mu,
                loads[d.pool].wait_scale,
                d.low,
                d.high,
            )
            for d in opt.by_hour
        ]
        fixed = [
            (
                k * loads[p].offered[i] * loads[p].mu,
                loads[p].mu,
                today[p][i],
                loads[p].wait_scale,
            )
            for p in others
        ]
        best = [d.low for d in opt.by_hour]
        for r in reqs:
            got = th.allocate(r.kpi, r.sense, r.bound, free, fixed, target)
            best = [max(a, b) for a, b in zip(best, got, strict=True)]
        for d, n in zip(opt.by_hour, best, strict=True):
            out[d.pool].append(n)
    return {p: tuple(v) for p, v in out.items()}


def _level_for(r: Requirement, load: th.HourlyLoad, target: float, low: int, high: int) -> int:
    """The fewest officers all day whose day-pooled Erlang C KPI meets ``r``."""
    for c in range(max(low, 1), high + 1):
        queues = [(a * load.mu, load.mu, c, load.wait_scale) for a in load.offered]
        weights = load.arrivals / load.arrivals.sum() if load.arrivals.sum() else None
        values = [th.hall_kpi(r.kpi, [q], target) for q in queues]
        if weights is None or any(math.isinf(v) for v in values):
            continue
        if r.kpi == "hall_wait_p90_min":
            value = (
                th.hall_kpi(r.kpi, queues, target)
                if len(queues) == 1
                else _pooled_p90(queues, weights, target)
            )
        else:
            value = float(np.nansum(weights * np.array(values)))
        if th.meets(value, r.bound, r.sense):
            return c
    return high


def _pooled_p90(queues: list[th.Queue], weights: np.ndarray, target: float) -> float:
    """90th percentile of the day's waits: a mixture over hours weighted by arrivals."""
    # hall_kpi weighs by lam, which is the hour's *offered* load x mu; reweight by arrivals.
    scaled = [(w, q) for w, q in zip(weights, queues, strict=True) if w > 0]

    def tail(t: float) -> float:
        return sum(w * th._wait_tail(lam, mu, c, t, f) for w, (lam, mu, c, f) in scaled)

    lo, hi = 0.0, 1.0
    if tail(0.0) <= 0.1:
        return 0.0
    while tail(hi) > 0.1 and hi < 1e6:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tail(mid) > 0.1 else (lo, mid)
    return hi


def confirm(
    search: Walk, best: Candidate, verdicts: list[dict[str, Any]]
) -> tuple[Candidate, Judgement, list[dict[str, Any]]]:
    """The chosen staffing judged again on runs of the whole model, on the same seeds (its
    hall-only runs replayed the collections of today's staffing); one officer more while it
    is not shown feasible there. The one-step-cheaper staffings shown infeasible are judged
    again there too (a miss is usually shown in a few runs); one shown feasible is adopted."""
    ev = search.ev
    judgement = ev.judge(best)
    for _ in range(_GUARANTEE_ROUNDS):
        ev.check_on_whole_model(best)
        judgement = ev.sequential(best)
        if judgement.feasible is True:
            break
        bigger = step_up(search, best, judgement)
        if bigger is None:
            break
        best = bigger
        ev.check_on_whole_model(best)
        search.evaluate([best], "whole-model repair")
    if judgement.feasible is not True:
        return best, judgement, [dict(v, model="hall only") for v in verdicts]
    named = dict(cheaper(search, best))
    out = []
    for v in verdicts:
        cand = named.get(v["change"])
        if v["verdict"] != "infeasible" or cand is None:
            out.append(dict(v, model="hall only"))
            continue
        ev.check_on_whole_model(cand)
        j = ev.sequential(cand)
        out.append(dict(settled(ev, v["change"], cand, j), model="whole"))
        if j.feasible is True:  # cheaper and shown feasible on the whole model itself
            best, judgement = cand, j
            break
    return best, judgement, out


def optimize(
    opt: Optimization,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Progress | None = None,
    on_best: Callable[[dict[str, Any]], None] | None = None,
    hall_only: bool = True,
) -> OptimizeResult:
    """Find the cheapest staffing that meets every requirement (see the module docstring).
    ``on_best`` hears of the best staffing so far (also written to ``out/best_so_far.yaml``).
    Runs leave the back offices out where the question allows (:mod:`.hall_only`);
    ``hall_only=False`` simulates the whole model."""
    ev = Evaluator(opt, executor, out, resume, on_progress, hall_only)
    search = Walk(opt, ev, out, on_best)
    start, loads = theory_start(opt)
    search.loads = loads
    c = start
    if opt.by_hour:
        c = trim(search, isa(search, start, loads))
    c = descend(search, c)
    if opt.by_hour:
        c = search.cover(c)
        search.evaluate([c], "shifts")
    best, judgement = c, ev.sequential(c)
    verdicts: list[dict[str, Any]] = []
    for _ in range(_GUARANTEE_ROUNDS):  # a cheaper staffing shown feasible becomes the best
        if judgement.feasible is not True:  # not shown feasible: one officer more, again
            bigger = step_up(search, best, judgement)
            if bigger is None:
                break
            best = bigger
            search.evaluate([best], "repair")
            judgement = ev.sequential(best)
            continue
        verdicts = [v for v in verdicts if v["verdict"] == "adopted"]  # history of moves
        moved = None
        # One step cheaper, then every cheaper staffing the search saw meet the requirements
        # on the means (as rostered): each shown infeasible, adopted, or left undecided.
        for what, cand in cheaper(search, best) + cheaper_seen(search, best):
            search.evaluate([cand], "cheaper")
            j = ev.sequential(cand)
            verdicts.append(settled(ev, what, cand, j))
            if j.feasible is True:
                moved = (cand, j)
                break
        if moved is None:
            break
        best, judgement = moved
    if ev.hall.replayed:  # the hall-only runs replayed today's collections: check again
        best, judgement, verdicts = confirm(search, best, verdicts)
    for row in search.trace:
        row["replications"] = len(ev.rows.get(row["key"], []))
    # Today on the same seeds (common random numbers): the change is measured pairwise.
    ev.ensure([TODAY], max(ev.have(best), opt.reps_min))
    return OptimizeResult(
        opt,
        search.hours,
        best,
        judgement,
        judgement.feasible,
        ev,
        search.trace,
        verdicts,
        start,
        TODAY,
        ev.judge(TODAY),
    )

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
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from simlib.duty import on_duty
from simlib.experiment.core import Progress
from simlib.optimize import offered as th
from simlib.optimize.candidate import Candidate, apply, realise
from simlib.optimize.evaluate import Evaluator, Judgement
from simlib.optimize.spec import ByHour, Optimization, Requirement
from simlib.scenario.model import Scenario

__all__ = ["TODAY", "OptimizeResult", "headcount", "optimize", "theory_start"]

TODAY = Candidate()  # no decision applied: the hall as the scenario staffs it today

_ISA_ROUNDS = 6
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


def headcount(scenario: Scenario, pool: str) -> int:
    """People on ``pool``'s roster (each shift's officers are different people)."""
    return sum(shift.count for shift in scenario.pools[pool].crews())


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
    return Candidate(tuple(levels), hourly, shifts), loads


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


class _Search:
    def __init__(
        self,
        opt: Optimization,
        evaluator: Evaluator,
        out: str | Path | None = None,
        on_best: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.opt = opt
        self.ev = evaluator
        self.hours = th.open_hours(opt.base)
        self.trace: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.loads: dict[str, th.HourlyLoad] = {}
        self.out = Path(out) if out is not None else None
        self.on_best = on_best
        self.best_so_far: tuple[tuple[int, float, float], Candidate] | None = None
        self.started = time.monotonic()

    def note(self, c: Candidate) -> None:
        """Keep the best staffing so far (feasible on the means first, then cheapest; else
        the least short), write it to ``best_so_far.yaml`` and report it with an ETA."""
        if c.key() in self.ev.errors:
            return
        j = self.ev.judge(c)
        shown = self.cover(c) if self.opt.by_hour else c  # as rostered
        cost = self.ev.objective(shown)
        rank = (0, cost, -_worst_slack(j)) if j.point_feasible else (1, -_worst_slack(j), cost)
        if self.best_so_far is not None and rank >= self.best_so_far[0]:
            self._report()
            return
        self.best_so_far = (rank, shown)
        if self.out is not None:
            scenario = apply(self.opt.base, shown).model_dump(mode="json", exclude_none=True)
            status = "meets the requirements on the means" if j.point_feasible else "misses"
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / "best_so_far.yaml").write_text(
                f"# Best staffing so far ({status}; not yet proven): simlib optimize --resume "
                "continues the search.\n" + yaml.safe_dump(scenario, sort_keys=False)
            )
        self._report()

    def _report(self) -> None:
        if self.on_best is None or self.best_so_far is None:
            return
        (feasible, *_), c = self.best_so_far
        done = max(1, len(self.seen))
        left = max(0, self.opt.max_evaluations - len(self.seen))
        pace = (time.monotonic() - self.started) / done
        self.on_best(
            {
                "objective": self.ev.objective(c),
                "feasible_on_means": feasible == 0,
                "evaluated": len(self.seen),
                "eta_s": pace * min(left, 10),  # the search rarely uses its whole budget
            }
        )

    # -- bookkeeping -------------------------------------------------------------------
    def evaluate(self, candidates: list[Candidate], phase: str, n: int | None = None) -> None:
        fresh = [c for c in candidates if c.key() not in self.seen]
        budget = self.opt.max_evaluations - len(self.seen)
        fresh = fresh[: max(0, budget)]
        self.ev.ensure(
            [c for c in candidates if c.key() in self.seen or c in fresh], n or self.opt.reps_min
        )
        for c in fresh:
            self.seen.add(c.key())
            self.log(c, phase)
            self.note(c)

    def log(self, c: Candidate, phase: str) -> None:
        j = self.ev.judge(c)
        b = j.binding
        self.trace.append(
            {
                "step": len(self.trace),
                "phase": phase,
                "objective": self.ev.objective(c),
                "officer_hours": self.ev.officer_hours(c),
                "replications": self.ev.have(c),
                "feasible_on_means": j.point_feasible,
                "binding": b.requirement.label() if b else None,
                "binding_column": b.column if b else None,
                "binding_mean": b.mean if b else math.nan,
                "decisions": c.decisions(self.hours),
                "key": c.key(),
                "error": self.ev.errors.get(c.key()),
            }
        )

    def ok(self, c: Candidate) -> bool:
        return c.key() not in self.ev.errors and self.ev.judge(c).point_feasible

    def budget_left(self) -> bool:
        return len(self.seen) < self.opt.max_evaluations

    # -- by-hour: ISA-style ----------------------------------------------------------------
    def with_needs(self, c: Candidate, needs: dict[str, tuple[int, ...]]) -> Candidate:
        shifts = realise(self.opt.base, self.opt.by_hour, self.hours, needs, covered=False)
        return replace(
            c, hourly=tuple((d.pool, needs[d.pool]) for d in self.opt.by_hour), shifts=shifts
        )

    def isa(self, start: Candidate, loads: dict[str, th.HourlyLoad]) -> Candidate:
        reqs = [r for r in self.opt.requirements if r.kpi in th.THEORY_KPIS and r.matter is None]
        current = start
        best: Candidate | None = None
        seen_needs: set[str] = set()
        for _ in range(_ISA_ROUNDS):
            self.evaluate([current], "isa")
            if self.ok(current) and (
                best is None or self.ev.objective(current) < self.ev.objective(best)
            ):
                best = current
            seen_needs.add(repr(current.hourly))
            needs = self.restaff(current, loads, reqs)
            nxt = self.with_needs(current, needs)
            if repr(nxt.hourly) in seen_needs or not self.budget_left():
                break
            current = nxt
        return best or current

    def restaff(
        self, c: Candidate, loads: dict[str, th.HourlyLoad], reqs: list[Requirement]
    ) -> dict[str, tuple[int, ...]]:
        scenario = apply(self.opt.base, c)
        target = scenario.hall.wait_target_min
        hall_pools = sorted({m.acceptance.pool for m in scenario.matters})
        all_loads = {p: loads.get(p) or th.hourly_load(self.opt.base, p) for p in hall_pools}
        loads.update(all_loads)
        needs = dict(c.hourly)
        out: dict[str, list[int]] = {p: list(n) for p, n in needs.items()}
        duty = {p: on_duty(scenario, p, self.hours) for p in hall_pools}
        for i, h in enumerate(self.hours):
            queues = [
                (
                    all_loads[p].offered[i] * all_loads[p].mu,
                    all_loads[p].mu,
                    duty[p][i],
                    all_loads[p].wait_scale,
                )
                for p in hall_pools
            ]
            # Per requirement: does the hour meet it, and at which load factor k would
            # Erlang C give what the simulation shows?
            verdicts = []
            for r in reqs:
                observed = self.ev.mean(c, f"{r.kpi}[hour={h:02d}]")
                if math.isfinite(observed):
                    k = _load_factor(r.kpi, queues, target, observed)
                    if r.on_days is not None:  # met on enough days, not on average
                        met = self.ev.share(c, r, f"{h:02d}") >= r.on_days
                    else:
                        met = th.meets(observed, r.bound, r.sense)
                    verdicts.append((met, k))
            if not verdicts:
                continue
            missed = [k for ok, k in verdicts if not ok]
            for d in self.opt.by_hour:
                load = all_loads[d.pool]
                old = needs[d.pool][i]
                k = max(missed) if missed else max(k for _, k in verdicts)
                k = max(k, 1.0) if missed else min(k, 1.0)
                lam = k * load.offered[i] * load.mu
                c_h = max(
                    th.staff_for(
                        r.kpi,
                        r.sense,
                        r.bound,
                        lam,
                        load.mu,
                        target,
                        d.low,
                        d.high,
                        load.wait_scale,
                    )
                    for r in reqs
                )
                # Damped: up by at least one and at most a third where the hour misses;
                # down by half the gap where it meets (the next hour inherits its queue).
                if missed:
                    new = max(old + 1, min(c_h, old + math.ceil(old / 3) + 1))
                else:
                    new = old - max(0, (old - c_h) // 2) if c_h < old - 1 else max(c_h, old - 1)
                out[d.pool][i] = min(max(new, d.low), d.high)
        return {p: tuple(v) for p, v in out.items()}

    def trim(self, c: Candidate) -> Candidate:
        """By-hour descent on common seeds: one officer fewer in every hour shown to meet
        its requirements with room to spare, else in the single hour with the most slack."""
        if not self.opt.by_hour:
            return c
        for _ in range(_ISA_ROUNDS * 2):
            if not self.budget_left():
                break
            self.evaluate([c], "trim")
            j = self.ev.judge(c)
            if not j.point_feasible:
                break
            slack: dict[int, float] = {}
            for x in j.checks:
                if "[hour=" in x.column:
                    h = int(x.column.split("[hour=")[1][:2])
                    slack[h] = min(slack.get(h, math.inf), x.slack)
            sure = {
                h
                for h in slack
                if all(x.status == "met" for x in j.checks if x.column.endswith(f"[hour={h:02d}]"))
            }
            options: list[Candidate] = []
            by_slack = sorted(slack, key=lambda hour: slack[hour], reverse=True)[:2]
            for chosen in ([h for h in sure], *[[h] for h in by_slack]):
                fewer = self.minus(c, chosen)
                if fewer is not None and fewer.key() not in {o.key() for o in options}:
                    options.append(fewer)
            if not options:
                break
            self.evaluate(options, "trim")
            good = [o for o in options if self.ok(o)]
            if not good:
                break
            c = min(good, key=self.ev.objective)
        return c

    def minus(self, c: Candidate, hours: list[int]) -> Candidate | None:
        """One officer fewer in the given clock hours (within the decision ranges)."""
        needs = {p: list(v) for p, v in c.hourly}
        changed = False
        for d in self.opt.by_hour:
            for i, h in enumerate(self.hours):
                if h in hours and needs[d.pool][i] > d.low:
                    needs[d.pool][i] -= 1
                    changed = True
        if not changed:
            return None
        return self.with_needs(c, {p: tuple(v) for p, v in needs.items()})

    # -- levels: integer descent with CRN ------------------------------------------------
    def descend(self, c: Candidate) -> Candidate:
        if not self.opt.levels:
            return c
        self.evaluate([c], "levels")
        bounds = {d.pool: (d.low, d.high) for d in self.opt.levels}

        def step(x: Candidate, pool: str, delta: int) -> Candidate | None:
            levels = dict(x.levels)
            n = levels[pool] + delta
            lo, hi = bounds[pool]
            if not lo <= n <= hi:
                return None
            levels[pool] = n
            return replace(x, levels=tuple(levels.items()))

        while not self.ok(c) and self.budget_left():  # upward: the best slack per cost
            ups = [u for u in (step(c, p, 1) for p in bounds) if u is not None]
            if not ups:
                break
            self.evaluate(ups, "levels up")
            c = max(
                ups,
                key=lambda u: (self.ok(u), _worst_slack(self.ev.judge(u)), -self.ev.objective(u)),
            )
        while self.ok(c) and self.budget_left():  # downward while feasible on the means
            downs = [d for d in (step(c, p, -1) for p in bounds) if d is not None]
            if not downs:
                break
            self.evaluate(downs, "levels down")
            good = [d for d in downs if self.ok(d)]
            if not good:
                break
            c = min(good, key=self.ev.objective)
        return c

    # -- the guarantee -------------------------------------------------------------------
    def cheaper(self, c: Candidate) -> list[tuple[str, Candidate]]:
        """The staffings one step cheaper: one officer fewer on a level, or one fewer in the
        by-hour hour with the most slack (re-rostered)."""
        out = []
        for pool, n in c.levels:
            d = next(x for x in self.opt.levels if x.pool == pool)
            if n > d.low:
                levels = dict(c.levels)
                levels[pool] = n - 1
                out.append(
                    (f"pools.{pool}.count = {n - 1}", replace(c, levels=tuple(levels.items())))
                )
        needs = dict(c.hourly)
        for hd in self.opt.by_hour:
            slack = []
            for i, h in enumerate(self.hours):
                if needs[hd.pool][i] <= hd.low:
                    continue
                j = self.ev.judge(c)
                mine = [x.slack for x in j.checks if x.column.endswith(f"[hour={h:02d}]")]
                slack.append((min(mine) if mine else math.inf, i, h))
            for _, i, h in sorted(slack, reverse=True)[:3]:
                fewer = {p: list(v) for p, v in needs.items()}
                fewer[hd.pool][i] -= 1
                cand = self.cover(replace(c, hourly=tuple((p, tuple(v)) for p, v in fewer.items())))
                if self.ev.objective(cand) < self.ev.objective(c) - 1e-9:
                    out.append((f"one officer fewer in pool {hd.pool} at {h:02d}:00", cand))
                    break
        return out

    def cheaper_seen(self, best: Candidate, limit: int = 4) -> list[tuple[str, Candidate]]:
        """Staffings the search evaluated that meet the requirements on the means and, as
        rostered, cost less than ``best``: cheapest first."""
        target = self.ev.objective(best)
        out: dict[str, Candidate] = {}
        for key, cand in list(self.ev.candidates.items()):
            if key == TODAY.key() or key in self.ev.errors or not self.ok(cand):
                continue
            shown = self.cover(cand) if self.opt.by_hour else cand
            if self.ev.objective(shown) < target - 1e-9 and shown.key() != best.key():
                out.setdefault(shown.key(), shown)
        ranked = sorted(out.values(), key=self.ev.objective)[:limit]
        return [
            ("a staffing the search saw meet the requirements on the means, as rostered", c)
            for c in ranked
        ]

    def cover(self, c: Candidate) -> Candidate:
        needs = dict(c.hourly)
        return replace(
            c, shifts=realise(self.opt.base, self.opt.by_hour, self.hours, needs, covered=True)
        )


def _settled(ev: Evaluator, what: str, cand: Candidate, j: Judgement) -> dict[str, Any]:
    """A cheaper staffing's verdict and why: the requirement it misses, or the replications
    that would decide it."""
    verdict = {True: "adopted", False: "infeasible", None: "undecided"}[j.feasible]
    why, needed = "", None
    if j.feasible is False:
        x = next(x for x in j.checks if x.status == "missed")
        why = f"misses {x.requirement.label()} at {x.column}: {_shown(x)}"
    elif j.feasible is None:
        unsure = [x for x in j.checks if x.status == "unsure"]
        x = min(unsure, key=lambda x: abs(x.slack))
        gap = abs(x.mean - (x.requirement.on_days or x.requirement.bound))
        # the one-sided bound that must clear the requirement: low for a minimum or a
        # share of days, high for a maximum
        lower = x.on_days or x.requirement.sense == "min"
        half = x.mean - x.low if lower else x.high - x.mean
        runs = ev.have(cand)
        needed = math.ceil(runs * (half / gap) ** 2) if gap > 0 else None
        more = f"about {needed} replications" if needed else "more replications than any budget"
        why = (
            f"{x.column} is too close to call ({_shown(x)}): {more} would decide it "
            f"(replications.max is {ev.opt.reps_max})"
        )
    elif j.feasible is True:
        why = "shown to meet every requirement: adopted"
    return {
        "change": what,
        "objective": ev.objective(cand),
        "verdict": verdict,
        "replications": ev.have(cand),
        "binding": j.binding.requirement.label() if j.binding else None,
        "why": why,
        "replications_to_decide": needed,
    }


def _shown(x: Any) -> str:
    what = "share of days" if x.on_days else "mean"
    return f"{what} {x.mean:.3g}, bounds [{x.low:.3g}, {x.high:.3g}]"


def _worst_slack(j: Judgement) -> float:
    return min((x.slack for x in j.checks), default=math.inf)


def _load_factor(kpi: str, queues: list[th.Queue], target: float, observed: float) -> float:
    """The factor k on every queue's load at which the Erlang C hall KPI equals the observed
    one: what the stationary formula misses in this hour, as extra (or less) load."""
    worse = kpi != "hall_service_level"

    def value(k: float) -> float:
        return th.hall_kpi(kpi, [(k * lam, mu, c, f) for lam, mu, c, f in queues], target)

    lo, hi = 0.25, 4.0
    v_lo, v_hi = value(lo), value(hi)
    if not math.isfinite(v_lo) and worse:
        return lo
    too_good = observed <= v_lo if worse else observed >= v_lo
    too_bad = observed >= v_hi if worse else observed <= v_hi
    if too_good:
        return lo
    if too_bad:
        return hi
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        v = value(mid)
        above = (v >= observed) if worse else (v <= observed)
        lo, hi = (lo, mid) if above else (mid, hi)
    return math.sqrt(lo * hi)


def optimize(
    opt: Optimization,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Progress | None = None,
    on_best: Callable[[dict[str, Any]], None] | None = None,
) -> OptimizeResult:
    """Find the cheapest staffing that meets every requirement (see the module docstring).
    ``on_best`` hears of the best staffing so far (also written to ``out/best_so_far.yaml``)."""
    ev = Evaluator(opt, executor, out, resume, on_progress)
    search = _Search(opt, ev, out, on_best)
    start, loads = theory_start(opt)
    search.loads = loads
    c = start
    if opt.by_hour:
        c = search.trim(search.isa(start, loads))
    c = search.descend(c)
    if opt.by_hour:
        c = search.cover(c)
        search.evaluate([c], "shifts")
    best, judgement = c, ev.sequential(c)
    verdicts: list[dict[str, Any]] = []
    for _ in range(_GUARANTEE_ROUNDS):  # a cheaper staffing shown feasible becomes the best
        if judgement.feasible is not True:  # not shown feasible: one officer more, again
            bigger = _step_up(search, best, judgement)
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
        for what, cand in search.cheaper(best) + search.cheaper_seen(best):
            search.evaluate([cand], "cheaper")
            j = ev.sequential(cand)
            verdicts.append(_settled(ev, what, cand, j))
            if j.feasible is True:
                moved = (cand, j)
                break
        if moved is None:
            break
        best, judgement = moved
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


def _step_up(search: _Search, c: Candidate, j: Judgement) -> Candidate | None:
    """One officer more where a requirement was missed (or unsure)."""
    bad_hours = {
        int(x.column.split("[hour=")[1][:2])
        for x in j.checks
        if x.status != "met" and "[hour=" in x.column
    }
    if search.opt.by_hour and (bad_hours or not search.opt.levels):
        # In each such hour, one officer more for the by-hour pool that is busiest then
        # (highest offered load per officer): where one more officer cuts waits most.
        needs = {p: list(v) for p, v in c.hourly}
        for i, h in enumerate(search.hours):
            if bad_hours and h not in bad_hours:
                continue
            open_pools = [d for d in search.opt.by_hour if needs[d.pool][i] < d.high]
            if not open_pools:
                continue

            def busy(d: ByHour, i: int = i) -> float:
                return float(search.loads[d.pool].offered[i]) / max(1, needs[d.pool][i])

            busiest = max(open_pools, key=busy)
            needs[busiest.pool][i] += 1
        return search.cover(replace(c, hourly=tuple((p, tuple(v)) for p, v in needs.items())))
    levels = dict(c.levels)
    for d in search.opt.levels:
        if levels[d.pool] < d.high:
            levels[d.pool] += 1
            return replace(c, levels=tuple(levels.items()))
    return None

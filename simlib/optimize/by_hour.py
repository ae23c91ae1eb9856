"""By-hour staffing moves: ISA-style refinement and by-hour trimming.

ISA-style iterations (Feldman, Mandelbaum, Massey and Whitt 2008): simulate the current
staffing; in each hour find the load at which Erlang C reproduces the simulated KPI (what
the formula misses: lags, returns, closing); staff that hour by Erlang C on that load;
repeat until the staffing repeats. Then trim: one officer fewer where the hour is shown to
meet its requirements, on common seeds.
"""

from __future__ import annotations

import math

from simlib.duty import on_duty
from simlib.optimize import offered as th
from simlib.optimize.candidate import Candidate, apply
from simlib.optimize.spec import Requirement
from simlib.optimize.walk import Walk

__all__ = ["isa", "load_factor", "minus", "restaff", "trim"]

ISA_ROUNDS = 6


def isa(walk: Walk, start: Candidate, loads: dict[str, th.HourlyLoad]) -> Candidate:
    reqs = [r for r in walk.opt.requirements if r.kpi in th.THEORY_KPIS and r.matter is None]
    current = start
    best: Candidate | None = None
    seen_needs: set[str] = set()
    for _ in range(ISA_ROUNDS):
        walk.evaluate([current], "isa")
        if walk.ok(current) and (
            best is None or walk.ev.objective(current) < walk.ev.objective(best)
        ):
            best = current
        seen_needs.add(repr(current.hourly))
        needs = restaff(walk, current, loads, reqs)
        nxt = walk.with_needs(current, needs)
        if repr(nxt.hourly) in seen_needs or not walk.budget_left():
            break
        current = nxt
    return best or current


def restaff(
    walk: Walk, c: Candidate, loads: dict[str, th.HourlyLoad], reqs: list[Requirement]
) -> dict[str, tuple[int, ...]]:
    scenario = apply(walk.opt.base, c)
    target = scenario.hall.wait_target_min
    hall_pools = sorted({m.acceptance.pool for m in scenario.matters})
    all_loads = {p: loads.get(p) or th.hourly_load(walk.opt.base, p) for p in hall_pools}
    loads.update(all_loads)
    needs = dict(c.hourly)
    out: dict[str, list[int]] = {p: list(n) for p, n in needs.items()}
    duty = {p: on_duty(scenario, p, walk.hours) for p in hall_pools}
    for i, h in enumerate(walk.hours):
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
            observed = walk.ev.mean(c, f"{r.kpi}[hour={h:02d}]")
            if math.isfinite(observed):
                k = load_factor(r.kpi, queues, target, observed)
                if r.on_days is not None:  # met on enough days, not on average
                    met = walk.ev.share(c, r, f"{h:02d}") >= r.on_days
                else:
                    met = th.meets(observed, r.bound, r.sense)
                verdicts.append((met, k))
        if not verdicts:
            continue
        missed = [k for ok, k in verdicts if not ok]
        for d in walk.opt.by_hour:
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


def trim(walk: Walk, c: Candidate) -> Candidate:
    """By-hour descent on common seeds: one officer fewer in every hour shown to meet
    its requirements with room to spare, else in the single hour with the most slack."""
    if not walk.opt.by_hour:
        return c
    for _ in range(ISA_ROUNDS * 2):
        if not walk.budget_left():
            break
        walk.evaluate([c], "trim")
        j = walk.ev.judge(c)
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
            fewer = minus(walk, c, chosen)
            if fewer is not None and fewer.key() not in {o.key() for o in options}:
                options.append(fewer)
        if not options:
            break
        walk.evaluate(options, "trim")
        good = [o for o in options if walk.ok(o)]
        if not good:
            break
        c = min(good, key=walk.ev.objective)
    return c


def minus(walk: Walk, c: Candidate, hours: list[int]) -> Candidate | None:
    """One officer fewer in the given clock hours (within the decision ranges)."""
    needs = {p: list(v) for p, v in c.hourly}
    changed = False
    for d in walk.opt.by_hour:
        for i, h in enumerate(walk.hours):
            if h in hours and needs[d.pool][i] > d.low:
                needs[d.pool][i] -= 1
                changed = True
    if not changed:
        return None
    return walk.with_needs(c, {p: tuple(v) for p, v in needs.items()})


def load_factor(kpi: str, queues: list[th.Queue], target: float, observed: float) -> float:
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

"""Level decisions (one officer count per pool): integer descent with common random
numbers — each neighbour one officer away, on the same seeds — upward while infeasible on
the means, downward while feasible."""

from __future__ import annotations

from dataclasses import replace

from simlib.optimize.candidate import Candidate
from simlib.optimize.walk import Walk, worst_slack

__all__ = ["descend"]


def descend(walk: Walk, c: Candidate) -> Candidate:
    if not walk.opt.levels:
        return c
    walk.evaluate([c], "levels")
    bounds = {d.pool: (d.low, d.high) for d in walk.opt.levels}

    def step(x: Candidate, pool: str, delta: int) -> Candidate | None:
        levels = dict(x.levels)
        n = levels[pool] + delta
        lo, hi = bounds[pool]
        if not lo <= n <= hi:
            return None
        levels[pool] = n
        return replace(x, levels=tuple(levels.items()))

    while not walk.ok(c) and walk.budget_left():  # upward: the best slack per cost
        ups = [u for u in (step(c, p, 1) for p in bounds) if u is not None]
        if not ups:
            break
        walk.evaluate(ups, "levels up")
        c = max(
            ups,
            key=lambda u: (walk.ok(u), worst_slack(walk.ev.judge(u)), -walk.ev.objective(u)),
        )
    while walk.ok(c) and walk.budget_left():  # downward while feasible on the means
        downs = [d for d in (step(c, p, -1) for p in bounds) if d is not None]
        if not downs:
            break
        walk.evaluate(downs, "levels down")
        good = [d for d in downs if walk.ok(d)]
        if not good:
            break
        c = min(good, key=walk.ev.objective)
    return c

"""Level decisions (one officer count per pool): integer descent with common random
numbers — each neighbour one officer away, on the same seeds — upward while infeasible on
the means, downward while feasible."""

from __future__ import annotations

from dataclasses import replace

from simlib.optimize.candidate import Candidate
from simlib.optimize.walk import Walk, template_step, worst_slack

__all__ = ["descend"]


def descend(walk: Walk, c: Candidate) -> Candidate:
    """Officer levels and appointment templates, one step at a time on common seeds:
    more officers or fewer places while infeasible; then fewer officers or more places
    while feasible."""
    if not walk.opt.levels and not walk.opt.templates:
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

    def places(x: Candidate, delta: int) -> list[Candidate]:
        return [t for t in (template_step(walk.opt, x, m, delta) for m, _ in x.templates) if t]

    while not walk.ok(c) and walk.budget_left():  # upward: the best slack per cost
        ups = [u for u in (step(c, p, 1) for p in bounds) if u is not None] + places(c, -1)
        if not ups:
            break
        walk.evaluate(ups, "levels up")
        c = max(
            ups,
            key=lambda u: (walk.ok(u), worst_slack(walk.ev.judge(u)), -walk.ev.objective(u)),
        )
    while walk.ok(c) and walk.budget_left():  # downward while feasible on the means
        downs = [d for d in (step(c, p, -1) for p in bounds) if d is not None]
        downs += places(c, 1)
        if not downs:
            break
        walk.evaluate(downs, "levels down")
        good = [d for d in downs if walk.ok(d)]
        if not good and walk.opt.templates:  # an officer fewer may do with fewer places
            traded = (fewer_places(walk, d) for d in downs if d.levels != c.levels)
            good = [t for t in traded if t is not None]
        if not good:
            break
        c = min(good, key=walk.rank)
    return c


def fewer_places(walk: Walk, c: Candidate) -> Candidate | None:
    """``c`` with places taken away one at a time (the most helpful first) until it meets
    the requirements on the means; None if even the fewest do not."""
    while not walk.ok(c) and walk.budget_left():
        fewer = [t for t in (template_step(walk.opt, c, m, -1) for m, _ in c.templates) if t]
        if not fewer:
            return None
        walk.evaluate(fewer, "fewer places")
        c = max(fewer, key=lambda u: (walk.ok(u), worst_slack(walk.ev.judge(u))))
    return c if walk.ok(c) else None

"""The guarantee's moves: staffings one step cheaper than the best (and cheaper ones the
search saw), their verdicts, and one officer more where a staffing was not shown feasible."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from simlib.optimize.candidate import Candidate
from simlib.optimize.evaluate import Evaluator, Judgement
from simlib.optimize.spec import ByHour
from simlib.optimize.walk import TODAY, Walk, template_step

__all__ = ["cheaper", "cheaper_seen", "settled", "step_up"]


def cheaper(walk: Walk, c: Candidate) -> list[tuple[str, Candidate]]:
    """The staffings one step cheaper: one officer fewer on a level, or one fewer in the
    by-hour hour with the most slack (re-rostered)."""
    out = []
    for pool, n in c.levels:
        d = next(x for x in walk.opt.levels if x.pool == pool)
        if n > d.low:
            levels = dict(c.levels)
            levels[pool] = n - 1
            one_less = replace(c, levels=tuple(levels.items()))
            out.append((f"pools.{pool}.count = {n - 1}", one_less))
            if c.templates:  # an officer fewer with the fewest places the ranges allow
                least = tuple((t.matter, t.low) for t in walk.opt.templates)
                if least != c.templates:
                    what = f"pools.{pool}.count = {n - 1}, fewest bookable places"
                    out.append((what, replace(one_less, templates=least)))
    for mid, n in c.templates:  # one place more per slot: as good a staffing, or better
        more = template_step(walk.opt, c, mid, 1)
        if more is not None:
            out.append((f"matters.{mid}.appointments.template = {n + 1}", more))
    needs = dict(c.hourly)
    for hd in walk.opt.by_hour:
        slack = []
        for i, h in enumerate(walk.hours):
            if needs[hd.pool][i] <= hd.low:
                continue
            j = walk.ev.judge(c)
            mine = [x.slack for x in j.checks if x.column.endswith(f"[hour={h:02d}]")]
            slack.append((min(mine) if mine else math.inf, i, h))
        for _, i, h in sorted(slack, reverse=True)[:3]:
            fewer = {p: list(v) for p, v in needs.items()}
            fewer[hd.pool][i] -= 1
            cand = walk.cover(replace(c, hourly=tuple((p, tuple(v)) for p, v in fewer.items())))
            if walk.ev.objective(cand) < walk.ev.objective(c) - 1e-9:
                out.append((f"one officer fewer in pool {hd.pool} at {h:02d}:00", cand))
                break
    return out


def cheaper_seen(walk: Walk, best: Candidate, limit: int = 4) -> list[tuple[str, Candidate]]:
    """Staffings the search evaluated that meet the requirements on the means and, as
    rostered, cost less than ``best``: cheapest first."""
    target = walk.ev.objective(best)
    out: dict[str, Candidate] = {}
    for key, cand in list(walk.ev.candidates.items()):
        if key == TODAY.key() or key in walk.ev.errors or not walk.ok(cand):
            continue
        shown = walk.cover(cand) if walk.opt.by_hour else cand
        if walk.ev.objective(shown) < target - 1e-9 and shown.key() != best.key():
            out.setdefault(shown.key(), shown)
    ranked = sorted(out.values(), key=walk.ev.objective)[:limit]
    return [
        ("a staffing the search saw meet the requirements on the means, as rostered", c)
        for c in ranked
    ]


def settled(ev: Evaluator, what: str, cand: Candidate, j: Judgement) -> dict[str, Any]:
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


def step_up(search: Walk, c: Candidate, j: Judgement) -> Candidate | None:
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
    for mid, _ in c.templates:  # every officer already there: one bookable place fewer
        fewer = template_step(search.opt, c, mid, -1)
        if fewer is not None:
            return fewer
    return None

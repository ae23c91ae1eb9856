"""The staffing search's walk: what it has evaluated, its trace and the best staffing so far.

The search's moves (:mod:`.by_hour`, :mod:`.levels`, :mod:`.cheaper`) go through one
:class:`Walk`: it sends candidates to the evaluator within the evaluation budget, logs each
once in the trace, and keeps the best so far (written to ``best_so_far.yaml``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from simlib.optimize import offered as th
from simlib.optimize.candidate import Candidate, apply, realise
from simlib.optimize.evaluate import Evaluator, Judgement
from simlib.optimize.spec import Optimization

__all__ = ["TODAY", "BestSoFar", "Walk", "template_step", "worst_slack"]

TODAY = Candidate()  # no decision applied: the hall as the scenario staffs it today


def worst_slack(j: Judgement) -> float:
    return min((x.slack for x in j.checks), default=math.inf)


class BestSoFar:
    """The best staffing seen so far, for the progress line and ``best_so_far.yaml``."""

    def __init__(
        self,
        walk: Walk,
        out: Path | None,
        on_best: Callable[[dict[str, Any]], None] | None,
    ):
        self.walk, self.out, self.on_best = walk, out, on_best
        self.held: tuple[tuple[int, float, float, float], Candidate] | None = None
        self.started = time.monotonic()

    def note(self, c: Candidate) -> None:
        """Keep the best staffing so far (feasible on the means first, then cheapest; else
        the least short), write it to ``best_so_far.yaml`` and report it with an ETA."""
        if c.key() in self.walk.ev.errors:
            return
        j = self.walk.ev.judge(c)
        shown = self.walk.cover(c) if self.walk.opt.by_hour else c  # as rostered
        cost = self.walk.ev.objective(shown)
        slack = worst_slack(j)
        rank = (0, cost, -c.places, -slack) if j.point_feasible else (1, -slack, cost, -c.places)
        if self.held is not None and rank >= self.held[0]:
            self._report()
            return
        self.held = (rank, shown)
        if self.out is not None:
            scenario = apply(self.walk.opt.base, shown).model_dump(mode="json", exclude_none=True)
            status = "meets the requirements on the means" if j.point_feasible else "misses"
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / "best_so_far.yaml").write_text(
                f"# Best staffing so far ({status}; not yet proven): simlib optimize --resume "
                "continues the search.\n" + yaml.safe_dump(scenario, sort_keys=False)
            )
        self._report()

    def _report(self) -> None:
        if self.on_best is None or self.held is None:
            return
        (feasible, *_), c = self.held
        done = max(1, len(self.walk.seen))
        left = max(0, self.walk.opt.max_evaluations - len(self.walk.seen))
        pace = (time.monotonic() - self.started) / done
        self.on_best(
            {
                "objective": self.walk.ev.objective(c),
                "feasible_on_means": feasible == 0,
                "evaluated": len(self.walk.seen),
                "eta_s": pace * min(left, 10),  # the search rarely uses its whole budget
            }
        )


class Walk:
    """The search's state: evaluated staffings (``seen``), the trace, the best so far."""

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
        self.best = BestSoFar(self, Path(out) if out is not None else None, on_best)

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
            self.best.note(c)

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

    def rank(self, c: Candidate) -> tuple[float, int]:
        """Cheapest first; among equally cheap, the most bookable places."""
        return (self.ev.objective(c), -c.places)

    def budget_left(self) -> bool:
        return len(self.seen) < self.opt.max_evaluations

    def with_needs(self, c: Candidate, needs: dict[str, tuple[int, ...]]) -> Candidate:
        shifts = realise(self.opt.base, self.opt.by_hour, self.hours, needs, covered=False)
        return replace(
            c, hourly=tuple((d.pool, needs[d.pool]) for d in self.opt.by_hour), shifts=shifts
        )

    def cover(self, c: Candidate) -> Candidate:
        needs = dict(c.hourly)
        return replace(
            c, shifts=realise(self.opt.base, self.opt.by_hour, self.hours, needs, covered=True)
        )


def template_step(opt: Optimization, c: Candidate, matter: str, delta: int) -> Candidate | None:
    """``c`` with ``delta`` places more per slot for ``matter`` (None: out of its range)."""
    d = next(t for t in opt.templates if t.matter == matter)
    templates = dict(c.templates)
    n = templates[matter] + delta
    if not d.low <= n <= d.high:
        return None
    templates[matter] = n
    return replace(c, templates=tuple(templates.items()))

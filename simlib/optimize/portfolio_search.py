"""Searching reform portfolios under a budget, without assuming that effects add up.

1. **Screen** (CRN): the baseline and every reform alone on ``n0`` replications, every
   pair within the budget on ``n_first`` (default 3). Pairs are *simulated*, so
   interactions between two reforms (two that relieve the same bottleneck; one that only
   helps once another removed a step) are measured, not assumed away. A pair gets more
   replications (up to ``n0``) only while the screen's test has not settled whether it is
   among the finalists (:mod:`simlib.optimize.screen`).
2. **Predict** larger portfolios with the second-order model
   f(S) = f(∅) + Σ single effects + Σ pairwise interactions, and simulate the ``top`` most
   promising ones (predicted feasible first, then by predicted objective), screened alike.
3. **Select** among the ``finalists`` best screened portfolios (less those the screen shows
   worse than a clearly feasible one by more than the indifference zone) with paired
   t-tests in looks (:func:`simlib.optimize.selection.paired_select`) on *fresh*
   replications (numbers ``n0`` onwards, still common to all portfolios): the screening
   data chose the finalists, so reusing it would bias the selection towards lucky ones.

The guarantee (best feasible with probability ≥ confidence, up to the indifference zone) is
for the portfolios that reach the final selection; screening keeps every single and pair and
the best-predicted larger portfolios, and the result says how many there were.
Nothing here runs a simulation: an *oracle* returns observations for (portfolio, replication).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Protocol

import numpy as np

from simlib.optimize.screen import Observations, Request, Screen, observe_all
from simlib.optimize.selection import Requirement, Selection, paired_select

__all__ = [
    "Choice",
    "Observations",
    "Oracle",
    "Portfolio",
    "Request",
    "additive_pick",
    "observe_all",
    "search",
    "within_budget",
]

Portfolio = tuple[str, ...]  # reform (variant) names, in the study's order


class Oracle(Protocol):
    """Observations ``[objective, requirement_1, ...]`` of a portfolio in replication r.

    ``observe`` runs whatever is missing of portfolios x replications (in one batch, so it
    can go to parallel workers) and returns each as an array; the same replication number
    means the same random numbers for every portfolio (CRN). An oracle may also have
    ``observe_all(requests)``: several requests as one batch (see :func:`observe_all`)."""

    def observe(
        self, portfolios: Sequence[Portfolio], replications: Sequence[int]
    ) -> Observations: ...


@dataclass
class Choice:
    """The outcome of one search: the chosen portfolio and how sure we are of it."""

    budget: float
    best: Portfolio | None  # None: no portfolio within budget was found feasible
    survivors: list[Portfolio]  # more than one: these could not be separated
    separated: bool
    finalists: list[Portfolio]
    selection: Selection
    within_budget: int  # portfolios the budget and max_reforms allow
    simulated: list[Portfolio]  # portfolios screened by simulation
    predicted: dict[Portfolio, float]  # second-order predictions of the objective (size >= 3)
    first_replication: int = 0  # selection's replication r: the oracle's first_replication + r
    screened: dict[Portfolio, int] = field(default_factory=dict)  # screening replications

    @property
    def screening_runs(self) -> int:
        """Replications the screen spent (before the final selection's fresh ones)."""
        return sum(self.screened.values())


def within_budget(
    candidates: Sequence[str], costs: Mapping[str, float], budget: float, max_reforms: int
) -> list[Portfolio]:
    """Every portfolio (the empty one too) with at most ``max_reforms`` reforms within budget."""
    out: list[Portfolio] = []
    for size in range(0, min(max_reforms, len(candidates)) + 1):
        for combo in combinations(candidates, size):
            if sum(costs[c] for c in combo) <= budget + 1e-9:
                out.append(combo)
    return out


def _second_order(means: Mapping[Portfolio, np.ndarray], s: Portfolio) -> np.ndarray:
    base = means[()]
    total = base.copy()
    for a in s:
        total += means[(a,)] - base
    for a, b in combinations(s, 2):
        total += means[(a, b)] - means[(a,)] - means[(b,)] + base
    return total


def additive_pick(
    allowed: Sequence[Portfolio], means: Mapping[Portfolio, np.ndarray], minimize: bool
) -> Portfolio:
    """What adding up single-reform effects would choose (ignores requirements): for
    comparison only — this is the mistake the search avoids."""
    sign = 1.0 if minimize else -1.0
    base = means[()][0]

    def predicted(s: Portfolio) -> float:
        return base + sum(means[(a,)][0] - base for a in s)

    return min(allowed, key=lambda s: sign * predicted(s))


def _violation(values: np.ndarray, requirements: Sequence[Requirement]) -> float:
    """How far (in tolerances) the worst requirement is violated; <= 0 when all hold."""
    worst = -np.inf
    for req in requirements:
        x = values[req.index]
        excess = (x - req.bound) if req.sense == "max" else (req.bound - x)
        worst = max(worst, excess / req.tolerance)
    return float(worst) if requirements else 0.0


class _Finalists:
    """Selection adapter: system i is the i-th finalist portfolio, the selection's
    replication r is the oracle's replication ``offset + r``; each look's replications of
    the finalists still sampled go to the oracle as one batch (parallel workers)."""

    def __init__(self, oracle: Oracle, portfolios: list[Portfolio], offset: int):
        self.oracle, self.portfolios, self.offset = oracle, portfolios, offset
        self.cache: dict[tuple[Portfolio, int], np.ndarray] = {}

    def prefetch_look(self, systems: Sequence[int], replications: Sequence[int]) -> None:
        """Run one look: ``systems`` x ``replications``, as one request."""
        portfolios = [self.portfolios[i] for i in systems]
        reps = [self.offset + r for r in replications]
        (obs,) = observe_all(self.oracle, [(portfolios, reps)])
        self.cache.update(obs)

    def observe(self, system: int, replication: int) -> np.ndarray:
        key = (self.portfolios[system], self.offset + replication)
        if key not in self.cache:
            self.cache.update(self.oracle.observe([key[0]], [key[1]]))
        return self.cache[key]


def search(
    candidates: Sequence[str],
    costs: Mapping[str, float],
    budget: float,
    oracle: Oracle,
    *,
    delta: float,
    max_reforms: int | None = None,
    confidence: float = 0.95,
    n0: int = 5,
    max_reps: int = 100,
    minimize: bool = True,
    requirements: Sequence[Requirement] = (),
    top: int = 8,
    finalists: int = 6,
    n_first: int | None = None,
) -> Choice:
    """The best feasible portfolio within ``budget``; see the module docstring.

    ``n_first`` (default ``min(3, n0)``) replications screen each pair and larger
    portfolio; only those whose place (among the finalists or not, feasible or not) the
    screening test has not decided get more, up to ``n0``. ``n_first = n0`` screens every
    portfolio on ``n0`` replications, as before the sequential screen (the finalists are
    still pruned, see :meth:`Screen.finalists`)."""
    m = len(candidates) if max_reforms is None else max_reforms
    allowed = within_budget(candidates, costs, budget, m)
    sign = 1.0 if minimize else -1.0
    screen = Screen(
        oracle,
        first=min(n_first or 3, n0),
        most=n0,
        sign=sign,
        delta=delta,
        confidence=confidence,
        requirements=requirements,
        finalists=finalists,
    )
    # Baseline and singles enter every prediction: they get all n0 replications.
    first = {s: n0 if len(s) <= 1 else screen.first for s in allowed if len(s) <= 2}
    screen.bring(first)  # one batch
    screen.settle()
    # Predict what was not simulated; simulate the most promising larger portfolios.
    means = screen.means()
    predicted = {s: _second_order(means, s) for s in allowed if len(s) > 2}
    ranked = sorted(
        predicted,
        key=lambda s: (_violation(predicted[s], requirements) > 0, sign * predicted[s][0]),
    )
    larger = ranked[:top]
    screen.take(larger, screen.first)
    screen.settle()
    simulated = [s for s in allowed if len(s) <= 2] + larger
    final = screen.finalists()
    if not final:
        empty = Selection(None, [], True, {}, {}, {})
        return Choice(
            budget,
            None,
            [],
            True,
            [],
            empty,
            len(allowed),
            simulated,
            _obj(predicted),
            screened=screen.counts(),
        )
    adapter = _Finalists(oracle, final, offset=n0)
    sel = paired_select(
        adapter,
        len(final),
        delta=delta,
        alpha=1 - confidence,
        n0=n0,
        max_reps=max_reps,
        minimize=minimize,
        requirements=requirements,
    )
    best = final[sel.best] if sel.best is not None else None
    return Choice(
        budget,
        best,
        [final[i] for i in sel.survivors],
        sel.separated,
        final,
        sel,
        len(allowed),
        simulated,
        _obj(predicted),
        first_replication=n0,
        screened=screen.counts(),
    )


def _obj(predicted: Mapping[Portfolio, np.ndarray]) -> dict[Portfolio, float]:
    return {s: float(v[0]) for s, v in predicted.items()}

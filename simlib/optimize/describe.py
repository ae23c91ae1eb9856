"""What the chosen package does: its change against today and what each reform adds.

Each *comparison* is the chosen package against another (today; the package without one of
its reforms), paired on common replications (replication r of both uses the same random
numbers). Instead of spending every replication the selection took on each comparison, the
replications come in *looks* (``first``, then doubling, up to ``cap``), and a comparison
stops at the first look where its confidence interval decides its verdict:

- **better** / **worse**: the interval lies on one side of 0 (in the objective's direction);
- **no material change**: the interval lies within ± the indifference zone (checked first,
  so a tiny but certain change is reported as immaterial);
- **not known**: the cap was reached undecided (never read as "no difference").

A verdict is wrong only if its interval missed the true mean, so every verdict of a package
is right together with probability ≥ ``confidence``: each interval is at level
1 − (1 − confidence)/(comparisons × looks) (Bonferroni over comparisons and over the looks
a comparison may stop at). Replications are numbered from 0, so runs the screen already
made (today, the singles, the pairs on their first replications) are reused; one look's
runs for every undecided comparison go to the oracle as one batch (parallel workers).
These are statements about the package once chosen, on runs that include those it was
chosen on: they describe it, they do not re-test the choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from simlib.experiment.stats import mean_ci

__all__ = ["Comparison", "Description", "describe", "description_level", "looks"]

Portfolio = tuple[str, ...]
TODAY = ""  # the comparison with today (no reform), among the reforms' names

VERDICTS = ("better", "worse", "no material change", "not known")


class _Oracle(Protocol):
    def observe(
        self, portfolios: Sequence[Portfolio], replications: Sequence[int]
    ) -> dict[tuple[Portfolio, int], np.ndarray]: ...


@dataclass(frozen=True)
class Comparison:
    """The chosen package minus another, paired: ``ci95`` for reading, ``ci`` at ``level``
    (the interval that decided ``verdict``), on ``replications`` common replications."""

    mean: float
    ci95: tuple[float, float]
    ci: tuple[float, float]
    verdict: str
    replications: int

    @property
    def triple(self) -> tuple[float, float, float]:
        """(mean, 95 % low, 95 % high), as the frontier's ``effect`` and contributions."""
        return self.mean, self.ci95[0], self.ci95[1]


@dataclass(frozen=True)
class Description:
    """The chosen package against today (``effect``) and without each of its reforms."""

    confidence: float  # every verdict right together with at least this probability
    level: float  # of each interval
    looks: tuple[int, ...]
    effect: Comparison
    contributions: dict[str, Comparison]

    @property
    def runs_per_comparison(self) -> dict[str, int]:
        return {TODAY: self.effect.replications} | {
            n: c.replications for n, c in self.contributions.items()
        }


def looks(first: int, cap: int) -> tuple[int, ...]:
    """Replication counts at which comparisons are judged: ``first``, doubling, then ``cap``."""
    if not first >= 2:
        raise ValueError(f"the first look needs at least 2 replications; got {first}")
    if cap < 2:
        raise ValueError(f"the cap must be at least 2 replications; got {cap}")
    out, n = [], min(first, cap)
    while n < cap:
        out.append(n)
        n *= 2
    return (*out, cap)


def description_level(confidence: float, comparisons: int, n_looks: int) -> float:
    """Level of each interval so that all verdicts hold together with ``confidence``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence}")
    return 1 - (1 - confidence) / (max(comparisons, 1) * max(n_looks, 1))


def _verdict(lo: float, hi: float, delta: float, minimize: bool) -> str | None:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    if -delta < lo and hi < delta:
        return "no material change"
    if hi < 0:
        return "better" if minimize else "worse"
    if lo > 0:
        return "worse" if minimize else "better"
    return None


def describe(
    oracle: _Oracle,
    chosen: Portfolio,
    *,
    delta: float,
    confidence: float,
    cap: int,
    minimize: bool = True,
    first: int = 5,
) -> Description:
    """Judge the chosen package against today and against itself without each reform.

    ``cap`` is the most replications any comparison gets (the selection's count for the
    chosen package); ``delta`` the objective's indifference zone. See the module docstring.
    """
    if not delta > 0:
        raise ValueError(f"the indifference zone must be > 0; got {delta}")
    others: dict[str, Portfolio] = {TODAY: ()} if chosen else {}
    others |= {b: tuple(a for a in chosen if a != b) for b in chosen}
    steps = looks(min(first, cap), cap)
    # one interval per distinct other package (a single's drop-one is today)
    level = description_level(confidence, len(set(others.values())), len(steps))
    diffs: dict[str, list[float]] = {name: [] for name in others}
    done: dict[str, Comparison] = {}
    have = 0
    for n in steps:
        open_ = [name for name in others if name not in done]
        if not open_:
            break
        reps = range(have, n)
        obs = oracle.observe([chosen, *(others[name] for name in open_)], reps)
        for name in open_:
            diffs[name] += [float(obs[(chosen, r)][0] - obs[(others[name], r)][0]) for r in reps]
        have = n
        for name in open_:
            x = np.array(diffs[name])
            _, lo, hi = mean_ci(x, level)
            verdict = _verdict(lo, hi, delta, minimize)
            if verdict is None and n == cap:
                verdict = "not known"
            if verdict is not None:
                m, lo95, hi95 = mean_ci(x)
                done[name] = Comparison(m, (lo95, hi95), (lo, hi), verdict, len(x))
    nothing = Comparison(0.0, (0.0, 0.0), (0.0, 0.0), "no material change", 0)
    return Description(
        confidence,
        level,
        steps,
        done.get(TODAY, nothing),
        {b: done[b] for b in chosen},
    )

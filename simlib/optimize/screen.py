"""The portfolio search's screen: replications spent only where they can change the answer.

The screen has one job: name the finalists (the best few portfolios that look feasible)
for the final selection. Every screened portfolio starts with ``first`` replications (common
random numbers: replication r is the same for all); after that a portfolio gets another
replication only while a test has not settled its place:

- *clearly infeasible* (a requirement's mean beyond bound + tolerance by more than t·SE):
  it cannot be a finalist; stop;
- *clearly outside* the finalists (worse than the last finalist, paired on common
  replications, by more than t·SE): stop, whatever its feasibility;
- *clearly inside* (better than the first non-finalist by more than t·SE) *and* clearly
  feasible (every requirement's mean below its bound by more than t·SE): stop.

Everything else (near the cut, or a finalist whose feasibility is unsure) gets one more
replication per round, up to ``most`` (this is OCBA's idea — replications go to the
candidates whose place is uncertain — with a stopping test instead of a fixed budget). t is
Student's quantile at the search's confidence for the replications in hand, so two or three
replications settle only large gaps.

The screen's tests carry no guarantee of their own (neither did screening every portfolio
on a fixed number of replications): the search's guarantee is the final selection's, on fresh
replications of the finalists. Finalists that the screen shows worse by more than the
indifference zone (+ t·SE) than a clearly feasible finalist are left out of the final
selection: they cannot be the best, and the final selection would spend up to its maximum on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from scipy import stats

from simlib.optimize.selection import Requirement

__all__ = ["Observations", "Request", "Screen", "observe_all"]

Portfolio = tuple[str, ...]
Request = tuple[Sequence[Portfolio], Sequence[int]]  # portfolios x replications
Observations = dict[tuple[Portfolio, int], np.ndarray]


class _Oracle(Protocol):
    def observe(
        self, portfolios: Sequence[Portfolio], replications: Sequence[int]
    ) -> Observations: ...


def observe_all(oracle: _Oracle, requests: Sequence[Request]) -> list[Observations]:
    """Each request's observations: one batch where the oracle can (``observe_all``, as the
    simulation oracle), else one ``observe`` per request."""
    batch = getattr(oracle, "observe_all", None)
    if batch is not None:
        return list(batch(requests))
    return [oracle.observe(p, r) for p, r in requests]


class Screen:
    """Screening observations per portfolio (replications 0, 1, ... in order)."""

    def __init__(
        self,
        oracle: _Oracle,
        *,
        first: int,
        most: int,
        sign: float,
        delta: float,
        confidence: float,
        requirements: Sequence[Requirement],
        finalists: int,
    ):
        if not 2 <= first <= most:
            raise ValueError(f"screening needs 2 <= first ({first}) <= most ({most})")
        self.oracle, self.first, self.most, self.sign = oracle, first, most, sign
        self.delta, self.requirements, self.k = delta, list(requirements), finalists
        self.level = 1 - (1 - confidence) / 2
        self.data: dict[Portfolio, list[np.ndarray]] = {}

    # -- observations ------------------------------------------------------------------
    def take(self, portfolios: Sequence[Portfolio], n: int) -> None:
        """Bring each portfolio to at least ``n`` replications (one batch)."""
        self.bring(dict.fromkeys(portfolios, n))

    def bring(self, targets: Mapping[Portfolio, int]) -> None:
        """Bring each portfolio to at least its target of replications: one request per
        (count held, target), all in one batch where the oracle can."""
        groups: dict[tuple[int, int], list[Portfolio]] = {}
        for s, n in targets.items():
            have = len(self.data.setdefault(s, []))
            if have < n:
                groups.setdefault((have, n), []).append(s)
        requests = [(group, range(have, n)) for (have, n), group in groups.items()]
        for (group, reps), obs in zip(requests, observe_all(self.oracle, requests), strict=True):
            for s in group:
                self.data[s].extend(np.asarray(obs[(s, r)], dtype=float) for r in reps)

    def counts(self) -> dict[Portfolio, int]:
        return {s: len(v) for s, v in self.data.items()}

    def means(self) -> dict[Portfolio, np.ndarray]:
        return {s: np.mean(v, axis=0) for s, v in self.data.items()}

    # -- tests ---------------------------------------------------------------------------
    def _t(self, n: int) -> float:
        return float(stats.t.ppf(self.level, n - 1))

    def _excess(self, s: Portfolio) -> list[tuple[float, float]]:
        """Per requirement: (mean excess over the bound, t·SE); positive excess violates."""
        x = np.array(self.data[s])
        n = len(x)
        out = []
        for req in self.requirements:
            col = x[:, req.index]
            excess = col.mean() - req.bound if req.sense == "max" else req.bound - col.mean()
            out.append((float(excess), self._t(n) * float(col.std(ddof=1)) / np.sqrt(n)))
        return out

    def infeasible(self, s: Portfolio) -> bool:
        reqs = zip(self._excess(s), self.requirements, strict=True)
        return any(e > req.tolerance + half for (e, half), req in reqs)

    def feasible(self, s: Portfolio) -> bool:
        return all(e < -half for e, half in self._excess(s))

    def _lead(self, better: Portfolio, worse: Portfolio, margin: float = 0.0) -> bool:
        """``better`` beats ``worse`` by more than margin + t·SE, paired on common reps."""
        m = min(len(self.data[better]), len(self.data[worse]))
        if m < 2:
            return False
        a = np.array(self.data[better][:m])[:, 0]
        b = np.array(self.data[worse][:m])[:, 0]
        d = self.sign * (b - a)  # > 0: better is better
        half = self._t(m) * float(d.std(ddof=1)) / np.sqrt(m)
        return float(d.mean()) > margin + half

    def ranked(self) -> list[Portfolio]:
        """Portfolios not clearly infeasible, best screening mean first."""
        means = self.means()
        hopeful = [s for s in self.data if not self.infeasible(s)]
        return sorted(hopeful, key=lambda s: self.sign * means[s][0])

    def pending(self) -> list[Portfolio]:
        """Portfolios whose place the test has not settled and that may take more reps."""
        ranked = self.ranked()
        out = []
        for pos, s in enumerate(ranked):
            if len(self.data[s]) >= self.most:
                continue
            if pos < self.k:
                inside = len(ranked) <= self.k or self._lead(s, ranked[self.k])
                if not (inside and self.feasible(s)):
                    out.append(s)
            elif not self._lead(ranked[self.k - 1], s):
                out.append(s)
        return out

    def settle(self) -> None:
        """One more replication to every pending portfolio, until none is pending."""
        while pending := self.pending():
            self.bring({s: len(self.data[s]) + 1 for s in pending})

    def finalists(self) -> list[Portfolio]:
        """The best ``k`` not clearly infeasible, less those clearly worse (by more than the
        indifference zone) than a clearly feasible one among them."""
        top = self.ranked()[: self.k]
        sure = [p for p in top if self.feasible(p)]
        return [s for s in top if not any(self._lead(p, s, self.delta) for p in sure)]

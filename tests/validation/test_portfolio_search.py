"""The portfolio search against portfolios with known means (no simulation): it finds the
true best feasible portfolio in repeated searches, with fewer runs than exhaustive KN, and
it is not fooled where effects do not add up."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from simlib.optimize.portfolio_search import additive_pick, search, within_budget
from simlib.optimize.selection import Requirement, kn_select

NAMES = ["a", "b", "c", "d", "e", "f"]
COSTS = {n: 100.0 for n in NAMES}
SINGLE = {"a": 3.0, "b": 2.0, "c": 0.0, "d": 0.5, "e": 1.5, "f": 1.0}  # reductions
PAIR = {("a", "b"): -1.5, ("c", "d"): 3.5}  # a, b overlap; c helps only once d is there
BASE, SD, RHO = 20.0, 1.0, 0.7
BOUND = 1.2  # requirement: value <= 1.2; e pushes it to 1.6 (infeasible)


def true_mean(s: tuple[str, ...]) -> tuple[float, float]:
    gain = sum(SINGLE[a] for a in s) + sum(PAIR.get(p, 0.0) for p in combinations(s, 2))
    return BASE - gain, 1.0 + 0.6 * ("e" in s)


class Known:
    """Normal observations around the true means; replication r shares one shock (CRN)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.runs: set[tuple[tuple[str, ...], int]] = set()

    def _noise(self, s: tuple[str, ...], r: int) -> tuple[float, float]:
        common = np.random.default_rng([self.seed, r]).standard_normal(2)
        tag = sum(2 ** NAMES.index(a) for a in s)
        own = np.random.default_rng([self.seed, r, 100 + tag]).standard_normal(2)
        return tuple(SD * (np.sqrt(RHO) * common + np.sqrt(1 - RHO) * own) * [1, 0.2])

    def observe(self, portfolios, replications):
        out = {}
        for s in portfolios:
            for r in replications:
                self.runs.add((s, r))
                m, q = true_mean(s)
                e1, e2 = self._noise(s, r)
                out[(s, r)] = np.array([m + e1, q + e2])
        return out


REQ = [Requirement(index=1, bound=BOUND, sense="max", tolerance=0.1)]
DELTA = 0.5


def _true_best(budget: float, m: int) -> float:
    feasible = [s for s in within_budget(NAMES, COSTS, budget, m) if true_mean(s)[1] <= BOUND]
    return min(true_mean(s)[0] for s in feasible)


def test_the_search_finds_the_true_best_in_repeated_searches():
    best = _true_best(300, 3)
    assert best == BASE - 7.0  # a + c + d
    hits, runs = 0, []
    for seed in range(60):
        oracle = Known(seed)
        choice = search(
            NAMES, COSTS, 300, oracle, delta=DELTA, max_reforms=3, n0=10, requirements=REQ
        )
        hits += choice.best is not None and true_mean(choice.best)[0] <= best + DELTA
        runs.append(len(oracle.runs))
    assert hits / 60 >= 0.95
    # Exhaustive KN over all 42 portfolios within budget, on the same oracles.
    allowed = within_budget(NAMES, COSTS, 300, 3)
    exhaustive = []
    for seed in range(10):
        oracle = Known(seed)

        class One:
            def observe(self, i, r, oracle=oracle):
                return oracle.observe([allowed[i]], [r])[(allowed[i], r)]

        kn_select(One(), len(allowed), delta=DELTA, n0=10, requirements=REQ, max_reps=500)
        exhaustive.append(len(oracle.runs))
    assert np.mean(runs) < 0.6 * np.mean(exhaustive)
    print(
        f"correct {hits}/60; search {np.mean(runs):.0f} runs vs exhaustive KN {np.mean(exhaustive):.0f}"
    )


def test_additive_screen_picks_wrong_where_the_search_picks_right():
    oracle = Known(7)
    allowed = within_budget(NAMES, COSTS, 200, 2)
    obs = oracle.observe(allowed, range(10))
    means = {s: np.mean([obs[(s, r)] for r in range(10)], axis=0) for s in allowed}
    feasible = [s for s in allowed if "e" not in s]
    assert additive_pick(feasible, means, minimize=True) == ("a", "b")  # double counts
    choice = search(NAMES, COSTS, 200, oracle, delta=DELTA, max_reforms=2, n0=10, requirements=REQ)
    assert choice.best == ("c", "d") and true_mean(("c", "d"))[0] < true_mean(("a", "b"))[0]


def test_sequential_screen_spends_fewer_runs_and_still_finds_the_true_best():
    """Against screening every portfolio on n0 replications (``n_first=n0``, the search
    before the sequential screen), on the same oracles: as often right, fewer runs."""
    best = _true_best(300, 3)
    right = {"fixed": 0, "sequential": 0}
    runs = {"fixed": [], "sequential": []}
    spread = set()  # screening replications per pair: 3 where settled, more near the cut
    for seed in range(8):
        for mode, first in (("fixed", 10), ("sequential", 3)):
            oracle = Known(seed)
            choice = search(
                NAMES, COSTS, 300, oracle, delta=DELTA, max_reforms=3, n0=10,
                requirements=REQ, n_first=first,
            )  # fmt: skip
            right[mode] += choice.best is not None and true_mean(choice.best)[0] <= best + DELTA
            runs[mode].append(len(oracle.runs))
            if mode == "sequential":
                spread |= {n for s, n in choice.screened.items() if len(s) == 2}
    assert {3, 10} <= spread  # stopped early where clear, sampled to n0 where not
    assert right["sequential"] >= 7 and right["fixed"] >= 7
    assert np.mean(runs["sequential"]) < 0.85 * np.mean(runs["fixed"])
    print(
        f"runs: fixed screen {np.mean(runs['fixed']):.0f}, sequential {np.mean(runs['sequential']):.0f}"
    )


class Clear(Known):
    """The same portfolios with a tenth of the noise: every decision is clear."""

    def observe(self, portfolios, replications):
        out = super().observe(portfolios, replications)
        for (s, _r), y in out.items():
            m, q = true_mean(s)
            y[0], y[1] = m + (y[0] - m) / 10, q + (y[1] - q) / 10
        return out


def test_early_stop_does_not_change_a_clear_decision():
    for seed in range(2):
        choices = {}
        for first in (3, 10):
            oracle = Clear(seed)
            choices[first] = search(
                NAMES, COSTS, 300, oracle, delta=DELTA, max_reforms=3, n0=10,
                requirements=REQ, n_first=first,
            )  # fmt: skip
            choices[first].runs = len(oracle.runs)
        assert choices[3].best == choices[10].best == ("a", "c", "d")
        assert choices[3].separated and choices[10].separated
        # Stopped early: clearly infeasible portfolios (all with e) got 3 replications.
        screened = choices[3].screened
        assert all(n == 3 for s, n in screened.items() if "e" in s and len(s) >= 2)
        assert choices[3].runs < choices[10].runs

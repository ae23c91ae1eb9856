"""Budgets searched in lockstep: the same decisions and the same runs as one after the other,
in fewer batches (fuller waves on two workers); errors stop every search."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib.optimize.lockstep import in_lockstep
from simlib.optimize.portfolio_search import search
from simlib.optimize.selection import PAIRED
from tests.validation.test_portfolio_search import COSTS, DELTA, NAMES, REQ, Known


class Batches(Known):
    """The known oracle with ``observe_all``: records each batch's new runs."""

    def __init__(self, seed: int):
        super().__init__(seed)
        self.batches: list[int] = []

    def observe(self, portfolios, replications):
        return self.observe_all([(portfolios, replications)])[0]

    def observe_all(self, requests):
        new = {(s, r) for p, reps in requests for s in p for r in reps} - self.runs
        if new:
            self.batches.append(len(new))
        return [Known.observe(self, p, r) for p, r in requests]

    def waves(self, workers: int = 2) -> int:
        """Rounds of ``workers`` runs at once: the wall time on an idle machine, in runs."""
        return sum(math.ceil(n / workers) for n in self.batches)


def _search(budget: float):
    def task(oracle):
        return search(
            NAMES, COSTS, budget, oracle, delta=DELTA, max_reforms=3, n0=10, requirements=REQ
        )

    return task


def _same(a, b) -> None:
    assert (a.best, a.survivors, a.finalists) == (b.best, b.survivors, b.finalists)
    assert a.screened == b.screened and a.selection.replications == b.selection.replications


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lockstep_decides_as_one_after_the_other_with_the_same_runs(seed):
    budgets = [200.0, 300.0]
    alone = Batches(seed)
    one_by_one = [_search(b)(alone) for b in budgets]
    together = Batches(seed)
    both = in_lockstep(together, [_search(b) for b in budgets])
    for a, b in zip(one_by_one, both, strict=True):
        _same(a, b)
    assert together.runs == alone.runs
    assert len(together.batches) < len(alone.batches)
    assert together.waves() <= alone.waves()


class Failing(Batches):
    def observe_all(self, requests):
        if len(self.runs) > 100:
            raise ValueError("a run failed (replication 7): boom")
        return super().observe_all(requests)


def test_a_failed_run_stops_every_search_with_its_error():
    with pytest.raises(ValueError, match="boom"):
        in_lockstep(Failing(0), [_search(200.0), _search(300.0)])


def test_a_search_that_fails_does_not_hold_up_the_others():
    done = []

    def bad(oracle):
        oracle.observe([()], [0])
        raise RuntimeError("bad search")

    def good(oracle):
        done.append(_search(300.0)(oracle))
        return done[-1]

    with pytest.raises(RuntimeError, match="bad search"):
        in_lockstep(Batches(0), [bad, good])
    assert done and done[0].best is not None
    assert np.isfinite(done[0].selection.means[done[0].selection.best])


def test_the_final_selection_runs_each_look_as_one_batch():
    """The final selection's fresh replications (numbers n0 = 10 onwards) come in looks:
    one batch per look at most, holding every run the selection took."""
    for seed in range(3):
        oracle = Batches(seed)
        fresh: list[int] = []
        original = oracle.observe_all

        def spy(requests, original=original, fresh=fresh, oracle=oracle):
            new = {(s, r) for p, reps in requests for s in p for r in reps} - oracle.runs
            if new and min(r for _, r in new) >= 10:
                fresh.append(len(new))
            return original(requests)

        oracle.observe_all = spy  # type: ignore[method-assign]
        choice = _search(300.0)(oracle)
        sel = choice.selection
        assert sel.method == PAIRED and sel.looks[0] == 10
        assert 1 <= len(fresh) <= len(sel.looks)
        assert sum(fresh) == sel.total_replications

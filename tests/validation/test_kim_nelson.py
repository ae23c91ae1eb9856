"""Kim–Nelson on its own, against normal populations with known means (no simulation).

The slippage configuration (the best exactly δ better than all others) is the least
favourable one for an indifference-zone procedure, so PCS there is what the guarantee
is about. Each macro-replication draws fresh populations; the naive "best sample mean
after n0" control shows the configuration is hard enough for the test to fail on a
procedure without the guarantee.
"""

from __future__ import annotations

import numpy as np
import pytest

from simlib.optimize.selection import Requirement, continuation, kn_h2, kn_select


class Normal:
    """Systems with means ``mu`` and sd ``sd``; replication r shares a common shock (CRN)."""

    def __init__(self, mu, sd, rho, rng, req_mu=None, req_sd=1.0, reps=2000):
        k = len(mu)
        common = rng.standard_normal((reps, 1))
        own = rng.standard_normal((reps, k))
        self.x = np.asarray(mu) + np.asarray(sd) * (np.sqrt(rho) * common + np.sqrt(1 - rho) * own)
        self.y = None
        if req_mu is not None:
            self.y = np.asarray(req_mu) + req_sd * rng.standard_normal((reps, k))
        self.calls = 0

    def observe(self, system: int, replication: int):
        self.calls += 1
        if self.y is None:
            return [self.x[replication, system]]
        return [self.x[replication, system], self.y[replication, system]]


def _pcs(make, macro, select=kn_select, **kw):
    """Share of macro-replications in which ``select`` picks the truth; mean observations."""
    correct, calls = 0, 0
    for m in range(macro):
        adapter, truth = make(np.random.default_rng(1000 + m))
        sel = select(adapter, len(adapter.x[0]), **kw)
        correct += sel.best == truth
        calls += adapter.calls
    return correct / macro, calls / macro


def test_h2_matches_the_kn_formula():
    # KN (2001): eta = ((2 alpha / (k-1))^(-2/(n0-1)) - 1) / 2, h^2 = 2 eta (n0 - 1).
    n0, k, alpha = 10, 5, 0.05
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    assert kn_h2(n0, alpha / (k - 1)) == pytest.approx(2 * eta * (n0 - 1))
    assert continuation(1000, 1.0, 10.0, 1.0) == 0.0


@pytest.mark.parametrize("rho", [0.0, 0.8])
def test_probability_of_correct_selection_in_the_slippage_configuration(rho):
    k, delta, alpha = 5, 0.5, 0.05
    mu = [delta] + [0.0] * (k - 1)  # maximise: system 0 is best by exactly delta

    def make(rng):
        return Normal(mu, 1.0, rho, rng), 0

    pcs, calls = _pcs(make, 300, delta=delta, alpha=alpha, n0=10, minimize=False)
    assert pcs >= 1 - alpha
    naive = np.mean(
        [
            int(np.argmax(Normal(mu, 1.0, rho, np.random.default_rng(1000 + m)).x[:10].mean(0)))
            == 0
            for m in range(300)
        ]
    )
    if rho == 0.0:
        assert naive < 1 - alpha  # ten replications each are not enough: the test can fail
    # CRN makes the differences less variable, so KN needs fewer replications.
    if rho == 0.8:
        _, calls_indep = _pcs(
            lambda rng: (Normal(mu, 1.0, 0.0, rng), 0),
            100,
            delta=delta,
            alpha=alpha,
            n0=10,
            minimize=False,
        )
        assert calls < 0.5 * calls_indep


def test_minimise_and_unequal_variances():
    mu = [3.0, 2.0, 2.4, 2.6]  # minimise: system 1
    sd = [1.0, 2.0, 0.5, 1.5]

    def make(rng):
        return Normal(mu, sd, 0.5, rng), 1

    pcs, _ = _pcs(make, 200, delta=0.4, alpha=0.05, n0=10, minimize=True)
    assert pcs >= 0.95


def test_best_feasible_system_with_a_requirement():
    # Objective (maximise): system 0 best but infeasible (requirement mean 1.5 > 1.0);
    # system 1 best among the feasible; system 3 is feasible but worse.
    mu = [1.0, 0.5, 0.0, 0.0]
    req_mu = [1.5, 0.5, 1.6, 0.4]
    req = [Requirement(index=1, bound=1.0, sense="max", tolerance=0.25)]

    def make(rng):
        return Normal(mu, 1.0, 0.5, rng, req_mu=req_mu), 1

    pcs, _ = _pcs(make, 200, delta=0.5, alpha=0.05, n0=10, minimize=False, requirements=req)
    assert pcs >= 0.95


def test_nothing_feasible_and_inseparable_sets_are_reported():
    req = [Requirement(index=1, bound=0.0, sense="max", tolerance=0.2)]
    sel = kn_select(
        Normal([0, 0], 1.0, 0.0, np.random.default_rng(1), req_mu=[1.0, 1.0]),
        2,
        delta=0.1,
        n0=10,
        requirements=req,
    )
    assert sel.best is None and sel.survivors == [] and sel.separated  # decided: none
    # Two equal systems and too few replications to close the region: not separated.
    sel = kn_select(
        Normal([0, 0, -5], 1.0, 0.0, np.random.default_rng(2)),
        3,
        delta=0.5,
        n0=10,
        max_reps=12,
        minimize=False,
    )
    assert not sel.separated and sorted(sel.survivors) == [0, 1]
    assert sel.replications[2] == 10 and sel.replications[0] == 12
    # Identical systems under CRN (zero variance of differences) end at once on a tie.
    a = Normal([1, 1], 1.0, 1.0, np.random.default_rng(3))
    sel = kn_select(a, 2, delta=0.1, n0=5, minimize=False)
    assert sel.separated and sel.best == 0 and a.calls == 10


def test_bad_arguments_are_named():
    a = Normal([0, 1], 1.0, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="delta"):
        kn_select(a, 2, delta=0)
    with pytest.raises(ValueError, match="max_reps"):
        kn_select(a, 2, delta=1, n0=10, max_reps=5)

"""The portfolio search's final selection (paired t-tests in looks) on its own, against
normal populations with known means (no simulation).

The slippage configuration (the best exactly δ better, all others equal) is the least
favourable one for an indifference-zone procedure, so PCS there is what the guarantee is
about. Checked by hand: with the Bonferroni correction removed (each test at α), PCS falls
to 0.715 (independent), 0.91 (CRN) and 0.79 (feasibility at the tolerances) on these
macro-replications, so each test below fails; without only the looks' factor or only the
comparisons' factor the independent case falls to 0.885 and 0.945.
"""

from __future__ import annotations

import numpy as np
import pytest

from simlib.optimize.selection import PAIRED, Requirement, kn_select, paired_select
from tests.validation.test_kim_nelson import Normal
from tests.validation.test_kim_nelson import _pcs as pcs_of

ALPHA = 0.05


def _pcs(make, macro, select=paired_select, **kw):
    """Share of macro-replications that select the truth; mean observations taken."""
    return pcs_of(make, macro, select=select, **kw)


@pytest.mark.parametrize("rho", [0.0, 0.8])
def test_probability_of_correct_selection_in_the_slippage_configuration(rho):
    k, delta = 5, 0.5
    mu = [delta] + [0.0] * (k - 1)  # maximise: system 0 best by exactly delta

    def make(rng):
        return Normal(mu, 1.0, rho, rng), 0

    pcs, _ = _pcs(make, 200, delta=delta, alpha=ALPHA, n0=5, max_reps=160, minimize=False)
    assert pcs >= 1 - ALPHA


def test_feasibility_at_its_tolerances_and_the_best_feasible_by_delta():
    # Maximise; system 0 has the best objective but its requirement mean lies exactly at
    # bound + tolerance (infeasible); system 1 is best among the feasible by delta, with its
    # requirement mean exactly at bound - tolerance, like the others: the hardest case.
    req = [Requirement(index=1, bound=1.0, sense="max", tolerance=0.25)]

    def make(rng):
        return Normal([1.0, 0.5, 0.0, 0.0], 1.0, 0.5, rng, req_mu=[1.25, 0.75, 0.75, 0.75]), 1

    pcs, _ = _pcs(
        make, 200, delta=0.5, alpha=ALPHA, n0=5, max_reps=160, minimize=False, requirements=req
    )
    assert pcs >= 1 - ALPHA


def test_a_clear_gap_with_noisy_differences_takes_far_fewer_runs_than_kim_nelson():
    """The portfolio's case: differences much noisier than delta (S ≈ 0.7, δ = 0.1) and a
    gap of 0.9: KN's region cannot close within 40 replications, the looks decide."""

    def make(rng):
        return Normal([-0.9, 0.0, 0.0], 1.0, 0.75, rng), 0  # minimise: system 0

    kw = dict(delta=0.1, alpha=ALPHA, n0=5, max_reps=40, minimize=True)
    pcs, calls = _pcs(make, 100, **kw)
    pcs_kn, calls_kn = _pcs(make, 100, select=kn_select, **kw)
    assert pcs >= 1 - ALPHA and pcs_kn >= 1 - ALPHA
    assert calls < 0.6 * calls_kn


def test_minimise_and_unequal_variances():
    def make(rng):
        return Normal([3.0, 2.0, 2.4, 2.6], [1.0, 2.0, 0.5, 1.5], 0.5, rng), 1

    pcs, _ = _pcs(make, 200, delta=0.4, alpha=ALPHA, n0=10, minimize=True)
    assert pcs >= 1 - ALPHA


def test_one_system():
    sel = paired_select(Normal([0.0], 1.0, 0.0, np.random.default_rng(0)), 1, delta=0.1, n0=5)
    assert (sel.best, sel.survivors, sel.separated, sel.replications) == (0, [0], True, {0: 5})
    assert sel.method == PAIRED
    assert sel.looks == (*range(5, 41, 5), 80, 160, 320, 640, 1000)
    # Alone but with a requirement it clearly fails: nothing feasible.
    req = [Requirement(index=1, bound=0.0, sense="max", tolerance=0.2)]
    alone = Normal([0.0], 1.0, 0.0, np.random.default_rng(0), req_mu=[2.0])
    sel = paired_select(alone, 1, delta=0.1, n0=5, requirements=req)
    assert sel.best is None and sel.survivors == [] and sel.feasible == {0: False}


def test_ties_nothing_feasible_and_the_cap():
    # Identical systems under CRN (zero variance of differences): decided at the first
    # look, the lower index kept.
    a = Normal([1, 1], 1.0, 1.0, np.random.default_rng(3))
    sel = paired_select(a, 2, delta=0.1, n0=5, minimize=False)
    assert sel.separated and sel.best == 0 and a.calls == 10
    # Nothing feasible: decided, no survivor.
    req = [Requirement(index=1, bound=0.0, sense="max", tolerance=0.2)]
    none = Normal([0, 0], 1.0, 0.0, np.random.default_rng(1), req_mu=[1.0, 1.0])
    sel = paired_select(none, 2, delta=0.1, n0=10, requirements=req)
    assert sel.best is None and sel.survivors == [] and sel.separated
    # Two equal systems, a clearly worse third and a cap of 12: the third goes at the first
    # look (10), the pair reaches the cap undecided (looks 10 and 12): not separated.
    sel = paired_select(
        Normal([0, 0, -5], 1.0, 0.0, np.random.default_rng(2)),
        3,
        delta=0.1,
        n0=10,
        max_reps=12,
        minimize=False,
    )
    assert sel.looks == (10, 12)
    assert not sel.separated and sorted(sel.survivors) == [0, 1] and sel.best in (0, 1)
    assert sel.replications == {0: 12, 1: 12, 2: 10}


def test_a_system_never_shown_feasible_eliminates_nothing():
    # System 0 is far better but its requirement mean sits on the bound (never decided):
    # it cannot eliminate the others, and the result says it is undecided.
    req = [Requirement(index=1, bound=1.0, sense="max", tolerance=0.01)]
    a = Normal([5.0, 0.0], 1.0, 0.0, np.random.default_rng(4), req_mu=[1.0, 0.0])
    sel = paired_select(a, 2, delta=0.1, n0=5, max_reps=20, minimize=False, requirements=req)
    assert sel.feasible[0] is None and sel.feasible[1] is True
    assert sel.survivors == [0, 1] and not sel.separated and sel.best == 0


def test_bad_arguments_are_named():
    a = Normal([0, 1], 1.0, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="delta"):
        paired_select(a, 2, delta=0)
    with pytest.raises(ValueError, match="max_reps"):
        paired_select(a, 2, delta=1, n0=10, max_reps=5)
    with pytest.raises(ValueError, match="n0"):
        paired_select(a, 2, delta=1, n0=1)
    with pytest.raises(ValueError, match="alpha"):
        paired_select(a, 2, delta=1, alpha=1.5)
    with pytest.raises(ValueError, match="k must"):
        paired_select(a, 0, delta=1)
    bad = Normal([0.0, np.nan], 1.0, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite"):
        paired_select(bad, 2, delta=1)

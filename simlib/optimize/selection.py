"""Ranking and selection with feasibility checks: paired t-tests in looks, and Kim–Nelson.

The procedures know nothing of simulation models: they ask an *adapter* for one replication
of system ``i`` with replication number ``r`` and get back a vector of observations
(``[objective, requirement_1, ...]``). Replication ``r`` of every system is meant to use the
same random numbers (CRN): both procedures work on the *paired differences*, so positive
correlation between systems directly shrinks the number of replications.

**Paired t in looks** (:func:`paired_select`, the portfolio search's final selection).
Replications come in looks fixed in advance (every ``n0`` up to 8·n0, then doubling, then
``max_reps``: L looks, :func:`selection_looks`); at each look every system still sampled has
the same n replications. The error α is split as KN splits
it: α/2 for the k·s feasibility decisions, α/2 (α without requirements) for selection.

- Feasibility of requirement q of system i (``E[Y] <= b`` with tolerance ε): with the
  one-sided Student-t bound at error α_f = (α/2)/(k·s·L) on the mean excess m = E[Y] − b,
  *feasible* once the sample excess is <= 0 and its upper bound < ε, *infeasible* once the
  sample excess is > 0 and its lower bound > −ε.
- Elimination, only by a system j already declared feasible and still sampled: i is out
  once j's sample mean is better and the one-sided bound at error α_s = (α/2)/((k−1)·L) on
  μ_j − μ_i (oriented so larger is better; paired on common replications) is above −δ.
- Stop once one feasible survivor is left (``separated``), or at ``max_reps`` (the survivors
  are the set that could not be separated, as with KN).

Why the best is returned with probability ≥ 1 − α (indifference zone: the best feasible
system b beats every other feasible one by ≥ δ, and no requirement mean lies within ε of its
bound). Let E be the event that every one of these bounds holds: for every l ≠ b and every
look, the lower bound on μ_l − μ_b; for every system, requirement and look, the bound on
the side that could mislead (upper for a mean ≥ b + ε, lower for one ≤ b − ε). These are
(k−1)·L + k·s·L one-sided bounds, each of a fixed sample size (the looks are fixed in
advance; which of them the procedure reads does not change what each bound covers), so
P(not E) ≤ (k−1)·L·α_s + k·s·L·α_f = α (Bonferroni; no independence needed). On E: no
infeasible system is declared feasible (its upper bound would lie below its mean), so none
eliminates anything; b is never declared infeasible (its lower bound would lie above its
mean); and no l eliminates b, since that needs a lower bound on μ_l − μ_b above −δ ≥
μ_l − μ_b. So b survives every look: a separated result is b, and an unseparated one
contains b. Like KN's, the guarantee rests on normal (or nearly normal, by the central
limit theorem, for run means) paired differences.

Why this and not KN here: KN fixes the variance S² of the differences after ``n0`` and
closes its triangular region only at r ≈ h²S²/δ²; where S is much larger than δ (the green
approval portfolio: S ≈ 1.1–1.3 days, δ = 0.1) that is hundreds of replications, so packages
0.6–0.7 day apart ran to ``max_reps`` = 40 unseparated; the looks separate them at 30. The looks
re-estimate the variance, and a difference the data settle is settled at the next look; the
price is a t-quantile at α_s per look (Bonferroni over L looks), which costs more than KN
where S is near δ. The looks also make each round one batch of runs (parallel workers).

**Kim–Nelson** (:func:`kn_select`; Kim & Nelson 2001, "KN"): after ``n0`` replications of
every system, the variance S²_il of X_i − X_l is fixed; then one replication at a time,
system i is eliminated by l once Σ(X_l − X_i) (oriented so larger is better) leaves the
triangular continuation region R(r) = max(0, h²S²_il/(2δ) − δr/2), with
h² = (n0−1)[(2β)^(−2/(n0−1)) − 1] for a pairwise error β. The best system (if it beats every
other by ≥ δ) survives every comparison with probability ≥ 1 − (k−1)β.

KN's feasibility (a requirement ``E[Y] ≤ q`` or ``≥ q``): the feasibility check of Andradóttir
& Kim (2010) with the same triangular region on Σ(Y − q) and tolerance ε: feasible once the sum
is below −R, infeasible once above +R (for ``≤``). Errors are split by Bonferroni:
α/2 for all k·s feasibility decisions (α/(2ks) each), α/2 for the k−1 pairwise
eliminations of the best (α/(2(k−1)) each). Only systems already *declared feasible* may
eliminate others (a system that later proves infeasible must not have removed the best).
So the best feasible system is returned with probability ≥ 1 − α when it is at least δ
better than every other feasible system and no requirement mean lies within ε of its
threshold. When replications run out (``max_reps``) the surviving systems are returned
as the set that could not be separated, and ``separated`` is False.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
from scipy import stats

__all__ = [
    "KN",
    "PAIRED",
    "Adapter",
    "Requirement",
    "Selection",
    "continuation",
    "kn_h2",
    "kn_select",
    "paired_select",
    "selection_looks",
]

KN = "Kim–Nelson"
PAIRED = "paired t in looks"


class Adapter(Protocol):
    """Runs one replication of a system: ``observe(i, r)`` → [objective, req_1, ...].

    An adapter may also have ``prefetch(systems, r)``, called before each round, to run
    that round's replications together (on parallel workers)."""

    def observe(self, system: int, replication: int) -> Sequence[float] | np.ndarray: ...


@dataclass(frozen=True)
class Requirement:
    """``E[observation[index]] <= bound`` (sense "max") or ``>= bound`` (sense "min"),
    decided with tolerance ``tolerance`` (means within it of the bound may go either way)."""

    index: int
    bound: float
    sense: Literal["max", "min"]
    tolerance: float

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError("a requirement's index must be >= 1 (0 is the objective)")
        if not self.tolerance > 0:
            raise ValueError(f"a requirement's tolerance must be > 0; got {self.tolerance}")


@dataclass
class Selection:
    """What KN found: the chosen system, the survivors, and what each system cost."""

    best: int | None  # None: no system was found feasible
    survivors: list[int]  # more than one: the set that could not be separated
    separated: bool  # True: one feasible survivor, with the stated guarantee
    feasible: dict[int, bool | None]  # None: undecided when sampling stopped
    means: dict[int, float]  # objective sample means
    replications: dict[int, int]  # replications taken per system
    observations: dict[int, np.ndarray] = field(repr=False, default_factory=dict)
    method: str = KN  # KN, or PAIRED (paired t-tests in looks)
    looks: tuple[int, ...] = ()  # replication counts at which PAIRED decides

    @property
    def total_replications(self) -> int:
        return sum(self.replications.values())


def kn_h2(n0: int, beta: float) -> float:
    """h² of the triangular region for a pairwise error ``beta`` after ``n0`` first-stage reps."""
    if n0 < 2:
        raise ValueError(f"n0 must be >= 2; got {n0}")
    if not 0 < beta < 0.5:
        raise ValueError(f"the pairwise error must be in (0, 0.5); got {beta}")
    return (n0 - 1) * ((2 * beta) ** (-2 / (n0 - 1)) - 1)


def continuation(r: int, delta: float, h2: float, s2: float) -> float:
    """Half-width R(r) of the triangular continuation region for a sum of r observations."""
    return max(0.0, h2 * s2 / (2 * delta) - delta * r / 2)


def kn_select(
    adapter: Adapter,
    k: int,
    *,
    delta: float,
    alpha: float = 0.05,
    n0: int = 10,
    max_reps: int = 1000,
    minimize: bool = True,
    requirements: Sequence[Requirement] = (),
) -> Selection:
    """Select the best (feasible) of ``k`` systems; see the module docstring for the rules."""
    _check(k, delta, alpha, n0, max_reps)
    n_req = len(requirements)
    a_sel = alpha / 2 if n_req else alpha
    a_feas = alpha / 2
    h2_sel = kn_h2(n0, a_sel / max(k - 1, 1))
    h2_feas = kn_h2(n0, a_feas / (k * n_req)) if n_req else 0.0
    sign = -1.0 if minimize else 1.0

    obs: dict[int, list[np.ndarray]] = {i: [] for i in range(k)}

    def take(i: int, r: int) -> None:
        obs[i].append(_observe(adapter, i, r, n_req))

    prefetch = getattr(adapter, "prefetch", None)  # optional: run a step's replications at once
    for r in range(n0):
        if prefetch is not None:
            prefetch(list(range(k)), r)
        for i in range(k):
            take(i, r)
    first = {i: np.array(obs[i]) for i in range(k)}
    # Variances of differences and of requirement observations, fixed after stage one.
    s2 = {
        (i, j): float(np.var(first[i][:, 0] - first[j][:, 0], ddof=1))
        for i in range(k)
        for j in range(k)
        if i != j
    }
    s2_req = {
        (i, q): float(np.var(first[i][:, 1 + q], ddof=1)) for i in range(k) for q in range(n_req)
    }
    status: dict[tuple[int, int], bool | None] = {
        (i, q): None for i in range(k) for q in range(n_req)
    }
    alive = set(range(k))
    r = n0
    while True:
        # Feasibility decisions on the r observations so far.
        for i in sorted(alive):
            y = np.array(obs[i])
            for q, req in enumerate(requirements):
                if status[(i, q)] is not None:
                    continue
                excess = float(np.sum(y[:, 1 + q] - req.bound))
                if req.sense == "min":
                    excess = -excess  # positive means violating
                bound = continuation(r, req.tolerance, h2_feas, s2_req[(i, q)])
                if excess <= -bound if bound > 0 else excess <= 0:
                    status[(i, q)] = True
                elif excess >= bound:  # at bound 0 the region has closed: decided by sign
                    status[(i, q)] = False
        feasible = {i: _feasible(status, i, n_req) for i in range(k)}
        alive -= {i for i in alive if feasible[i] is False}
        # Eliminations, only by systems declared feasible.
        sums = {i: sign * np.sum(np.array(obs[i])[:, 0]) for i in alive}
        out = set()
        for i in alive:
            for j in alive:
                if i == j or not feasible[j]:
                    continue
                lead = sums[j] - sums[i]
                bound = continuation(r, delta, h2_sel, s2[(i, j)])
                # At bound 0 an exact tie (identical systems under CRN) keeps the lower index.
                if lead > bound or (bound == 0 and lead == 0 and j < i):
                    out.add(i)
                    break
        alive -= out
        done = not alive or (len(alive) == 1 and feasible[next(iter(alive))] is True)
        if done or r >= max_reps:
            break
        if prefetch is not None:
            prefetch(sorted(alive), r)
        for i in sorted(alive):
            take(i, r)
        r += 1
    return _result(obs, alive, feasible, sign, k, method=KN, steps=())


def _feasible(status: dict[tuple[int, int], bool | None], i: int, n_req: int) -> bool | None:
    decided = [status[(i, q)] for q in range(n_req)]
    if any(d is False for d in decided):
        return False
    if all(d is True for d in decided):
        return True
    return None


def paired_select(
    adapter: Adapter,
    k: int,
    *,
    delta: float,
    alpha: float = 0.05,
    n0: int = 10,
    max_reps: int = 1000,
    minimize: bool = True,
    requirements: Sequence[Requirement] = (),
) -> Selection:
    """Select the best (feasible) of ``k`` systems with paired t-tests in looks
    (:func:`selection_looks`); same arguments and result as :func:`kn_select`. See the module
    docstring for the rules and the guarantee."""
    _check(k, delta, alpha, n0, max_reps)
    n_req = len(requirements)
    steps = selection_looks(n0, max_reps)
    a_sel = alpha / 2 if n_req else alpha
    a_feas = alpha / 2
    # One-sided error of each test: Bonferroni over the best's k-1 comparisons (or the
    # k·s feasibility decisions) and over the looks at which any of them may be decided.
    e_sel = a_sel / (max(k - 1, 1) * len(steps))
    e_feas = a_feas / (max(k * n_req, 1) * len(steps))
    sign = -1.0 if minimize else 1.0
    obs: dict[int, list[np.ndarray]] = {i: [] for i in range(k)}
    status: dict[tuple[int, int], bool | None] = {
        (i, q): None for i in range(k) for q in range(n_req)
    }
    feasible: dict[int, bool | None] = {i: _feasible(status, i, n_req) for i in range(k)}
    alive = set(range(k))
    have = 0
    for n in steps:
        _sample(adapter, obs, sorted(alive), range(have, n), n_req)
        have = n
        t_feas = float(stats.t.ppf(1 - e_feas, n - 1))
        t_sel = float(stats.t.ppf(1 - e_sel, n - 1))
        for i in sorted(alive):
            y = np.array(obs[i])
            for q, req in enumerate(requirements):
                if status[(i, q)] is None:
                    status[(i, q)] = _feasibility(y[:, req.index], req, t_feas)
        feasible = {i: _feasible(status, i, n_req) for i in range(k)}
        alive -= {i for i in alive if feasible[i] is False}
        x = {i: sign * np.array(obs[i])[:, 0] for i in alive}  # larger is better
        out = set()
        for i in sorted(alive):
            for j in sorted(alive):
                if i == j or not feasible[j]:
                    continue
                d = x[j] - x[i]  # paired on common replications
                lead = float(d.mean())
                half = t_sel * float(d.std(ddof=1)) / np.sqrt(n)
                # j better in the mean and the one-sided bound on mu_j - mu_i above -delta;
                # an exact tie (identical systems under CRN) keeps the lower index.
                if (lead > 0 or (lead == 0 and j < i)) and lead - half > -delta:
                    out.add(i)
                    break
        alive -= out
        if not alive or (len(alive) == 1 and feasible[next(iter(alive))] is True):
            break
    return _result(obs, alive, feasible, sign, k, method=PAIRED, steps=steps)


def selection_looks(n0: int, cap: int, fine: int = 8) -> tuple[int, ...]:
    """Replication counts at which :func:`paired_select` decides: every ``n0`` up to
    ``fine``·n0 (where a selection usually ends: each look costs only a little more error
    per test), then doubling, then ``cap``. Fixed in advance, as the guarantee needs."""
    if n0 < 2 or cap < n0:
        raise ValueError(f"looks need 2 <= n0 ({n0}) <= cap ({cap})")
    out = [n0 * i for i in range(1, fine + 1) if n0 * i < cap]
    n = n0 * fine * 2
    while n < cap:
        out.append(n)
        n *= 2
    return (*out, cap)


def _check(k: int, delta: float, alpha: float, n0: int, max_reps: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    if not delta > 0:
        raise ValueError(f"the indifference zone delta must be > 0; got {delta}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha}")
    if n0 < 2:
        raise ValueError(f"n0 must be >= 2; got {n0}")
    if max_reps < n0:
        raise ValueError(f"max_reps ({max_reps}) must be >= n0 ({n0})")


def _observe(adapter: Adapter, i: int, r: int, n_req: int) -> np.ndarray:
    y = np.asarray(adapter.observe(i, r), dtype=float)
    if y.shape != (1 + n_req,) or not np.all(np.isfinite(y)):
        raise ValueError(
            f"system {i}, replication {r}: expected {1 + n_req} finite observations, got {y}"
        )
    return y


def _sample(
    adapter: Adapter,
    obs: dict[int, list[np.ndarray]],
    systems: list[int],
    replications: range,
    n_req: int,
) -> None:
    """One look's replications of the systems still sampled: announced to the adapter as
    one batch (``prefetch_look``), else round by round (``prefetch``), then observed."""
    if not systems or not replications:
        return
    look = getattr(adapter, "prefetch_look", None)
    prefetch = getattr(adapter, "prefetch", None)
    if look is not None:
        look(systems, replications)
    for r in replications:
        if look is None and prefetch is not None:
            prefetch(systems, r)
        for i in systems:
            obs[i].append(_observe(adapter, i, r, n_req))


def _feasibility(y: np.ndarray, req: Requirement, t: float) -> bool | None:
    """A requirement decided on its observations ``y``: feasible when the one-sided bound
    on the mean is inside bound + tolerance and the mean inside the bound; infeasible when
    the other bound is beyond bound - tolerance and the mean beyond the bound; else None."""
    excess = y - req.bound if req.sense == "max" else req.bound - y  # > 0 violates
    mean = float(excess.mean())
    half = t * float(excess.std(ddof=1)) / np.sqrt(len(y))
    if mean <= 0 and mean + half < req.tolerance:
        return True
    if mean > 0 and mean - half > -req.tolerance:
        return False
    return None


def _result(
    obs: dict[int, list[np.ndarray]],
    alive: set[int],
    feasible: dict[int, bool | None],
    sign: float,
    k: int,
    *,
    method: str,
    steps: tuple[int, ...],
) -> Selection:
    means = {i: float(np.mean(np.array(obs[i])[:, 0])) for i in range(k)}
    survivors = sorted(alive, key=lambda i: -sign * means[i])
    feasible_alive = [i for i in survivors if feasible[i] is not False]
    best = feasible_alive[0] if feasible_alive else None
    separated = len(survivors) <= 1 and all(feasible[i] is True for i in survivors)
    return Selection(
        best=best,
        survivors=survivors,
        separated=separated,
        feasible=feasible,
        means=means,
        replications={i: len(obs[i]) for i in range(k)},
        observations={i: np.array(obs[i]) for i in range(k)},
        method=method,
        looks=steps,
    )

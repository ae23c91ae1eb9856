"""Closed forms of queueing theory, for quick estimates and as test oracles.

Rates and times are in any consistent unit (the scenario uses minutes): ``lam`` arrivals
per unit, ``mu`` services per unit per server, ``c`` servers. Functions raise ValueError
for an unstable system (offered load at or above capacity) rather than return nonsense.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "balking_chain",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fork_join2_mean_response",
    "gim1_mean_wait",
    "mmc_mean_wait",
    "mmc_service_level",
    "mmck",
    "pk_mean_wait",
    "priority_mg1_waits",
    "priority_mmc_waits",
    "slot_batches_on_time",
    "slots_no_show_lst",
    "square_root_staffing",
    "staff_for_wait",
    "transient_mmc_by_period",
    "transient_mmc_mean_wait",
    "transient_mmc_staffed",
]


def _check_stable(lam: float, mu: float, c: int) -> float:
    if lam < 0 or mu <= 0 or c < 1:
        raise ValueError(f"need lam >= 0, mu > 0, c >= 1; got lam={lam}, mu={mu}, c={c}")
    rho = lam / (c * mu)
    if rho >= 1:
        raise ValueError(f"unstable: offered load {lam / mu:.3g} >= {c} servers (rho={rho:.3g})")
    return rho


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` (stable recursion)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(lam: float, mu: float, c: int) -> float:
    """P(wait > 0) in M/M/c."""
    rho = _check_stable(lam, mu, c)
    b = erlang_b(c, lam / mu)
    return b / (1 - rho * (1 - b))


def mmc_mean_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C): C / (c mu - lam)."""
    return erlang_c(lam, mu, c) / (c * mu - lam)


def mmc_service_level(lam: float, mu: float, c: int, t: float) -> float:
    """P(wait <= t) in M/M/c: 1 - C exp(-(c mu - lam) t)."""
    return 1 - erlang_c(lam, mu, c) * math.exp(-(c * mu - lam) * t)


def pk_mean_wait(lam: float, mean: float, cv: float) -> float:
    """Pollaczek-Khinchine mean wait of M/G/1 with service mean ``mean`` and CV ``cv``."""
    rho = _check_stable(lam, 1 / mean, 1)
    second_moment = mean**2 * (1 + cv**2)
    return lam * second_moment / (2 * (1 - rho))


def erlang_a(lam: float, mu: float, theta: float, c: int, tol: float = 1e-12) -> dict[str, float]:
    """M/M/c+M (Erlang A): exponential patience with rate ``theta``; exact birth-death chain.

    Returns ``p_abandon``, ``mean_wait`` (over all arrivals, Little's law on the queue),
    ``mean_wait_served`` and ``p_wait``. Always stable when theta > 0.
    """
    if theta <= 0:
        raise ValueError("theta must be > 0 (use erlang_c for infinite patience)")
    # Unnormalised probabilities p_n; truncate when the tail is negligible.
    p = [1.0]
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        p.append(p[-1] * lam / death)
        if n > c and p[-1] < tol * sum(p):
            break
    probs = np.array(p) / sum(p)
    states = np.arange(len(probs))
    queue = np.maximum(states - c, 0)
    mean_queue = float((probs * queue).sum())
    p_abandon = theta * mean_queue / lam
    p_wait = float(probs[c:].sum())
    mean_wait = mean_queue / lam
    # Served customers: by PASTA an arrival sees state k; from there its wait is a chain of
    # exponential stages (see _served_wait_given_ahead).
    served_wait = 0.0
    served_prob = 0.0
    for k in range(c, len(probs)):  # arrival finds k in system, k - c ahead in queue
        ahead = k - c
        w, s = _served_wait_given_ahead(ahead, c, mu, theta)
        served_wait += probs[k] * w
        served_prob += probs[k] * s
    served_prob += float(probs[:c].sum())
    return {
        "p_abandon": p_abandon,
        "p_wait": p_wait,
        "mean_wait": mean_wait,
        "mean_wait_served": served_wait / served_prob,
    }


def _served_wait_given_ahead(ahead: int, c: int, mu: float, theta: float) -> tuple[float, float]:
    """E[wait; served] and P(served) for a tagged FIFO customer with ``ahead`` ahead of it."""
    # Stages j = ahead, ahead-1, ..., 0 customers ahead; in stage j the queue holds j + 1
    # (tagged included). Rates: service c mu + others' abandonment j theta moves on,
    # own abandonment theta ends unserved. E[W; served] = sum_stage P(reach) E[time].
    reach = 1.0
    elapsed_mean = 0.0
    for j in range(ahead, -1, -1):
        total = c * mu + j * theta + theta
        elapsed_mean += 1 / total
        reach *= (c * mu + j * theta) / total
    # Time until service given served: sum of independent exponentials (memoryless,
    # conditioning on leaving each stage by "move on" does not change its duration).
    return reach * elapsed_mean, reach


def square_root_staffing(lam: float, mu: float, beta: float = 1.0) -> int:
    """Halfin-Whitt square-root staffing: c = ceil(a + beta sqrt(a)), a = lam / mu."""
    a = lam / mu
    return max(1, math.ceil(a + beta * math.sqrt(a)))


def staff_for_wait(lam: float, mu: float, max_mean_wait: float) -> int:
    """The smallest c whose M/M/c mean wait is at most ``max_mean_wait``."""
    c = max(1, math.floor(lam / mu) + 1)
    while mmc_mean_wait(lam, mu, c) > max_mean_wait:
        c += 1
    return c


def fork_join2_mean_response(lam: float, mu: float) -> float:
    """Mean response of a fork-join of two M/M/1 queues (Flatto-Hahn; Nelson-Tantawi).

    (12 - rho) / 8 times the M/M/1 response 1 / (mu - lam).
    """
    rho = _check_stable(lam, mu, 1)
    return (12 - rho) / 8 / (mu - lam)


def transient_mmc_mean_wait(
    rates: Sequence[float], period: float, mu: float, c: int, max_n: int | None = None
) -> float:
    """Mean wait of a day of M(t)/M/c starting empty, rate ``rates[i]`` in the i-th period.

    Solves the Kolmogorov forward equations over the open hours; an arrival at t that finds
    n >= c in the system waits (n - c + 1) / (c mu) on average, because servers keep
    serving after closing until the hall is empty. Averaged over arrivals.
    """
    waits, _ = transient_mmc_by_period(rates, period, mu, c, max_n=max_n)
    weights = np.asarray(rates, dtype=float)
    return float(np.dot(waits, weights) / weights.sum())


def transient_mmc_by_period(
    rates: Sequence[float],
    period: float,
    mu: float,
    c: int,
    target: float = 0.0,
    max_n: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per period of a day of M(t)/M/c starting empty: the mean wait of the arrivals of that
    period, and the share of them called within ``target``.

    Kolmogorov forward equations, as :func:`transient_mmc_mean_wait`; an arrival finding
    n >= c waits the sum of n - c + 1 exponential(c mu) gaps, a gamma variable, so it is
    called within ``target`` with the gamma cdf at ``target``.
    """
    lam_max = max(rates)
    if max_n is None:
        max_n = int(c + 10 + 4 * lam_max * period * len(rates) ** 0.5 + 60)
    states = np.arange(max_n + 1)
    death = np.minimum(states, c) * mu
    ahead = np.maximum(states - c + 1, 0)
    wait_if = ahead / (c * mu)
    within_if = np.where(ahead == 0, 1.0, special.gammainc(np.maximum(ahead, 1), c * mu * target))
    p = np.zeros(max_n + 1)
    p[0] = 1.0
    waits, within = [], []
    from scipy import integrate  # here, not at the top: import simlib should not pay for it

    for lam in rates:

        def rhs(_t: float, y: np.ndarray, lam: float = lam) -> np.ndarray:
            prob = y[:-2]
            dp = -(lam + death) * prob
            dp[-1] += lam * prob[-1]  # truncation: no births out of the last state
            dp[1:] += lam * prob[:-1]
            dp[:-1] += death[1:] * prob[1:]
            return np.concatenate([dp, [lam * prob @ wait_if, lam * prob @ within_if]])

        sol = integrate.solve_ivp(
            rhs, (0, period), np.append(p, [0.0, 0.0]), method="LSODA", rtol=1e-9, atol=1e-12
        )
        p = sol.y[:-2, -1]
        arrivals = lam * period
        waits.append(sol.y[-2, -1] / arrivals if arrivals else math.nan)
        within.append(sol.y[-1, -1] / arrivals if arrivals else math.nan)
    if p[-20:].sum() > 1e-6:
        raise ValueError("state space too small; raise max_n")
    return np.array(waits), np.array(within)


def transient_mmc_staffed(
    rates: Sequence[float],
    servers: Sequence[int],
    period: float,
    mu: float,
    max_n: int | None = None,
) -> dict[str, object]:
    """A day of M(t)/M/c(t) starting empty: ``rates[i]`` and ``servers[i]`` in period i.

    Kolmogorov forward equations over the open periods, then a drain with no arrivals by
    the last period's servers (they serve everyone left). The mean wait comes from Little's
    law: the integral of the expected queue over the arrivals. Exact only when staff never
    drops while the hall is open: a drop would leave officers finishing their applicants,
    which this birth-death chain cannot represent, so it is refused.
    Returns ``mean_wait`` and ``busy`` (mean busy servers in each period).
    """
    if len(rates) != len(servers):
        raise ValueError("give one server count per period")
    if any(b < a for a, b in itertools.pairwise(servers)) or min(servers) < 1:
        raise ValueError("servers must be >= 1 and never drop during the day")
    if max_n is None:
        max_n = int(max(servers) + 10 + 4 * max(rates) * period * len(rates) ** 0.5 + 60)
    states = np.arange(max_n + 1)
    p = np.zeros(max_n + 1)
    p[0] = 1.0
    queue_integral = 0.0
    busy = []
    c_last = servers[-1]
    drain = (max_n / (c_last * mu)) * 3 + 20 / mu
    stages = [(lam, c, period) for lam, c in zip(rates, servers, strict=True)]
    from scipy import integrate  # here, not at the top: import simlib should not pay for it

    for lam, c, length in [*stages, (0.0, c_last, drain)]:
        death = np.minimum(states, c) * mu
        rewards = np.stack([np.maximum(states - c, 0), np.minimum(states, c)])  # queue, busy

        def rhs(
            _t: float, y: np.ndarray, lam: float = lam, death: Any = death, rewards: Any = rewards
        ) -> np.ndarray:
            prob = y[:-2]
            dp = -(lam + death) * prob
            dp[-1] += lam * prob[-1]  # truncation: no births out of the last state
            dp[1:] += lam * prob[:-1]
            dp[:-1] += death[1:] * prob[1:]
            return np.concatenate([dp, rewards @ prob])

        sol = integrate.solve_ivp(
            rhs,
            (0, length),
            np.concatenate([p, [0.0, 0.0]]),
            method="LSODA",
            rtol=1e-9,
            atol=1e-12,
        )
        p = sol.y[:-2, -1]
        queue_integral += sol.y[-2, -1]
        busy.append(sol.y[-1, -1] / length)
        if p[-20:].sum() > 1e-6:
            raise ValueError("state space too small; raise max_n")
    if p[1:].sum() > 1e-6:
        raise ValueError("the drain did not empty the hall; raise max_n")
    return {
        "mean_wait": queue_integral / (sum(rates) * period),
        "busy": busy[:-1],
    }


def _cobham(base: float, loads: Sequence[float]) -> list[float]:
    """Cobham's recursion: class k waits ``base / ((1 - s_{k-1}) (1 - s_k))``, where s_k is
    the load of classes 1..k (class 1 highest)."""
    waits, before = [], 0.0
    for load in loads:
        upto = before + load
        if upto >= 1:
            raise ValueError(f"classes up to this one load the servers {upto:.3f} >= 1")
        waits.append(base / ((1 - before) * (1 - upto)))
        before = upto
    return waits


def priority_mg1_waits(
    lams: Sequence[float], means: Sequence[float], second_moments: Sequence[float]
) -> list[float]:
    """Mean queue wait per class of a non-preemptive priority M/G/1 (Cobham 1954).

    Classes are listed highest priority first; class k has Poisson rate ``lams[k]`` and
    service time with mean ``means[k]`` and second moment ``second_moments[k]``. The mean
    residual work found in service is ``sum(lam E[S^2]) / 2`` whatever the classes.
    """
    residual = sum(lam * m2 for lam, m2 in zip(lams, second_moments, strict=True)) / 2
    return _cobham(residual, [lam * m for lam, m in zip(lams, means, strict=True)])


def priority_mmc_waits(lams: Sequence[float], mu: float, c: int) -> list[float]:
    """Mean queue wait per class of a non-preemptive priority M/M/c, every class served at
    rate ``mu`` (Cobham; Kella and Yechiali 1985): Erlang C's P(wait) / (c mu) in place of
    the M/G/1 residual, loads as shares of c mu. Classes highest priority first."""
    lam = sum(lams)
    _check_stable(lam, mu, c)
    base = erlang_c(lam, mu, c) / (c * mu)
    return _cobham(base, [x / (c * mu) for x in lams])


def mmck(lam: float, mu: float, c: int, k: int) -> dict[str, float]:
    """M/M/c/K (at most ``k`` in the system, ``k >= c``) in closed form: ``p_block`` (an
    arrival finds the system full: threshold balking at ``k - c`` waiting) and ``mean_wait``
    of those who join (Little's law on the queue over the admitted rate)."""
    if lam <= 0 or mu <= 0 or c < 1 or k < c:
        raise ValueError(f"need lam, mu > 0, 1 <= c <= k; got lam={lam}, mu={mu}, c={c}, k={k}")
    a, rho = lam / mu, lam / (c * mu)
    # p_n / p_0 = a^n / n! for n <= c, a^c / c! rho^(n - c) above.
    terms = [a**n / math.factorial(n) for n in range(c + 1)]
    top = terms[-1]
    terms += [top * rho ** (n - c) for n in range(c + 1, k + 1)]
    p0 = 1.0 / sum(terms)
    probs = [t * p0 for t in terms]
    lq = sum((n - c) * probs[n] for n in range(c + 1, k + 1))
    p_block = probs[k]
    return {"p_block": p_block, "mean_wait": lq / (lam * (1 - p_block))}


def balking_chain(
    lam: float, mu: float, c: int, join_prob: Callable[[int], float], max_queue: int = 10_000
) -> dict[str, float]:
    """M/M/c where an arrival finding ``q`` waiting joins with ``join_prob(q)``: the
    birth-death chain solved numerically (truncated where the tail is negligible or joining
    stops). ``p_balk`` is over arrivals (PASTA); ``mean_wait`` of those who join."""
    p = [1.0]
    n = 0
    while n < c + max_queue:
        join = join_prob(max(n - c, 0))
        if join <= 0:
            break
        p.append(p[-1] * lam * join / (min(n + 1, c) * mu))
        n += 1
        if n > c and p[-1] < 1e-14 * sum(p):
            break
    probs = np.array(p) / sum(p)
    states = np.arange(len(probs))
    queue = np.maximum(states - c, 0)
    joins = np.array([join_prob(int(q)) for q in queue])
    admitted = float((probs * joins).sum())
    lq = float((probs * queue).sum())
    return {"p_balk": 1 - admitted, "mean_wait": lq / (lam * admitted)}


def slots_no_show_lst(a: float, p: float) -> Callable[[float], float]:
    """Laplace-Stieltjes transform of the gap between applicants who come to slots every
    ``a`` minutes when each fails to show with probability ``p``: a gap is ``a`` times a
    geometric number of slots, A*(s) = (1 - p) e^{-sa} / (1 - p e^{-sa})."""
    if a <= 0 or not 0 <= p < 1:
        raise ValueError(f"need a > 0 and 0 <= p < 1; got a={a}, p={p}")

    def lst(s: float) -> float:
        e = math.exp(-s * a)
        return (1 - p) * e / (1 - p * e)

    return lst


def gim1_mean_wait(lst: Callable[[float], float], mean_gap: float, mu: float) -> float:
    """Mean wait in queue of GI/M/1: sigma / (mu (1 - sigma)), with sigma the root in (0, 1)
    of sigma = A*(mu (1 - sigma)) for the interarrival transform ``lst`` (mean ``mean_gap``)."""
    rho = 1 / (mean_gap * mu)
    if rho >= 1:
        raise ValueError(f"unstable: utilisation {rho:.3g} >= 1")
    from scipy.optimize import brentq

    sigma = brentq(lambda x: lst(mu * (1 - x)) - x, 1e-12, 1 - 1e-12)
    return sigma / (mu * (1 - sigma))


def slot_batches_on_time(places: int, a: float, mu: float, t: float, cap: int = 400) -> float:
    """Share of booked applicants called within ``t`` of their slot at one counter when
    ``places`` punctual applicants arrive together every ``a`` minutes (every place booked,
    everyone comes) and service is exponential (rate ``mu``): a D^X/M/1 queue.

    The number in the hall just before a slot is a Markov chain (the counter serves a
    Poisson number, ``mu a`` on average, until it is empty); its stationary law, found by
    iterating, gives for the j-th of a batch with N ahead a wait Erlang(N + j - 1, mu), so
    P(W <= t) = P(Poisson(mu t) >= N + j - 1). ``cap`` truncates the chain."""
    if places >= mu * a:
        raise ValueError(f"unstable: utilisation {places / (mu * a):.3g} >= 1")
    from scipy import stats

    after = np.minimum(np.arange(cap) + places, cap - 1)  # in the hall just after a slot
    left = np.arange(cap)
    served = after[:, None] - left[None, :]  # departures taking `after` down to `left`
    move = np.where(served >= 0, stats.poisson.pmf(served, mu * a), 0.0)
    move[:, 0] = 0.0
    move[:, 0] = 1.0 - move.sum(axis=1)  # emptied: the rest of the Poisson tail
    law = np.zeros(cap)
    law[0] = 1.0
    for _ in range(100_000):
        nxt = law @ move
        if np.abs(nxt - law).sum() < 1e-13:
            break
        law = nxt
    ahead = np.arange(cap)
    on_time = [float(law @ stats.poisson.sf(ahead + j - 2, mu * t)) for j in range(1, places + 1)]
    return sum(on_time) / places

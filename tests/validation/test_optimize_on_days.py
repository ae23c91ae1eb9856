"""Service levels on days: an M/M/c hall staffed so that every hour's 90th-percentile wait
stays within the bound on at least 90 % of days (a day's hour is one observation).

The share of days that meet the bound, for each c, comes from a long reference simulation
written out here (FCFS M/M/c by the Kiefer–Wolfowitz recursion, independent of the engine).
The bound is chosen so that c* meets the share clearly and c* - 1 clearly misses it, while
c* - 1 meets the bound on the *mean* over runs (the old reading would staff one fewer).
The optimiser must choose c*, prove it with 95 % confidence and show c* - 1 infeasible.
"""

from __future__ import annotations

import heapq
from pathlib import Path

import numpy as np

from simlib.optimize.search import optimize
from tests.optimize_helpers import mmc_scenario, optimization

PER_HOUR, MEAN, BOUND, ON_DAYS = 30.0, 6.0, 10.0, 0.9


def _hourly_p90(c: int, days: int, seed: int) -> np.ndarray:
    """The 90th-percentile wait of each (day, clock hour) of a stationary M/M/c (FCFS)."""
    rng = np.random.default_rng(seed)
    horizon = days * 1440.0
    n = rng.poisson(PER_HOUR / 60 * horizon)
    t = np.sort(rng.uniform(0, horizon, n))
    service = rng.exponential(MEAN, n)
    free = [0.0] * c
    wait = np.empty(n)
    for i in range(n):  # the earliest free officer takes the next ticket
        start = max(t[i], heapq.heappop(free))
        wait[i] = start - t[i]
        heapq.heappush(free, start + service[i])
    hour = (t // 60).astype(int)
    keep = hour >= 24  # the first day warms up
    return np.array([np.quantile(wait[keep & (hour == h)], 0.9) for h in np.unique(hour[keep])])


def test_on_days_staffs_the_smallest_c_meeting_the_share(tmp_path: Path) -> None:
    share = {c: float(np.mean(_hourly_p90(c, 250, c) <= BOUND)) for c in (3, 4, 5)}
    expected = min(c for c in share if share[c] >= ON_DAYS)
    assert expected == 5
    assert share[5] > ON_DAYS + 0.05 and share[4] < ON_DAYS - 0.05  # decidable
    assert float(np.mean(_hourly_p90(4, 60, 9))) < BOUND  # the mean would accept c* - 1

    opt = optimization(
        tmp_path,
        mmc_scenario(PER_HOUR, MEAN, 8, 16),
        {
            "optimize": "M/M/c p90 on days",
            "seed": 3,
            "replications": {"min": 3, "max": 16},
            "decisions": {"pools.clerk.count": {"range": [1, 20]}},
            "requirements": [
                {"kpi": "hall_wait_p90_min", "max": BOUND, "every_hour": True, "on_days": ON_DAYS}
            ],
        },
    )
    result = optimize(opt)
    assert result.best is not None
    assert dict(result.best.levels)["clerk"] == expected
    assert result.feasible is True
    assert [c["verdict"] for c in result.cheaper] == ["infeasible"]
    assert result.judgement is not None
    shares = [x.mean for x in result.judgement.checks]
    assert len(shares) == 24 and min(shares) >= ON_DAYS

"""Over-dispersed arrivals (``arrivals.day_factor``): a Gamma factor of mean 1 on each
day's rate makes daily counts Gamma-Poisson, variance = mean + mean^2 cv^2."""

from __future__ import annotations

import numpy as np

from simlib import scenario_from_dict
from simlib.engine import simulate


def _hall(day_factor: dict | None, days: int = 300) -> dict:
    walk_in = {"per_day": 30}
    if day_factor is not None:
        walk_in["day_factor"] = day_factor
    return {
        "name": "day factor",
        "horizon": {"days": days, "warmup_days": 0},
        "calendar": {
            "workdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "hours": ["09:00-10:00"],
        },
        "pools": {"clerk": {"count": 40}},
        "matters": [
            {
                "id": "steady",
                "arrivals": {"per_day": 10},
                "acceptance": {"pool": "clerk", "time": {"dist": "exponential", "mean": 0.5}},
            },
            {
                "id": "walkin",
                "arrivals": walk_in,
                "acceptance": {"pool": "clerk", "time": {"dist": "exponential", "mean": 0.5}},
            },
        ],
    }


def _daily(rec, matter: str, days: int) -> np.ndarray:
    v = rec.visits
    first = v.drop_duplicates("case")
    mine = first[rec.cases["matter"].astype(str).to_numpy()[first["case"].to_numpy()] == matter]
    return np.bincount((mine["ticket"].to_numpy() // 1440).astype(int), minlength=days)[:days]


def test_daily_counts_have_the_gamma_poisson_variance() -> None:
    days, cv = 300, 0.5
    rec = simulate(scenario_from_dict(_hall({"dist": "gamma", "cv": cv}, days)), seed=3)
    n = _daily(rec, "walkin", days).astype(float)
    mean = n.mean()
    theory = mean + mean**2 * cv**2  # 30 + 900/4 = 255; Poisson would be 30
    rng = np.random.default_rng(0)
    boot = np.array([rng.choice(n, days).var(ddof=1) for _ in range(2000)])
    lo, hi = np.quantile(boot, [0.005, 0.995])
    assert abs(mean - 30) < 3 * np.sqrt(theory / days)
    assert lo <= theory <= hi, (lo, n.var(ddof=1), hi, theory)
    assert not lo <= mean <= hi  # a Poisson process (variance = mean) would fail here


def test_day_factor_leaves_other_draws_alone() -> None:
    """Its draws have their own stream: the other matter's arrivals, and the hall's
    without the key, do not move."""
    days = 20
    plain = simulate(scenario_from_dict(_hall(None, days)), seed=5)
    spread = simulate(scenario_from_dict(_hall({"dist": "gamma", "cv": 0.3}, days)), seed=5)
    assert np.array_equal(_daily(plain, "steady", days), _daily(spread, "steady", days))
    assert not np.array_equal(_daily(plain, "walkin", days), _daily(spread, "walkin", days))

"""`simlib optimize` on M/M/c halls returns exactly the Erlang C minimum staffing.

The expected staffing is computed twice: with simlib.theory and with the textbook closed
form written out here. Targets sit between the KPI of c* - 1 and c* officers (checked), so
that a simulation can tell them apart; the optimiser must then prove c* feasible and
c* - 1 infeasible, with 95 % confidence.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simlib import theory
from simlib.optimize.search import optimize
from tests.optimize_helpers import mmc_scenario, optimization


def _erlang_c_closed_form(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def _closed_form_kpi(kpi: str, lam: float, mu: float, c: int, t: float) -> float:
    if lam >= c * mu:
        return math.inf if kpi != "hall_service_level" else 0.0
    p_wait = _erlang_c_closed_form(lam, mu, c)
    rate = c * mu - lam
    if kpi == "hall_wait_mean_min":
        return p_wait / rate
    if kpi == "hall_service_level":
        return 1 - p_wait * math.exp(-rate * t)
    return 0.0 if p_wait <= 0.1 else math.log(p_wait / 0.1) / rate  # P(W > p90) = 0.1


def _theory_kpi(kpi: str, lam: float, mu: float, c: int, t: float) -> float:
    if lam >= c * mu:
        return math.inf if kpi != "hall_service_level" else 0.0
    if kpi == "hall_wait_mean_min":
        return theory.mmc_mean_wait(lam, mu, c)
    if kpi == "hall_service_level":
        return theory.mmc_service_level(lam, mu, c, t)
    p_wait = theory.erlang_c(lam, mu, c)
    return 0.0 if p_wait <= 0.1 else math.log(p_wait / 0.1) / (c * mu - lam)


def _minimum(kpi: str, sense: str, bound: float, lam: float, mu: float, t: float, how) -> int:
    c = 1
    while True:
        value = how(kpi, lam, mu, c, t)
        if (value <= bound) if sense == "max" else (value >= bound):
            return c
        c += 1


CASES = [
    # per hour, mean service (min), KPI, sense, bound, wait target (min), days
    (48, 10.0, "hall_wait_mean_min", "max", 1.3, 15, 4),
    (30, 6.0, "hall_wait_p90_min", "max", 5.0, 15, 5),  # P(wait > 5 min) <= 10 %
    (120, 4.0, "hall_service_level", "min", 0.82, 1, 3),  # called within 1 min
]


@pytest.mark.parametrize(("per_hour", "mean", "kpi", "sense", "bound", "target", "days"), CASES)
def test_optimize_finds_the_erlang_c_minimum(
    tmp_path: Path,
    per_hour: float,
    mean: float,
    kpi: str,
    sense: str,
    bound: float,
    target: float,
    days: int,
) -> None:
    lam, mu = per_hour / 60, 1 / mean
    expected = _minimum(kpi, sense, bound, lam, mu, target, _closed_form_kpi)
    assert expected == _minimum(kpi, sense, bound, lam, mu, target, _theory_kpi)
    # A target a simulation can decide: c* - 1 misses and c* meets it by at least 6 %.
    above, below = (_closed_form_kpi(kpi, lam, mu, c, target) for c in (expected - 1, expected))
    margin = (lambda v: v / bound - 1) if sense == "max" else (lambda v: 1 - v / bound)
    assert margin(above) > 0.06 and margin(below) < -0.06

    opt = optimization(
        tmp_path,
        mmc_scenario(per_hour, mean, expected + 4, days, wait_target_min=target),
        {
            "optimize": f"M/M/c {kpi}",
            "seed": 11,
            "replications": {"min": 3, "max": 12},
            "decisions": {"pools.clerk.count": {"range": [1, 40]}},
            "requirements": [{"kpi": kpi, sense: bound}],
        },
    )
    result = optimize(opt)
    assert result.best is not None
    assert dict(result.best.levels)["clerk"] == expected
    assert result.feasible is True
    assert [c["verdict"] for c in result.cheaper] == ["infeasible"]

"""The hall as a single queue against Erlang C and Pollaczek-Khinchine."""

from __future__ import annotations

import pytest

from simlib import theory
from tests.helpers import always_open, assert_in_ci, exp, kpi_samples


def _single(lam_per_min: float, c: int, time: dict, days: int) -> object:
    return always_open(
        days,
        2,
        {"desk": {"count": c}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam_per_min * 60},
                "acceptance": {"pool": "desk", "time": time},
            }
        ],
    )


@pytest.mark.parametrize(
    ("c", "rho", "days", "reps", "tol"),
    [
        (1, 0.5, 40, 10, 0.05),
        (1, 0.8, 80, 12, 0.08),
        (10, 0.8, 40, 10, 0.10),
        (10, 0.95, 150, 10, 0.15),
    ],
)
def test_mmc_mean_wait_matches_erlang_c(
    c: int, rho: float, days: int, reps: int, tol: float
) -> None:
    mu = 1.0 if c == 1 else 0.1  # service mean 1 min (M/M/1) or 10 min (M/M/10)
    lam = rho * c * mu
    scenario = _single(lam, c, exp(1 / mu), days)
    got = kpi_samples(scenario, reps, 7, "hall_wait_mean_min", "utilization[desk]")
    assert_in_ci(got["hall_wait_mean_min"], theory.mmc_mean_wait(lam, mu, c), tol)
    assert_in_ci(got["utilization[desk]"], rho, 0.02)


@pytest.mark.parametrize(
    ("time", "cv", "days"),
    [
        ({"dist": "constant", "value": 1.0}, 0.0, 40),  # M/D/1
        ({"dist": "gamma", "mean": 1.0, "cv": 0.5}, 0.5, 40),
        ({"dist": "lognormal", "mean": 1.0, "cv": 1.5}, 1.5, 100),  # heavy tail: longer runs
    ],
)
def test_mg1_mean_wait_matches_pollaczek_khinchine(time: dict, cv: float, days: int) -> None:
    lam = 0.7
    scenario = _single(lam, 1, time, days)
    got = kpi_samples(scenario, 10, 11, "hall_wait_mean_min")
    assert_in_ci(got["hall_wait_mean_min"], theory.pk_mean_wait(lam, 1.0, cv), 0.08)


def test_wrong_service_time_would_be_detected() -> None:
    """Power check: a 10 % slower desk falls outside the interval the tests above use."""
    lam, mu = 0.8, 1.0
    scenario = _single(lam, 1, exp(1.1), 80)
    got = kpi_samples(scenario, 12, 7, "hall_wait_mean_min")
    with pytest.raises(AssertionError):
        assert_in_ci(got["hall_wait_mean_min"], theory.mmc_mean_wait(lam, mu, 1), 0.5)

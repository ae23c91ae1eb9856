"""The random daily rate fitted by calibrate: the method of moments recovers a known cv
from Gamma-Poisson daily counts and finds none in Poisson ones; levels that wait alike in
a log are not served ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.calibrate.arrivals import day_rate_cv
from simlib.calibrate.hall import served_ahead


def _days(cv: float, weeks: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    wd = np.tile(np.arange(5), weeks)
    mean = np.array([300.0, 250, 250, 260, 200])[wd]
    rate = mean * (rng.gamma(1 / cv**2, cv**2, len(wd)) if cv > 0 else 1.0)
    return rng.poisson(rate).astype(float), wd


def test_method_of_moments_recovers_the_day_cv() -> None:
    got = [day_rate_cv(*_days(0.15, 40, s))[0] for s in range(20)]
    assert abs(np.mean(got) - 0.15) < 0.02, got  # a Poisson fit (cv 0) would fail here
    n, wd = _days(0.15, 40, 0)
    assert day_rate_cv(n, wd)[1] == 5 * 39


def test_poisson_days_show_little_or_no_day_cv() -> None:
    got = [day_rate_cv(*_days(0.0, 40, s))[0] for s in range(20)]
    assert np.mean(got) < 0.03 and min(got) == 0.0, got


def _log(top_wait: float, n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 2, n)
    wait = rng.exponential(np.where(level == 1, top_wait, 2.0))
    return pd.DataFrame({"level": level, "wait": wait, "served": True})


def test_levels_are_served_ahead_only_when_the_log_shows_it() -> None:
    assert served_ahead(_log(0.5), None)[0]  # the top level waits a quarter as long
    ahead, why = served_ahead(_log(2.0), None)  # alike: one FIFO queue
    assert not ahead and "not called first" in why
    assert served_ahead(_log(2.0), True)[0]  # the map decides when it says so

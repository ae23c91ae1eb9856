"""Replications to a precision (Hoad, Robinson and Davies 2010), on known populations and M/M/c."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib import theory
from simlib.experiment.compare import compare
from simlib.experiment.precision import (
    compare_to_precision,
    look_ahead,
    replicate_to_precision,
    to_precision,
)
from tests.helpers import always_open, exp


def _normal(mean: float, sd: float, seed: int):
    def replication(i: int) -> dict[str, float]:
        rng = np.random.default_rng([seed, i])
        return {"x": float(rng.normal(mean, sd)), "flat": 1.0, "none": float("nan")}

    return replication


def test_reaches_the_precision_with_look_ahead_and_about_one_over_precision_squared_runs() -> None:
    needed = {}
    for precision in (0.1, 0.05, 0.025):
        counts = []
        for seed in range(8):
            _rows, run = to_precision(_normal(10, 2, seed), ["x", "flat", "none"], precision, 1000)
            assert run.converged and run.deciding_kpi == "x"
            assert run.watched == ["x", "flat"]  # never-applicable KPIs are not watched
            assert run.reps_run == run.solution + look_ahead(run.solution)
            assert run.achieved["x"] <= precision  # precise at the end of the look-ahead
            counts.append(run.solution)
        needed[precision] = np.mean(counts)
    # (t * sd / (precision * mean))^2: 15, 61, 246 replications.
    assert needed[0.05] == pytest.approx(61, rel=0.25)
    assert needed[0.05] / needed[0.1] == pytest.approx(4, rel=0.35)
    assert needed[0.025] / needed[0.05] == pytest.approx(4, rel=0.35)


def test_stops_at_the_cap_and_says_so() -> None:
    rows, run = to_precision(_normal(10, 5, 1), ["x"], 0.01, 20)
    assert len(rows) == 20 and not run.converged
    assert "NOT REACHED" in run.text() and run.achieved["x"] > 0.01


def test_mmc_mean_wait_to_five_percent() -> None:
    lam, mean, c = 0.25, 10.0, 3  # per minute, minutes: rho 0.83
    scenario = always_open(
        8,
        1,
        {"desk": {"count": c}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam * 60},
                "acceptance": {"pool": "desk", "time": exp(mean)},
            }
        ],
    )
    runs = {}
    for precision in (0.10, 0.05):
        result = replicate_to_precision(scenario, precision, ["hall_wait_mean_min"], 400, seed=3)
        run = result.precision
        assert run.converged and run.achieved["hall_wait_mean_min"] <= precision
        waits = result.runs["hall_wait_mean_min"].to_numpy()
        half = run.achieved["hall_wait_mean_min"] * waits.mean()
        # The interval it promises is honest: Erlang C lies within it (or very near).
        assert abs(waits.mean() - theory.mmc_mean_wait(lam, 1 / mean, c)) <= 1.5 * half
        runs[precision] = run.solution
    assert 2.0 <= runs[0.05] / runs[0.10] <= 7.0


def test_compare_to_precision_watches_every_arm_and_matches_plain_compare() -> None:
    scenario = always_open(
        4,
        1,
        {"desk": {"count": 3}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 15},
                "acceptance": {"pool": "desk", "time": exp(10)},
            }
        ],
    )
    variants = {"more staff": [{"type": "set_staff", "pools": {"desk": 4}}]}
    result = compare_to_precision(
        scenario, variants, 0.15, ["hall_wait_mean_min"], 200, seed=2, stack=[]
    )
    run = result.meta["precision"]
    assert run.converged
    assert set(run.achieved) == {
        "hall_wait_mean_min in baseline",
        "hall_wait_mean_min in more staff (alone)",
    }
    assert all(w <= 0.15 for w in run.achieved.values())
    assert run.deciding_kpi in run.achieved
    plain = compare(scenario, variants, run.reps_run, seed=2, stack=[])
    columns = ["kind", "variant", "replication", "hall_wait_mean_min", "lead_time_mean_days"]
    pd.testing.assert_frame_equal(
        result.runs[columns].reset_index(drop=True), plain.runs[columns].reset_index(drop=True)
    )

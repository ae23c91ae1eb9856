"""Requirements on days, piece by piece: the Clopper–Pearson bounds against the binomial
distribution, the judge on counted days, per-day hourly KPIs from records, and the loader's
answers to misplaced keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simlib.engine import simulate
from simlib.metrics import hall_kpis_by_day_hour, kpis_by_hour
from simlib.optimize.evaluate import judge, share_bounds
from simlib.optimize.spec import Requirement, load_optimization
from simlib.scenario import ScenarioError
from simlib.scenario.model import Scenario
from tests.optimize_helpers import mmc_scenario, write_optimization


def test_clopper_pearson_bounds_are_the_binomial_tails() -> None:
    low, high = share_bounds(45, 50, 0.05)
    # The lower bound p has P(X >= 45 | p) = 0.05, the upper P(X <= 45 | p) = 0.05.
    assert stats.binom.sf(44, 50, low) == pytest.approx(0.05, rel=1e-6)
    assert stats.binom.cdf(45, 50, high) == pytest.approx(0.05, rel=1e-6)
    assert share_bounds(0, 10, 0.05)[0] == 0.0 and share_bounds(10, 10, 0.05)[1] == 1.0


def test_judge_on_days_counts_days_not_runs() -> None:
    req = Requirement(kpi="hall_wait_p90_min", max=15, every_hour=True, on_days=0.9)
    met, days = req.days_columns("10")

    def rows(k: int, n: int, runs: int) -> list[dict[str, float]]:
        return [{"hall_wait_p90_min[hour=10]": 5.0, met: k, days: n} for _ in range(runs)]

    assert judge(rows(10, 10, 20), [req], 0.95).feasible is True  # 200 of 200 days
    assert judge(rows(6, 10, 20), [req], 0.95).feasible is False  # 60 % of days
    unsure = judge(rows(9, 10, 2), [req], 0.95)  # 18 of 20: too few days to tell
    assert unsure.feasible is None and unsure.point_feasible
    # The mean over runs (5 min) meets the bound; on days it is the share that counts.
    assert judge(rows(6, 10, 20), [req.model_copy(update={"on_days": None})], 0.95).feasible


def test_per_day_hourly_kpis_pool_to_the_hourly_kpis() -> None:
    scenario = Scenario.model_validate(mmc_scenario(40, 6.0, 5, 4))
    records = simulate(scenario, 7, "kpi")
    by_day = hall_kpis_by_day_hour(records, ["tickets_per_day", "hall_wait_mean_min"])
    pooled = kpis_by_hour(records)
    for hour, values in by_day["tickets_per_day"].items():
        assert len(values) == 3  # three days after the warm-up day
        # a day's tickets in the hour; their mean over the days is the run's tickets_per_day
        assert values.mean() == pytest.approx(pooled[hour]["tickets_per_day"])
    assert np.all(by_day["hall_wait_mean_min"]["05"] >= 0)


@pytest.mark.parametrize(
    ("decision", "requirement", "words"),
    [
        ({"range": [1, 9]}, {"kpi": "lead_time_mean_days", "max": 2, "on_days": 0.9}, "daily KPI"),
        (
            {"by_hour": True, "range": [1, 9], "shift_lengths": [30]},
            {"kpi": "hall_wait_mean_min", "max": 2},
            "less than or equal to 24",
        ),
        (
            {"by_hour": True, "range": [1, 9], "shift_lengths": {"min": 8, "max": 4}},
            {"kpi": "hall_wait_mean_min", "max": 2},
            "must not exceed",
        ),
    ],
)
def test_misplaced_keys_are_refused_at_load(
    tmp_path: Path, decision: dict, requirement: dict, words: str
) -> None:
    hall = mmc_scenario(48, 10.0, 10, 3)
    hall["pools"]["clerk"] = {"shifts": [{"count": 10}]}
    path = write_optimization(
        tmp_path,
        hall,
        {
            "optimize": "t",
            "decisions": {
                ("pools.clerk.shifts" if decision.get("by_hour") else "pools.clerk.count"): decision
            },
            "requirements": [requirement],
        },
    )
    if not decision.get("by_hour"):
        hall["pools"]["clerk"] = {"count": 10}
        path = write_optimization(
            tmp_path,
            hall,
            {
                "optimize": "t",
                "decisions": {"pools.clerk.count": decision},
                "requirements": [requirement],
            },
        )
    with pytest.raises(ScenarioError) as err:
        load_optimization(path)
    assert words in err.value.report()

"""Today beside the proposal: the scenario's own staffing runs on the very seeds of the
chosen one (common random numbers), and ``today`` has the shape of ``best``."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.engine import simulate
from simlib.experiment import replication_seed
from simlib.files import load_scenario
from simlib.metrics import kpis
from simlib.optimize.output import result_json, summary_text
from simlib.optimize.search import optimize
from tests.optimize_helpers import mmc_scenario, optimization


def test_today_runs_on_the_same_seeds_and_has_the_shape_of_best(tmp_path: Path) -> None:
    opt = optimization(
        tmp_path,
        mmc_scenario(30, 6.0, 7, 3),
        {
            "optimize": "today",
            "seed": 5,
            "replications": {"min": 2, "max": 3},
            "decisions": {"pools.clerk.count": {"range": [1, 12]}},
            "requirements": [{"kpi": "hall_wait_mean_min", "max": 2.0}],
        },
    )
    result = optimize(opt, out=tmp_path / "out")
    data = result_json(result)
    # The best staffing so far was kept as a runnable scenario while the search ran.
    kept = load_scenario(tmp_path / "out" / "best_so_far.yaml")
    assert kept.pools["clerk"].count >= 1
    today, best = data["today"], data["best"]
    assert set(today) == set(best)
    assert today["decisions"] == {"pools.clerk.count": 7}
    assert today["headcount"] == {"per_pool": {"clerk": 7}, "decided_pools": 7, "hall": 7}
    n = today["replications"]
    assert n == best["replications"] >= 2
    direct = [
        kpis(simulate(opt.base, replication_seed(opt.seed, r), "kpi"))["hall_wait_mean_min"]
        for r in range(n)
    ]
    assert today["kpis"]["hall_wait_mean_min"]["values"] == pytest.approx(direct)
    chosen = dict(result.best.levels)["clerk"] if result.best else 0
    assert data["change"]["headcount_decided_pools"] == chosen - 7
    assert "Headcount (people)" in summary_text(result, data)

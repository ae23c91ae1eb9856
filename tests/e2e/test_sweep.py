"""Sweeps: designs, executors, results that survive a kill, failure isolation, bad files."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simlib.design import points
from simlib.experiment.replicate import run_once
from simlib.experiment.runner import process_pool
from simlib.experiment.store import RunStore
from simlib.experiment.sweep import run_sweep
from simlib.files.sweep import SweepFile, load_sweep
from simlib.scenario import ScenarioError
from tests.helpers import sweep_files

HALL = {
    "name": "tiny",
    "horizon": {"days": 6, "warmup_days": 1},
    "pools": {"w": {"count": 2}, "r": {"count": 2}},
    "matters": [
        {
            "id": "m",
            "arrivals": {"per_day": 40},
            "acceptance": {"pool": "w", "time": {"dist": "exponential", "mean": 10}},
            "chain": [{"id": "s", "pool": "r", "time": {"dist": "exponential", "mean": 15}}],
        }
    ],
}


def _files(tmp_path: Path, sweep: dict[str, Any], hall: dict[str, Any] = HALL) -> Path:
    return sweep_files(tmp_path, sweep, hall)


GRID = {
    "replications": 2,
    "design": {"type": "grid"},
    "parameters": {"demand_factor": [0.8, 1.2], "pools.w.count": {"range": [1, 3]}},
}


def test_grid_counts_and_order() -> None:
    spec = SweepFile.model_validate({"sweep": "g", "scenario": "x", **GRID})
    design = points(spec.design, spec.parameters)
    assert len(design) == 6
    assert design[0] == {"demand_factor": 0.8, "pools.w.count": 1}
    assert design[-1] == {"demand_factor": 1.2, "pools.w.count": 3}


def test_lhs_bounds_and_stratification() -> None:
    spec = SweepFile.model_validate(
        {
            "sweep": "l",
            "scenario": "x",
            "design": {"type": "lhs", "n": 40, "seed": 3},
            "parameters": {"a": {"uniform": [0.0, 0.6]}, "b": {"range": [2, 9]}, "c": ["x", "y"]},
        }
    )
    design = points(spec.design, spec.parameters)
    assert len(design) == 40
    a = np.array([p["a"] for p in design])
    assert ((a >= 0) & (a <= 0.6)).all()
    # Latin hypercube: exactly one point in each of the 40 equal strata of a
    assert sorted(np.floor(a / 0.6 * 40).astype(int)) == list(range(40))
    b = [p["b"] for p in design]
    assert set(b) == set(range(2, 10)) and all(isinstance(v, int) for v in b)
    assert [p["c"] for p in design].count("x") == 20
    assert points(spec.design, spec.parameters) == design  # seeded


def test_same_rows_sequential_process_pool_and_dask(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    spec = load_sweep(_files(tmp_path, GRID))
    sequential = run_sweep(spec, out=tmp_path / "seq").runs
    with process_pool(2) as pool:
        pooled = run_sweep(spec, pool, out=tmp_path / "pool").runs
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        Client(cluster) as client,
    ):
        dasked = run_sweep(spec, client.get_executor(), out=tmp_path / "dask").runs
    columns = [c for c in sequential.columns if c != "seconds"]
    assert len(sequential) == 12 and sequential["error"].isna().all()
    pd.testing.assert_frame_equal(sequential[columns], pooled[columns])
    pd.testing.assert_frame_equal(sequential[columns], dasked[columns])
    summary = pd.read_csv(tmp_path / "seq" / "summary.csv")
    assert len(summary) == 6 and {"hall_wait_mean_min", "hall_wait_mean_min_ci_low"} <= set(
        summary.columns
    )


def failing_run(scenario: Any, seed: int) -> dict[str, Any]:
    """A run that fails for one point (three officers at the window), for the test below."""
    if scenario.pools["w"].count == 3:
        raise RuntimeError("simulated failure")
    return run_once(scenario, seed)


def test_a_failing_point_is_recorded_and_the_others_complete(tmp_path: Path) -> None:
    spec = load_sweep(_files(tmp_path, GRID))
    result = run_sweep(spec, out=tmp_path / "out", run=failing_run)
    failed = result.runs[result.runs["error"].notna()]
    assert len(result.runs) == 12 and len(failed) == 4
    assert (
        set(failed["pools.w.count"]) == {3}
        and failed["error"].str.contains("simulated failure").all()
    )
    assert result.runs[result.runs["error"].isna()]["hall_wait_mean_min"].notna().all()
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary.loc[summary["pools.w.count"] == 3, "failures"].tolist() == [2, 2]


def test_killed_sweep_keeps_finished_rows_and_resume_completes_it(tmp_path: Path) -> None:
    # 18 runs of 40 days ended within 0.19 s of each other on a fast host, under the 0.2 s
    # look the test had (killed after the last run: 18 < 18). 200 days: 0.04 s a run.
    slow = dict(HALL, horizon={"days": 200, "warmup_days": 1})
    path = _files(tmp_path, {**GRID, "replications": 3}, hall=slow)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simlib.cli", "sweep", str(path), "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = RunStore(out / "runs")
    deadline = time.time() + 120
    while time.time() < deadline and len(store) < 4:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = len(store)
    assert 4 <= kept < 18, "the sweep must have been killed midway"
    refused = subprocess.run(
        [sys.executable, "-m", "simlib.cli", "sweep", str(path), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib.cli",
            "sweep",
            str(path),
            "--out",
            str(out),
            "--resume",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    whole = run_sweep(load_sweep(path), out=tmp_path / "whole").runs
    final = pd.read_parquet(out / "runs.parquet")
    assert not final.duplicated(["point", "replication"]).any()
    columns = [c for c in whole.columns if c != "seconds"]
    pd.testing.assert_frame_equal(final[columns], whole[columns], check_dtype=False)
    assert len(store) == 18  # one file per run, none twice


@pytest.mark.parametrize(
    ("sweep", "fragment"),
    [
        ({"parameters": {"pools.nope.count": [1, 2]}}, "parameters.pools.nope.count"),
        ({"parameters": {"pools.w.count": [0, -1]}}, "makes an invalid scenario"),
        (
            {"parameters": {"demand_factor": {"uniform": [0.5, 1.0]}}},
            "uniform ranges need design lhs",
        ),
        ({"design": {"type": "lhs"}, "parameters": {"demand_factor": [1]}}, "needs n"),
        ({"parameters": {"demand_factor": {"range": [3, 1]}}}, "runs backwards"),
        ({"parameters": {}}, "parameters"),
        ({"replications": 0, "parameters": {"demand_factor": [1]}}, "replications"),
    ],
)
def test_bad_sweep_files_fail_before_anything_runs(
    tmp_path: Path, sweep: dict, fragment: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_sweep(_files(tmp_path, sweep))
    assert fragment in str(info.value)


def test_resume_refuses_a_different_sweep(tmp_path: Path) -> None:
    from simlib.cli import main

    path = _files(tmp_path, GRID)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    other = _files(tmp_path, {**GRID, "replications": 3})
    assert main(["sweep", str(other), "--out", str(tmp_path / "o"), "--resume", "--quiet"]) == 2

"""Running a sweep on any ``concurrent.futures.Executor``: sequentially, on a process pool,
or on a Dask cluster (``distributed.Client(...).get_executor()``).

Work goes out as (scenario, seed) pairs; every finished run is stored at once (see
:mod:`simlib.experiment.store`); a run that raises is stored with its error and the sweep
goes on; ``resume`` runs only the (point, replication) pairs that have no row yet.
Replication r of every point uses the same seed, so neighbouring points are compared on
the same applicants (common random numbers across the design).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiment.design import Sweep
from simlib.experiment.replicate import replication_seed, run_once
from simlib.experiment.stats import mean_ci
from simlib.experiment.store import RunStore
from simlib.scenario.model import Scenario

__all__ = ["SweepResult", "run_sweep", "summarize_points", "sweep"]

RunFn = Callable[[Scenario, int], dict[str, Any]]
_NOT_KPI = {"point", "replication", "seed", "seconds", "error"}


def safe_run(run: RunFn, scenario: Scenario, seed: int) -> tuple[dict[str, Any], str | None]:
    """Run, but return an error message instead of raising (a failed point is a result)."""
    started = time.perf_counter()
    try:
        return run(scenario, seed), None
    except Exception as exc:
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return {"seconds": time.perf_counter() - started}, detail


@dataclass
class SweepResult:
    sweep: Sweep
    runs: pd.DataFrame  # one row per point x replication
    out: Path | None

    @property
    def failures(self) -> pd.DataFrame:
        return self.runs[self.runs["error"].notna()]

    def summary(self) -> pd.DataFrame:
        return summarize_points(self.runs, self.sweep.parameters)


def summarize_points(runs: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Per point: parameter values, runs, failures, and mean / 95 % CI of every KPI."""
    kpis = [c for c in runs.columns if c not in _NOT_KPI and c not in parameters]
    rows = []
    for point, group in runs.groupby("point", sort=True):
        ok = group[group["error"].isna()] if "error" in group else group
        row: dict[str, Any] = {"point": point, **{p: group[p].iloc[0] for p in parameters}}
        row["runs"] = len(group)
        row["failures"] = len(group) - len(ok)
        for kpi in kpis:
            m, lo, hi = mean_ci(ok[kpi].to_numpy(dtype=float)) if len(ok) else (np.nan,) * 3
            row[kpi] = m
            row[f"{kpi}_ci_low"] = lo
            row[f"{kpi}_ci_high"] = hi
        rows.append(row)
    return pd.DataFrame(rows)


def run_sweep(
    sweep: Sweep,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
    run: RunFn = run_once,
) -> SweepResult:
    """Run every point x replication of ``sweep``; ``on_progress(done, total, failed)``."""
    store = RunStore(out) if out is not None else None
    if store is not None:
        store.check_spec(sweep.spec, resume)
    finished = store.done() if (store is not None and resume) else set()
    seeds = [replication_seed(sweep.seed, r) for r in range(sweep.replications)]
    jobs = [
        (p, r)
        for p in range(len(sweep.scenarios))
        for r in range(sweep.replications)
        if (p, r) not in finished
    ]
    rows: list[dict[str, Any]] = []
    failed = 0

    def record(job: tuple[int, int], result: tuple[dict[str, Any], str | None]) -> None:
        nonlocal failed
        p, r = job
        values, error = result
        row = {
            "point": p,
            "replication": r,
            "seed": seeds[r],
            **sweep.values[p],
            **values,
            "error": error,
        }
        failed += error is not None
        rows.append(row)
        if store is not None:
            store.append(row)
        if on_progress is not None:
            on_progress(len(rows), len(jobs), failed)

    if executor is None:
        for p, r in jobs:
            record((p, r), safe_run(run, sweep.scenarios[p], seeds[r]))
    else:
        futures = {
            executor.submit(safe_run, run, sweep.scenarios[p], seeds[r]): (p, r) for p, r in jobs
        }
        try:
            for future in as_completed(futures):
                record(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    if store is not None:
        runs = store.compact()
        summary = summarize_points(runs, sweep.parameters)
        summary.to_csv(store.out / "summary.csv", index=False)
        summary.to_parquet(store.out / "summary.parquet", index=False)
    else:
        runs = pd.DataFrame(rows).sort_values(["point", "replication"]).reset_index(drop=True)
    return SweepResult(sweep, runs, Path(out) if out is not None else None)


def sweep(
    spec: Sweep | str | Path,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> SweepResult:
    """Load (if a path) and run a sweep; see :func:`run_sweep`."""
    from simlib.experiment.design import load_sweep

    loaded = load_sweep(spec) if isinstance(spec, (str, Path)) else spec
    return run_sweep(loaded, executor, out, resume, on_progress)

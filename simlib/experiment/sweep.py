"""Running a sweep on any ``concurrent.futures.Executor``: sequentially, on a process pool,
or on a Dask cluster (``distributed.Client(...).get_executor()``).

Work goes out as (scenario, seed) pairs; every finished run is stored at once (see
:mod:`simlib.experiment.store`); a run that raises is stored with its error and the sweep
goes on; ``resume`` runs only the (point, replication) pairs that have no row yet.
Replication r of every point uses the same seed, so neighbouring points are compared on
the same applicants (common random numbers across the design).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiment.core import Job, RunFn, evaluate, replication_seed, run_kpis
from simlib.experiment.stats import mean_ci
from simlib.experiment.store import RunStore
from simlib.files.sweep import Sweep, load_sweep

__all__ = ["SweepResult", "run_sweep", "summarize_points", "sweep"]

_NOT_KPI = {"point", "replication", "seed", "seconds", "error"}


@dataclass
class SweepResult:
    sweep: Sweep
    runs: pd.DataFrame  # one row per point x replication
    out: Path | None
    quarantined: list[Path] = field(default_factory=list)  # damaged run files moved aside

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
    run: RunFn = run_kpis,
) -> SweepResult:
    """Run every point x replication of ``sweep``; ``on_progress(done, total, failed)``."""
    store = RunStore(out) if out is not None else None
    if store is not None:
        store.check_spec(sweep.spec, resume, sweep.fingerprint)
    finished = store.done() if (store is not None and resume) else set()
    seeds = [replication_seed(sweep.seed, r) for r in range(sweep.replications)]
    jobs = [
        (p, r)
        for p in range(len(sweep.scenarios))
        for r in range(sweep.replications)
        if (p, r) not in finished
    ]
    work = [
        Job(sweep.scenarios[p], seeds[r], {"point": p, "replication": r, **sweep.values[p]})
        for p, r in jobs
    ]
    rows: list[dict[str, Any]] = []
    for row in evaluate(work, executor, on_progress, run):
        rows.append(row)
        if store is not None:
            store.append(row)
    if store is not None:
        runs = store.compact()
        summary = summarize_points(runs, sweep.parameters)
        summary.to_csv(store.out / "summary.csv", index=False)
        summary.to_parquet(store.out / "summary.parquet", index=False)
    else:
        runs = pd.DataFrame(rows).sort_values(["point", "replication"]).reset_index(drop=True)
    quarantined = store.quarantined if store is not None else []
    return SweepResult(sweep, runs, Path(out) if out is not None else None, quarantined)


def sweep(
    spec: Sweep | str | Path,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> SweepResult:
    """Load (if a path) and run a sweep; see :func:`run_sweep`."""
    loaded = load_sweep(spec) if isinstance(spec, (str, Path)) else spec
    return run_sweep(loaded, executor, out, resume, on_progress)

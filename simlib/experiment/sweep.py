"""Running a sweep on any ``concurrent.futures.Executor``: sequentially, on a process pool,
or on a Dask cluster (``distributed.Client(...).get_executor()``).

Work goes out as (scenario, seed) pairs through the run core; with an output folder every
finished run is stored at once in its run store (see :mod:`simlib.experiment.store`), keyed
by what it depends on; a run that raises is stored with its error and the sweep goes on;
``resume`` reads the stored runs back by key and runs only the missing ones.
Replication r of every point uses the same seed, so neighbouring points are compared on
the same applicants (common random numbers across the design).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiment.core import Job, RunFn, evaluate, replication_seed, run_kpis
from simlib.experiment.stats import mean_ci
from simlib.experiment.store import open_output
from simlib.files.sweep import Sweep, load_sweep
from simlib.writing import write_csv

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
    """Run every point x replication of ``sweep``; ``on_progress(done, total, failed)``.

    With ``out``, runs are stored in ``out/runs/`` as they finish, the tidy table goes to
    ``out/runs.parquet`` and the per-point summary to ``out/summary.csv|parquet``.
    """
    store = open_output(out, "sweep", sweep_question(sweep), resume) if out is not None else None
    if out is not None:
        meta = json.dumps(sweep.spec, sort_keys=True, default=str)
        (Path(out) / "sweep.json").write_text(meta)
    seeds = [replication_seed(sweep.seed, r) for r in range(sweep.replications)]
    work = [
        Job(sweep.scenarios[p], seeds[r], {"point": p, "replication": r, **sweep.values[p]})
        for p in range(len(sweep.scenarios))
        for r in range(sweep.replications)
    ]
    rows = list(evaluate(work, executor, on_progress, run, store))
    runs = pd.DataFrame(rows).sort_values(["point", "replication"]).reset_index(drop=True)
    if out is not None:
        folder = Path(out)
        runs.to_parquet(folder / "runs.parquet", index=False)
        summary = summarize_points(runs, sweep.parameters)
        write_csv(summary, folder / "summary.csv", index=False)
        summary.to_parquet(folder / "summary.parquet", index=False)
    quarantined = store.quarantined if store is not None else []
    return SweepResult(sweep, runs, Path(out) if out is not None else None, quarantined)


def sweep_question(sweep: Sweep) -> dict[str, Any]:
    """What a sweep's stored runs answer (the parts ``--resume`` must find unchanged)."""
    spec = {k: v for k, v in sweep.spec.items() if k not in ("seed", "reforms")}
    return {
        "spec": spec,
        "reforms": sweep.spec.get("reforms"),
        "scenario": sweep.base.model_dump(mode="json"),
        "seed": sweep.seed,
    }


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

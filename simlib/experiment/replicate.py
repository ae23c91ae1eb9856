"""Independent replications of one scenario: a tidy per-run KPI table and its summary.

Replication i of a study always gets the same seed, derived from (base seed, i), so that
every variant of a comparison sees the same applicants (common random numbers). Runs go
through the run core (:mod:`simlib.experiment.core`), sequentially or on any executor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from simlib.experiment.core import (
    Job,
    Progress,
    RunFn,
    check_seed,
    evaluate,
    replication_seed,
    run_kpis,
)
from simlib.experiment.runner import ExecutorArg, executor_for
from simlib.experiment.stats import mean_ci, summarize
from simlib.limits import over
from simlib.metrics import (
    CASE_KPIS,
    HOUR_KPIS,
    MATTER_KPIS,
    POOL_KPIS,
    overload_warning,
)
from simlib.scenario.model import Scenario
from simlib.warmup import warmup_warning

__all__ = ["Replications", "check_reps", "replicate", "replication_seed", "run_once"]

_META = ("replication", "seed", "seconds", "error")


def run_once(
    scenario: Scenario, seed: int, detail: Literal["full", "kpi"] = "kpi"
) -> dict[str, float]:
    """One run's KPIs (:func:`~simlib.experiment.core.run_kpis`), flattened, with its seed
    and wall-clock seconds."""
    started = time.perf_counter()
    values = run_kpis(scenario, seed, detail)
    values["seed"] = seed
    values["seconds"] = time.perf_counter() - started
    return values


def check_reps(n: Any, what: str = "the number of replications") -> int:
    """``n`` as an int in 1..limit, or a ValueError naming what is allowed."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a whole number >= 1; got {n!r}")
    message = over("replications", int(n), what)
    if message:
        raise ValueError(message)
    return int(n)


@dataclass
class Replications:
    """The result of :func:`replicate`."""

    scenario: Scenario
    seed: int
    runs: pd.DataFrame  # one row per replication: replication, seed, seconds, error, KPIs
    precision: Any = None  # a PrecisionRun when the count was chosen by --precision

    @property
    def kpi_columns(self) -> list[str]:
        return [c for c in self.runs.columns if c not in _META]

    @property
    def failures(self) -> pd.DataFrame:
        """The replications that failed, with their error."""
        return self.runs[self.runs["error"].notna()]

    def warmup_warning(self) -> str | None:
        """MSER-5's verdict on the scenario's warm-up, over these runs (None: long enough)."""
        if "warmup_mser5_days" not in self.runs:
            return None
        return warmup_warning(self.runs["warmup_mser5_days"], self.scenario.horizon.warmup_days)

    def summary(self) -> pd.DataFrame:
        """Mean, 95 % CI, std and n for every KPI column (failed runs left out: see n)."""
        return summarize(self.runs, self.kpi_columns)

    def to_json(self) -> dict[str, Any]:
        """The ``simlib run --json`` object (DESIGN §9); NaN becomes None."""

        def entry(values: np.ndarray) -> dict[str, Any]:
            m, lo, hi = mean_ci(values)
            return {
                "mean": _clean(m),
                "ci95": [_clean(lo), _clean(hi)],
                "values": [_clean(float(x)) for x in values],
            }

        def column(name: str) -> np.ndarray:
            if name not in self.runs:
                return np.full(len(self.runs), np.nan)
            return self.runs[name].to_numpy(dtype=float)

        out: dict[str, Any] = {}
        for name in CASE_KPIS:
            out[name] = entry(column(name))
        for name in POOL_KPIS:
            out[name] = {pool: entry(column(f"{name}[{pool}]")) for pool in self.scenario.pools}
        by_matter = {
            m.id: {k: entry(column(f"{k}[matter={m.id}]")) for k in MATTER_KPIS}
            for m in self.scenario.matters
        }
        hours = sorted({c[-3:-1] for c in self.runs.columns if "[hour=" in c})
        by_hour = {h: {k: entry(column(f"{k}[hour={h}]")) for k in HOUR_KPIS} for h in hours}
        warning = overload_warning(self.runs, drained=self.scenario.horizon.drain_days > 0)
        warnings = [w for w in (warning, self.warmup_warning()) if w]
        result = {
            "scenario": self.scenario.name,
            "replications": len(self.runs),
            "seed": self.seed,
            "unstable": warning is not None,
            "warnings": warnings,
            **({"precision": self.precision.to_json()} if self.precision is not None else {}),
            "kpis": out,
            "by_matter": by_matter,
            "by_hour": by_hour,
        }
        errors = [e for e in self.runs["error"] if isinstance(e, str)]
        if errors:
            result["errors"] = errors
        return result


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def replicate(
    scenario: Scenario,
    n: int = 10,
    seed: int | None = None,
    on_progress: Progress | None = None,
    executor: ExecutorArg = None,
    run: RunFn = run_kpis,
) -> Replications:
    """Run ``n`` independent replications and collect their KPIs (one row each; a run that
    fails is a row with its ``error``). ``seed`` defaults to the scenario's; ``run`` is the
    measure of one run (see :func:`~simlib.experiment.core.evaluate`)."""
    n = check_reps(n)
    base = check_seed(scenario.seed if seed is None else seed)
    jobs = [Job(scenario, replication_seed(base, i), {"replication": i}) for i in range(n)]
    with executor_for(executor) as pool:
        rows = list(evaluate(jobs, pool, on_progress, run))
    runs = pd.DataFrame(rows).sort_values("replication").reset_index(drop=True)
    runs = runs[list(_META) + [c for c in runs.columns if c not in _META]]
    return Replications(scenario, base, runs)

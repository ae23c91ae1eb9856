"""Independent replications of one scenario: a tidy per-run KPI table and its summary.

Replication i of a study always gets the same seed, derived from (base seed, i), so that
every variant of a comparison sees the same applicants (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from simlib.engine import simulate
from simlib.experiment.stats import mean_ci, summarize
from simlib.metrics import CASE_KPIS, HOUR_KPIS, MATTER_KPIS, POOL_KPIS, kpi_row
from simlib.scenario.model import Scenario

__all__ = ["Replications", "replicate", "replication_seed", "run_once"]


def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of a study seeded ``seed`` (stable everywhere)."""
    return int(np.random.SeedSequence([seed, replication]).generate_state(1, np.uint32)[0])


def run_once(
    scenario: Scenario, seed: int, detail: Literal["full", "kpi"] = "kpi"
) -> dict[str, float]:
    """One run's KPIs, flattened, with its seed and wall-clock seconds (picklable work unit)."""
    started = time.perf_counter()
    values = kpi_row(simulate(scenario, seed, detail), scenario)
    values["seed"] = seed
    values["seconds"] = time.perf_counter() - started
    return values


@dataclass
class Replications:
    """The result of :func:`replicate`."""

    scenario: Scenario
    seed: int
    runs: pd.DataFrame  # one row per replication: replication, seed, seconds, KPI columns

    @property
    def kpi_columns(self) -> list[str]:
        return [c for c in self.runs.columns if c not in ("replication", "seed", "seconds")]

    def summary(self) -> pd.DataFrame:
        """Mean, 95 % CI, std and n for every KPI column."""
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

        out: dict[str, Any] = {}
        for name in CASE_KPIS:
            out[name] = entry(self.runs[name].to_numpy(dtype=float))
        for name in POOL_KPIS:
            out[name] = {
                pool: entry(self.runs[f"{name}[{pool}]"].to_numpy(dtype=float))
                for pool in self.scenario.pools
            }
        by_matter = {
            m.id: {
                k: entry(self.runs[f"{k}[matter={m.id}]"].to_numpy(dtype=float))
                for k in MATTER_KPIS
                if f"{k}[matter={m.id}]" in self.runs
            }
            for m in self.scenario.matters
        }
        hours = sorted({c[-3:-1] for c in self.runs.columns if "[hour=" in c})
        by_hour = {
            h: {
                k: entry(self.runs[f"{k}[hour={h}]"].to_numpy(dtype=float))
                for k in HOUR_KPIS
                if f"{k}[hour={h}]" in self.runs
            }
            for h in hours
        }
        return {
            "scenario": self.scenario.name,
            "replications": len(self.runs),
            "seed": self.seed,
            "kpis": out,
            "by_matter": by_matter,
            "by_hour": by_hour,
        }


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def replicate(
    scenario: Scenario,
    n: int = 10,
    seed: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Replications:
    """Run ``n`` independent replications (sequentially) and collect their KPIs."""
    if n < 1:
        raise ValueError(f"the number of replications must be >= 1; got {n}")
    base = scenario.seed if seed is None else seed
    rows = []
    for i in range(n):
        row = {"replication": i, **run_once(scenario, replication_seed(base, i))}
        rows.append(row)
        if on_progress is not None:
            on_progress(i + 1, n)
    runs = pd.DataFrame(rows)
    front = ["replication", "seed", "seconds"]
    runs = runs[front + [c for c in runs.columns if c not in front]]
    return Replications(scenario, base, runs)

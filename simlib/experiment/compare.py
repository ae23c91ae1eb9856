"""Comparing reforms with common random numbers: alone, and stacked (a waterfall).

Every variant runs on the same replication seeds as the baseline, and applicants'
attributes are indexed (see ``engine.streams``), so replication i of a variant sees the
same applicants with the same needs as replication i of the baseline. The difference
per replication is then mostly the reform's effect, and its confidence interval is far
narrower than with independent runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simlib.costs import VariantCost
from simlib.experiment.core import Job, Progress, check_seed, evaluate, replication_seed
from simlib.experiment.replicate import check_reps
from simlib.experiment.runner import ExecutorArg, executor_for
from simlib.experiment.stats import mean_ci
from simlib.reforms import apply_reforms, parse_reforms
from simlib.reforms.spec import BaseReform
from simlib.scenario.model import Scenario

__all__ = [
    "BASELINE",
    "Comparison",
    "compare",
    "paired",
    "run_arms",
    "runs_frame",
    "study_arms",
]

BASELINE = "baseline"
_META = ("kind", "variant", "stage", "replication", "seed", "seconds", "error")


def paired(base: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Paired difference other - base over replications: mean, 95 % CI, relative change."""
    ok = np.isfinite(base) & np.isfinite(other)
    diff = other[ok] - base[ok]
    m, lo, hi = mean_ci(diff)
    base_mean = float(base[ok].mean()) if ok.any() else float("nan")
    return {
        "baseline_mean": base_mean,
        "variant_mean": float(other[ok].mean()) if ok.any() else float("nan"),
        "diff": m,
        "diff_ci_low": lo,
        "diff_ci_high": hi,
        "rel_change": m / base_mean if base_mean and np.isfinite(base_mean) else float("nan"),
        "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
        "n": int(ok.sum()),
    }


@dataclass
class Comparison:
    """Per-run KPI rows of a comparison, and the tables computed from them."""

    baseline: Scenario
    variants: dict[str, list[BaseReform]]
    stack: list[str]
    seed: int
    runs: pd.DataFrame  # one row per (kind, variant, replication): kind in baseline/alone/stacked
    name: str = "comparison"
    meta: dict[str, Any] = field(default_factory=dict)
    costs: dict[str, VariantCost] = field(default_factory=dict)  # per variant, when known

    @property
    def kpi_columns(self) -> list[str]:
        return [c for c in self.runs.columns if c not in _META]

    @property
    def failures(self) -> pd.DataFrame:
        """The runs that failed, with their error (their KPIs are left out of the tables)."""
        return self.runs[self.runs["error"].notna()]

    def _values(self, kind: str, variant: str) -> pd.DataFrame:
        rows = self.runs[(self.runs["kind"] == kind) & (self.runs["variant"] == variant)]
        return rows.sort_values("replication")

    @staticmethod
    def _common(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The replications both arms have, in the same order: pairs stay pairs when one arm
        has more replications (``compare --decide`` adds them only where still needed)."""
        reps = sorted(set(a["replication"]) & set(b["replication"]))
        return (
            a.set_index("replication").loc[reps].reset_index(),
            b.set_index("replication").loc[reps].reset_index(),
        )

    def _matrix(self, arm: pd.DataFrame) -> np.ndarray:
        """The arm's KPI columns as one float array (replications x KPIs): reading a
        column of a 2-D array costs a fraction of a DataFrame column lookup, and tables
        look up every KPI of every arm (thousands)."""
        return arm[self.kpi_columns].to_numpy(float)

    def table(self) -> pd.DataFrame:
        """Each reform alone vs the baseline: one row per variant and KPI. With costs, also
        ``cost``, ``officer_hours`` and ``diff_per_cost`` (the change per unit of one-off
        cost; empty when the variant costs nothing)."""
        rows = []
        kpis = self.kpi_columns
        for name in self.variants:
            base, other = (
                self._matrix(arm)
                for arm in self._common(
                    self._values(BASELINE, BASELINE), self._values("alone", name)
                )
            )
            extra: dict[str, Any] = {}
            if self.costs:
                c = self.costs.get(name, VariantCost())
                extra = {"cost": c.cost, "officer_hours": c.officer_hours}
            for j, kpi in enumerate(kpis):
                row = paired(base[:, j], other[:, j])
                if extra:
                    cost = extra["cost"]
                    extra["diff_per_cost"] = row["diff"] / cost if cost > 0 else float("nan")
                rows.append({"variant": name, "kpi": kpi, **row, **extra})
        return pd.DataFrame(rows)

    def stacked(self) -> pd.DataFrame:
        """Reforms applied cumulatively in ``stack`` order: each one's marginal contribution
        (paired difference to the stage before) and the cumulative level after it."""
        rows = []
        kpis = self.kpi_columns
        previous = self._values(BASELINE, BASELINE)
        base = previous
        for stage, name in enumerate(self.stack):
            current = self._values("stacked", name)
            previous, current = self._common(previous, current)
            base, _ = self._common(base, current)
            before, now, first = (self._matrix(a) for a in (previous, current, base))
            for j, kpi in enumerate(kpis):
                step = paired(before[:, j], now[:, j])
                total = paired(first[:, j], now[:, j])
                rows.append(
                    {
                        "stage": stage + 1,
                        "variant": name,
                        "kpi": kpi,
                        "level": step["variant_mean"],
                        "contribution": step["diff"],
                        "contribution_ci_low": step["diff_ci_low"],
                        "contribution_ci_high": step["diff_ci_high"],
                        "cumulative": total["diff"],
                        "cumulative_ci_low": total["diff_ci_low"],
                        "cumulative_ci_high": total["diff_ci_high"],
                        "baseline_mean": total["baseline_mean"],
                    }
                )
            previous = current
        return pd.DataFrame(rows)


def compare(
    baseline: Scenario,
    variants: Mapping[str, Sequence[Any]],
    reps: int = 10,
    seed: int | None = None,
    stack: Sequence[str] | None = None,
    executor: ExecutorArg = None,
    on_progress: Progress | None = None,
    name: str = "comparison",
    costs: Mapping[str, VariantCost] | None = None,
) -> Comparison:
    """Run the baseline and every variant (each a list of reforms) on the same seeds.

    ``stack`` (default: every variant, in order) also runs the reforms cumulatively; pass
    ``[]`` to skip stacking. ``executor``: None (this process), a number of worker
    processes, or any Executor; results do not depend on it.
    """
    reps = check_reps(reps, "reps")
    if isinstance(executor, bool) or (isinstance(executor, int) and executor < 1):
        raise ValueError(f"executor must be an Executor or a whole number >= 1; got {executor!r}")
    base_seed = check_seed(baseline.seed if seed is None else seed)
    parsed = {n: parse_reforms(list(r), where=f"variants.{n}") for n, r in variants.items()}
    order = list(parsed) if stack is None else list(stack)
    jobs = study_arms(baseline, variants, stack)
    seeds = [replication_seed(base_seed, i) for i in range(reps)]
    rows = run_arms(jobs, seeds, range(reps), executor, on_progress)
    return Comparison(
        baseline, parsed, order, base_seed, runs_frame(rows), name=name, costs=dict(costs or {})
    )


def run_arms(
    jobs: list[tuple[str, str, int, Scenario]],
    seeds: Sequence[int],
    replications: Sequence[int],
    executor: ExecutorArg = None,
    on_progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Rows of every arm x (replication, seed), through the run core, in arm order."""
    work = [
        Job(scenario, seed, {"kind": kind, "variant": variant, "stage": stage, "replication": r})
        for kind, variant, stage, scenario in jobs
        for r, seed in zip(replications, seeds, strict=True)
    ]
    with executor_for(executor) as pool:
        rows = list(evaluate(work, pool, on_progress))
    order_of = {(kind, variant): i for i, (kind, variant, _, _) in enumerate(jobs)}
    rows.sort(key=lambda row: (order_of[(row["kind"], row["variant"])], row["replication"]))
    return rows


def study_arms(
    baseline: Scenario, variants: Mapping[str, Sequence[Any]], stack: Sequence[str] | None
) -> list[tuple[str, str, int, Scenario]]:
    """(kind, variant, stage, scenario) of every arm: the baseline, each variant alone, and
    each stage of the stack (default: every variant, in order)."""
    parsed = {n: parse_reforms(list(r), where=f"variants.{n}") for n, r in variants.items()}
    order = list(parsed) if stack is None else list(stack)
    unknown = [s for s in order if s not in parsed]
    if unknown:
        raise ValueError(
            f"stack names {unknown} are not variants; variants are: {', '.join(parsed)}"
        )
    jobs: list[tuple[str, str, int, Scenario]] = [(BASELINE, BASELINE, 0, baseline)]
    for n, reforms in parsed.items():
        jobs.append(("alone", n, 0, apply_reforms(baseline, reforms, where=f"variants.{n}")))
    cumulative: list[BaseReform] = []
    for stage, n in enumerate(order, start=1):
        cumulative = cumulative + parsed[n]
        jobs.append(("stacked", n, stage, apply_reforms(baseline, cumulative, where=f"stack[{n}]")))
    return jobs


def runs_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Run rows as a DataFrame, the identifying columns first."""
    runs = pd.DataFrame(rows)
    front = [c for c in _META if c in runs.columns]
    return runs[front + [c for c in runs.columns if c not in front]]

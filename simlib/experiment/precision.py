"""How many replications: add them until every watched KPI is known to a relative precision.

The procedure is the replication algorithm of Hoad, Robinson and Davies (2010), "Automated
selection of the number of replications for a discrete-event simulation", JORS 61(11):
run replications one at a time; once the 95 % CI half-width of every watched KPI is within
``precision`` of its mean at ``n`` replications, look ahead: run on to
``n + f(n)`` replications (``f(n) = look_ahead`` for n <= 100, ``look_ahead * n / 100``
beyond) and accept ``n`` only if the precision held all the way; otherwise go on. This
guards against stopping on a lucky early estimate of the variance.

The procedure is kept apart from the model (``sim-tools`` style): it asks a callable for
replication i's KPI values, so the same code serves ``run`` (one scenario) and ``compare``
(every arm of a study at once, each arm's KPIs watched).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiment.compare import BASELINE, Comparison, run_arms, runs_frame, study_arms
from simlib.experiment.core import (
    Job,
    Progress,
    RunFn,
    check_seed,
    evaluate,
    replication_seed,
    run_kpis,
)
from simlib.experiment.replicate import Replications
from simlib.experiment.runner import ExecutorArg, executor_for
from simlib.experiment.stats import t_quantile
from simlib.reforms import parse_reforms
from simlib.scenario.model import Scenario

__all__ = [
    "DEFAULT_KPIS",
    "PrecisionRun",
    "compare_to_precision",
    "look_ahead",
    "relative_half_width",
    "replicate_to_precision",
    "to_precision",
]

DEFAULT_KPIS = (
    "hall_wait_mean_min",
    "lead_time_mean_days",
    "on_time_rate",
    "visits_per_case",
    "throughput_per_day",
)
MIN_REPS = 3


def relative_half_width(values: Sequence[float]) -> float:
    """95 % Student-t half-width over |mean| (0 when every value is the same; inf if n < 2)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.inf
    sd = float(x.std(ddof=1))
    if sd == 0:
        return 0.0
    mean = abs(float(x.mean()))
    half = t_quantile(0.975, len(x) - 1) * sd / math.sqrt(len(x))
    return half / mean if mean > 0 else math.inf


def look_ahead(n: int, k_limit: int = 5) -> int:
    """Hoad et al.'s f(kLimit, n): how many more replications must confirm a solution at n."""
    return k_limit if n <= 100 else math.floor(k_limit * n / 100)


@dataclass
class PrecisionRun:
    """What the procedure did: replications run, the solution, and which KPI decided."""

    precision: float
    max_reps: int
    reps_run: int = 0
    solution: int | None = None  # replications that give the precision (None: not reached)
    deciding_kpi: str | None = None  # the watched KPI that was last to reach the precision
    achieved: dict[str, float] = field(default_factory=dict)  # KPI -> relative half-width
    watched: list[str] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        return self.solution is not None

    def to_json(self) -> dict[str, object]:
        return {
            "target": self.precision,
            "max_reps": self.max_reps,
            "replications_run": self.reps_run,
            "replications_needed": self.solution,
            "converged": self.converged,
            "deciding_kpi": self.deciding_kpi,
            "relative_half_width": {
                k: (None if not math.isfinite(v) else v) for k, v in self.achieved.items()
            },
        }

    def text(self) -> str:
        if self.converged:
            head = (
                f"{self.solution} replication(s) give every watched KPI a 95 % CI within "
                f"{self.precision:.0%} of its mean ({self.reps_run} run, look-ahead included); "
                f"the last to get there: {self.deciding_kpi}."
            )
        else:
            worst = max(self.achieved, key=lambda k: self.achieved[k], default="")
            head = (
                f"PRECISION NOT REACHED: after {self.reps_run} replication(s) (--max-reps) "
                f"{worst} is known to ±{self.achieved.get(worst, math.inf):.1%} only, "
                f"not {self.precision:.0%}."
            )
        return head


def to_precision(
    replication: Callable[[int], dict[str, float]],
    kpis: Sequence[str],
    precision: float,
    max_reps: int,
    k_limit: int = 5,
) -> tuple[list[dict[str, float]], PrecisionRun]:
    """Run ``replication(0), replication(1), ...`` until each column in ``kpis`` has a 95 %
    CI half-width within ``precision`` of its mean, confirmed by look-ahead, or ``max_reps``.

    Columns that are NaN in every replication (not applicable) are not watched.
    """
    if not 0 < precision < 1:
        raise ValueError(f"precision must be a share between 0 and 1; got {precision}")
    if max_reps < MIN_REPS:
        raise ValueError(f"max_reps must be at least {MIN_REPS}; got {max_reps}")
    result = PrecisionRun(precision, max_reps)
    rows: list[dict[str, float]] = []
    first_ok: dict[str, int] = {}  # KPI -> replications at which it last became precise
    solution: int | None = None
    while len(rows) < max_reps:
        rows.append(replication(len(rows)))
        n = len(rows)
        if n < MIN_REPS:
            continue
        watched = [k for k in kpis if any(math.isfinite(r.get(k, math.nan)) for r in rows)]
        widths = {k: relative_half_width([r.get(k, math.nan) for r in rows]) for k in watched}
        result.watched, result.achieved = watched, widths
        for k, w in widths.items():
            if w > precision:
                first_ok.pop(k, None)
            else:
                first_ok.setdefault(k, n)
        if len(first_ok) < len(widths):
            solution = None
            continue
        if solution is None:
            solution = n
            result.deciding_kpi = max(first_ok, key=lambda k: (first_ok[k], widths[k]))
        if n >= solution + look_ahead(solution, k_limit):
            result.solution = solution
            break
    result.reps_run = len(rows)
    return rows, result


def replicate_to_precision(
    scenario: Scenario,
    precision: float,
    kpis: Sequence[str] = DEFAULT_KPIS,
    max_reps: int = 100,
    seed: int | None = None,
    on_progress: Progress | None = None,
    executor: ExecutorArg = None,
    run: RunFn = run_kpis,
) -> Replications:
    """:func:`~simlib.experiment.replicate` with as many replications as ``precision``
    needs (at most ``max_reps``); the result's ``precision`` says how it went.

    Replications go through the run core; with worker processes they are run a batch of
    one per worker ahead (runs the procedure does not ask for are left out of the result,
    which is the same on any executor)."""
    base = check_seed(scenario.seed if seed is None else seed)
    rows_by_rep: dict[int, dict[str, Any]] = {}
    failed = 0
    with executor_for(executor) as pool:
        batch = 1 if pool is None else max(1, int(getattr(pool, "_max_workers", 2)))

        def replication(i: int) -> dict[str, Any]:
            nonlocal failed
            if i not in rows_by_rep:
                reps = range(i, min(max_reps, i + batch))
                jobs = [Job(scenario, replication_seed(base, r), {"replication": r}) for r in reps]
                for row in evaluate(jobs, pool, None, run):
                    rows_by_rep[int(row["replication"])] = row
            row = rows_by_rep[i]
            failed += row["error"] is not None
            if on_progress is not None:
                on_progress(i + 1, max_reps, failed)
            return row

        rows, procedure = to_precision(replication, kpis, precision, max_reps)
    runs = pd.DataFrame(rows)
    front = ["replication", "seed", "seconds", "error"]
    runs = runs[front + [c for c in runs.columns if c not in front]]
    return Replications(scenario, base, runs, precision=procedure)


def compare_to_precision(
    baseline: Scenario,
    variants: Mapping[str, Sequence[Any]],
    precision: float,
    kpis: Sequence[str] = DEFAULT_KPIS,
    max_reps: int = 100,
    seed: int | None = None,
    stack: Sequence[str] | None = None,
    executor: ExecutorArg = None,
    on_progress: Progress | None = None,
    name: str = "comparison",
) -> Comparison:
    """:func:`~simlib.experiment.compare.compare` with as many replications as it takes for
    every watched KPI of every arm (baseline, each reform alone, each stage of the stack) to
    be known within ``precision`` of its level; ``meta["precision"]`` says how it went."""
    base_seed = check_seed(baseline.seed if seed is None else seed)
    arms = study_arms(baseline, variants, stack)
    labels = {
        (kind, variant): (f"{variant} ({kind})" if kind != BASELINE else BASELINE)
        for kind, variant, _, _ in arms
    }
    rows: list[dict[str, Any]] = []
    failed = 0

    def replication(i: int) -> dict[str, float]:
        nonlocal failed
        done = run_arms(arms, [replication_seed(base_seed, i)], [i], pool)
        rows.extend(done)
        failed += sum(row["error"] is not None for row in done)
        flat: dict[str, float] = {}
        for row in done:
            label = labels[(row["kind"], row["variant"])]
            for k in kpis:
                flat[f"{k} in {label}"] = row.get(k, math.nan)
        if on_progress is not None:
            on_progress(i + 1, max_reps, failed)
        return flat

    watched = [f"{k} in {label}" for label in labels.values() for k in kpis]
    with executor_for(executor) as pool:  # one pool for every replication
        _, run = to_precision(replication, watched, precision, max_reps)
    order_of = {key: i for i, key in enumerate(labels)}
    rows.sort(key=lambda row: (order_of[(row["kind"], row["variant"])], row["replication"]))
    parsed = {n: parse_reforms(list(r), where=f"variants.{n}") for n, r in variants.items()}
    order = list(parsed) if stack is None else list(stack)
    return Comparison(
        baseline,
        parsed,
        order,
        base_seed,
        runs_frame(rows),
        name=name,
        meta={"precision": run},
    )

"""Reform portfolios under a budget: ``simlib optimize`` on a file with ``portfolio:``.

The candidates are a study's variants with their costs. For each budget the search
(:mod:`simlib.optimize.portfolio_search`) screens singles and pairs, predicts larger portfolios
with their interactions, simulates the promising ones and picks the best feasible one
with paired t-tests in looks (:mod:`simlib.optimize.selection`). Every run goes through the
project's run core with common random numbers: replication r of every portfolio uses the
seed of replication r of the study, so runs are shared across budgets (the frontier costs
little more than its largest budget).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib.costs import VariantCost, portfolio_cost
from simlib.experiment.core import Job, Progress, evaluate, replication_seed, run_kpis
from simlib.experiment.stats import mean_ci
from simlib.experiment.store import RunStore, open_output
from simlib.files.yaml_io import read_yaml
from simlib.optimize.describe import Description, describe
from simlib.optimize.lockstep import in_lockstep
from simlib.optimize.portfolio_search import (
    Choice,
    Oracle,
    Portfolio,
    Request,
    search,
)
from simlib.optimize.portfolio_spec import Need, PortfolioSpec
from simlib.optimize.selection import Requirement
from simlib.reforms import apply_reforms
from simlib.scenario.model import Scenario

__all__ = [
    "Frontier",
    "SimulationOracle",
    "Step",
    "optimize_portfolio",
    "portfolio_store",
]


class SimulationOracle:
    """Observations of portfolios by simulation, kept per (scenario, replication).

    A portfolio's scenario is the baseline with its variants' reforms applied in the
    study's order. Rows are kept whole (every KPI) for the report; with a ``store`` (the
    run store of ``--out``), every finished run is stored at once and ``--resume`` reads
    each back by its key (scenario, seed, measure, simlib's version).
    """

    def __init__(
        self,
        spec: PortfolioSpec,
        executor: Executor | int = 1,
        store: RunStore | None = None,
        on_progress: Progress | None = None,
    ):
        self.spec, self.executor, self.store = spec, executor, store
        self.on_progress = on_progress
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self._scenarios: dict[Portfolio, Scenario] = {}
        self._keys: dict[Portfolio, str] = {}
        self._days: dict[str, int] = {}  # horizon days (warm-up included) per scenario key
        self.batches: list[int] = []  # runs asked per batch (stored ones included)

    @property
    def workers(self) -> int:
        """Runs the executor makes at once (a process pool's size; 1 in this process)."""
        if isinstance(self.executor, int):
            return 1
        return max(1, int(getattr(self.executor, "_max_workers", 1)))

    def waves(self, workers: int = 2) -> int:
        """Rounds of ``workers`` runs at once over the batches run: the wall time of the
        search on an idle machine, in run times (batches wait for their slowest run)."""
        return sum(-(-n // workers) for n in self.batches)

    @property
    def evaluations(self) -> int:
        """Simulation runs done (or loaded on resume): unique (scenario, replication)."""
        return len(self.rows)

    @property
    def simulated_days(self) -> int:
        """Days simulated over all runs: each run's horizon, warm-up included (the drain's
        tail after the horizon, with arrivals stopped, is not counted)."""
        return sum(self._days[key] for key, _r in self.rows)

    def scenario(self, p: Portfolio) -> Scenario:
        if p not in self._scenarios:
            order = [n for n in self.spec.study.variants if n in p]
            reforms = [r for n in order for r in self.spec.study.variants[n]]
            s = apply_reforms(self.spec.study.baseline, reforms, where="+".join(order))
            self._scenarios[p] = s
            self._keys[p] = s.model_dump_json()
            self._days[self._keys[p]] = s.horizon.days
        return self._scenarios[p]

    def key(self, p: Portfolio) -> str:
        self.scenario(p)
        return self._keys[p]

    def row(self, p: Portfolio, r: int) -> dict[str, Any]:
        return self.rows[(self.key(p), r)]

    def observe(
        self, portfolios: Sequence[Portfolio], replications: Sequence[int]
    ) -> dict[tuple[Portfolio, int], np.ndarray]:
        return self.observe_all([(portfolios, replications)])[0]

    def observe_all(
        self, requests: Sequence[Request]
    ) -> list[dict[tuple[Portfolio, int], np.ndarray]]:
        """:meth:`observe` for several requests, whatever is missing of all run as one batch
        (so both workers stay busy); each request's observations in order."""
        todo: dict[str, Scenario] = {}
        jobs: dict[tuple[str, int], None] = {}  # in order of asking, once each
        for portfolios, replications in requests:
            for p in portfolios:
                for r in replications:
                    if (self.key(p), r) not in self.rows:
                        todo.setdefault(self.key(p), self.scenario(p))
                        jobs[(self.key(p), r)] = None
        if jobs:
            self.batches.append(len(jobs))
            self._run(todo, list(jobs))
        return [
            {(p, r): self.values(self.row(p, r)) for p in portfolios for r in replications}
            for portfolios, replications in requests
        ]

    def _run(self, scenarios: dict[str, Scenario], jobs: list[tuple[str, int]]) -> None:
        """Run the jobs through the run core (and its store). A failed run stops the search
        with its error: the selection needs every value."""
        executor = None if isinstance(self.executor, int) else self.executor
        total = self.evaluations + len(jobs)  # a search does not know its end: this batch
        work = [
            Job(scenarios[k], replication_seed(self.spec.seed, r), {"key": k, "replication": r})
            for k, r in jobs
        ]
        for row in evaluate(work, executor, run=run_kpis, store=self.store):
            key, r = row.pop("key"), row.pop("replication")
            if row.get("error"):
                raise ValueError(f"a run failed (replication {r}): {row['error']}")
            self.rows[(key, r)] = row
            if self.on_progress is not None:
                self.on_progress(self.evaluations, total, 0)  # a failure stops the search

    def values(self, row: dict[str, Any]) -> np.ndarray:
        """[objective, requirement_1, ...] of one run's row."""
        out = [_column(row, self.spec.goal.column)]
        out += [_need_value(row, need) for need in self.spec.needs]
        return np.array(out, dtype=float)


def _column(row: dict[str, Any], column: str) -> float:
    if column not in row:
        raise ValueError(
            f"the runs have no KPI column '{column}' (per-matter and per-hour KPIs need "
            "simlib.metrics.kpi_row)"
        )
    x = float(row[column])
    if not np.isfinite(x):
        raise ValueError(f"KPI '{column}' is undefined (NaN) in a run: nothing to measure")
    return x


def _need_value(row: dict[str, Any], need: Need) -> float:
    if not need.every_hour:
        return _column(row, need.column)
    prefix = f"{need.kpi}[hour="
    hours = [float(v) for k, v in row.items() if k.startswith(prefix) and np.isfinite(v)]
    if not hours:
        raise ValueError(f"the runs have no per-hour column for '{need.kpi}'")
    # the worst hour of the run: E[max] >= max E, so a pass is conservative
    return max(hours) if need.sense == "max" else min(hours)


@dataclass
class Step:
    """The chosen portfolio at one budget: costs, objective (on the selection's replications),
    effect against the baseline and what each reform adds on top of the others (drop-one),
    each paired on common replications and given as many as its verdict needed."""

    choice: Choice
    cost: VariantCost
    replications: int  # of the chosen portfolio in the selection (objective, KPIs)
    objective: tuple[float, float, float]  # mean, 95 % CI
    effect: tuple[float, float, float]  # chosen - baseline, paired
    contributions: dict[str, tuple[float, float, float]]  # chosen - (chosen without it)
    description: Description | None = None  # verdicts, level and replications of the above

    @property
    def portfolio(self) -> Portfolio:
        return self.choice.best or ()

    @property
    def feasible(self) -> bool:
        return self.choice.best is not None


@dataclass
class Frontier:
    spec: PortfolioSpec
    steps: list[Step]
    evaluations: int
    seconds: float
    oracle: SimulationOracle = field(repr=False)

    @property
    def best(self) -> Step:
        return self.steps[-1]  # the largest budget


def _requirements(spec: PortfolioSpec) -> list[Requirement]:
    return [
        Requirement(index=i + 1, bound=n.bound, sense=n.sense, tolerance=n.tolerance)  # type: ignore[arg-type]
        for i, n in enumerate(spec.needs)
    ]


def portfolio_costs(spec: PortfolioSpec, oracle: SimulationOracle, p: Portfolio) -> VariantCost:
    costs = {n: spec.study.cost_of(n) for n in spec.study.variants}
    derived = tuple(n for n in p if costs[n].officer_hours_source != "given")
    return portfolio_cost(
        spec.study.baseline, oracle.scenario(p), costs, p, staff_only=oracle.scenario(derived)
    )


def optimize_portfolio(
    spec: PortfolioSpec,
    executor: Executor | int = 1,
    store: RunStore | None = None,
    on_progress: Progress | None = None,
) -> Frontier:
    """Search every budget of ``spec`` (sharing runs between budgets); runs are kept in
    ``store`` (see :func:`portfolio_store`) when given."""
    started = time.perf_counter()
    oracle = SimulationOracle(spec, executor, store, on_progress)
    names = list(spec.study.variants)
    costs = {n: spec.study.cost_of(n).cost for n in names}

    def one(budget: float) -> Callable[[Oracle], tuple[Choice, Description]]:
        def task(runs: Oracle) -> tuple[Choice, Description]:
            choice = search(
                names,
                costs,
                budget,
                runs,
                delta=spec.goal.delta,
                max_reforms=spec.max_reforms,
                confidence=spec.confidence,
                n0=spec.n0,
                max_reps=spec.max_reps,
                minimize=spec.goal.minimize,
                requirements=_requirements(spec),
            )
            told = describe(
                runs,
                choice.best or (),
                delta=spec.goal.delta,
                confidence=spec.confidence,
                cap=_chosen_replications(spec, choice),
                minimize=spec.goal.minimize,
                first=spec.n0,
            )
            return choice, told

        return task

    # Every budget searched at once, each phase's runs in one batch (same decisions).
    found = in_lockstep(oracle, [one(b) for b in spec.budgets])
    steps = [_step(spec, oracle, choice, told) for choice, told in found]
    return Frontier(spec, steps, oracle.evaluations, time.perf_counter() - started, oracle)


def _chosen_replications(spec: PortfolioSpec, choice: Choice) -> int:
    """Replications the selection took of the chosen package (``n0`` if it took none)."""
    chosen = choice.best or ()
    i = choice.finalists.index(chosen) if chosen in choice.finalists else None
    return choice.selection.replications.get(i, spec.n0) if i is not None else spec.n0


def _step(spec: PortfolioSpec, oracle: SimulationOracle, choice: Choice, told: Description) -> Step:
    """The chosen package's objective on the selection's replications (already run), and
    its change against today and without each reform as told (:mod:`describe`)."""
    chosen = choice.best or ()
    n = _chosen_replications(spec, choice)
    reps = list(range(choice.first_replication, choice.first_replication + n))
    obs = oracle.observe([chosen], reps)
    mine = np.array([obs[(chosen, r)][0] for r in reps])
    return Step(
        choice,
        portfolio_costs(spec, oracle, chosen),
        n,
        mean_ci(mine),
        told.effect.triple,
        {b: c.triple for b, c in told.contributions.items()},
        told,
    )


def portfolio_question(spec: PortfolioSpec) -> dict[str, Any]:
    """What a portfolio search's stored runs answer (the parts ``--resume`` must find
    unchanged): the portfolio file, the baseline, the variants' reforms, the seed."""
    data = read_yaml(spec.path).data
    file = {k: v for k, v in data.items() if k != "seed"} if isinstance(data, dict) else data
    reforms = {
        name: [r.model_dump(mode="json") for r in reforms]
        for name, reforms in spec.study.variants.items()
    }
    return {
        "spec": file,
        "scenario": spec.study.baseline.model_dump(mode="json"),
        "reforms": reforms,
        "seed": spec.seed,
    }


def portfolio_store(spec: PortfolioSpec, out: str | Path, resume: bool) -> RunStore:
    """The run store of output folder ``out``: refuses a folder holding runs without
    ``resume``, and runs of a different question with it (OutputFolderError)."""
    return open_output(out, "portfolio optimisation", portfolio_question(spec), resume)

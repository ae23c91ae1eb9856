"""Portfolio files (DESIGN §9): which reforms of a study to buy under a budget.

```yaml
optimize: Green approval package under budget
study: green_approval.yaml          # candidates: its variants, with their costs
portfolio: {budget: [250000, 500000], max_reforms: 3}
objective: {minimize: lead_time_mean_days, matter: planning_permit}
requirements: [{kpi: hall_wait_p90_min, max: 20}]
confidence: 0.95
indifference: {lead_time_mean_days: 0.1}
seed: 1
replications: {min: 5, max: 50}
```

Errors name the file, the line and the key, like scenario files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simlib.files import file_error, line_for_path, read_yaml, validated
from simlib.files.study import Study, load_study
from simlib.metrics import KPI_NAMES, POOL_KPIS
from simlib.optimize.sanity import study_issues
from simlib.optimize.spec import Reps, Requirement
from simlib.scenario.errors import Issue, ScenarioError

__all__ = [
    "Goal",
    "Need",
    "PortfolioFile",
    "PortfolioSpec",
    "is_portfolio_file",
    "kpi_column",
    "load_portfolio",
]

REQUIREMENT_TOLERANCE = 0.05  # of |bound|, when `indifference` does not name the KPI


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PortfolioBlock(_Strict):
    budget: (
        Annotated[float, Field(ge=0)]
        | Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=1)]
    )
    max_reforms: Annotated[int, Field(ge=1)] | None = None
    currency: str = ""  # what budgets and costs are counted in (the chart's cost axis)


class Objective(_Strict):
    minimize: str | None = None
    maximize: str | None = None
    matter: str | None = None

    @model_validator(mode="after")
    def _one_direction(self) -> Objective:
        if (self.minimize is None) == (self.maximize is None):
            raise ValueError("give exactly one of minimize: KPI or maximize: KPI")
        return self


RequirementSpec = Requirement  # one requirement form for staffing and portfolio files


class Replications(_Strict):
    min: Reps = 5
    max: Reps = 100

    @model_validator(mode="after")
    def _ordered(self) -> Replications:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must be >= min ({self.min})")
        return self


class PortfolioFile(_Strict):
    """The keys of a portfolio file (contract)."""

    optimize: str
    study: str
    portfolio: PortfolioBlock
    objective: Objective
    requirements: list[RequirementSpec] = []
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    indifference: dict[str, Annotated[float, Field(gt=0, allow_inf_nan=False)]]
    seed: Annotated[int, Field(ge=0)] | None = None
    replications: Replications = Replications()


@dataclass(frozen=True)
class Goal:
    """The objective: a KPI column to minimise or maximise."""

    kpi: str
    matter: str | None
    minimize: bool
    delta: float

    @property
    def column(self) -> str:
        return kpi_column(self.kpi, self.matter)


@dataclass(frozen=True)
class Need:
    """A requirement: ``kpi`` (per matter, or at every clock hour) <= or >= ``bound``."""

    kpi: str
    matter: str | None
    every_hour: bool
    sense: str  # "max" (kpi <= bound) or "min" (kpi >= bound)
    bound: float
    tolerance: float

    @property
    def column(self) -> str:
        return kpi_column(self.kpi, self.matter)

    def label(self) -> str:
        where = f" for {self.matter}" if self.matter else ""
        hour = " in every hour" if self.every_hour else ""
        op = "<=" if self.sense == "max" else ">="
        return f"{self.kpi}{where}{hour} {op} {self.bound:g}"

    def words(self, names: Mapping[str, str] | None = None) -> str:
        """The requirement as the report prints it: "90th-percentile wait in the hall for
        Planning permits in every hour ≤ 20 min" (KPI label, display names, unit)."""
        from simlib.metrics import kpi_info

        label, unit, _ = kpi_info(self.kpi)
        matter = (names or {}).get(self.matter, self.matter) if self.matter else ""
        where = f" for {matter}" if matter else ""
        hour = " in every hour" if self.every_hour else ""
        op = "≤" if self.sense == "max" else "≥"
        bound = f"{self.bound * 100:g} %" if unit == "share" else f"{self.bound:g} {unit}"
        return f"{label}{where}{hour} {op} {bound}"


@dataclass(frozen=True)
class PortfolioSpec:
    name: str
    path: Path
    study: Study
    budgets: list[float]
    max_reforms: int
    goal: Goal
    needs: list[Need]
    confidence: float
    seed: int
    n0: int
    max_reps: int
    currency: str = ""  # the unit of budgets and costs ("" : the study's currency, unnamed)


def kpi_column(kpi: str, matter: str | None = None) -> str:
    """The flat-row column of a KPI (shared naming: ``kpi[matter=<id>]``)."""
    return f"{kpi}[matter={matter}]" if matter else kpi


def is_portfolio_file(data: dict[str, Any]) -> bool:
    return "optimize" in data and "portfolio" in data


def _kpi_issue(kpi: str, where: str, matter: str | None, study: Study) -> str | None:
    base = kpi.partition("[")[0]
    if base not in KPI_NAMES:
        return f"unknown KPI '{kpi}'; KPIs are: {', '.join(KPI_NAMES)}"
    if base in POOL_KPIS:
        pool = kpi.partition("[")[2].rstrip("]")
        if pool not in study.baseline.pools:
            pools = ", ".join(study.baseline.pools)
            return f"'{base}' is per pool: write {base}[<pool>] with one of {pools}"
    if matter is not None and matter not in {m.id for m in study.baseline.matters}:
        ids = ", ".join(m.id for m in study.baseline.matters)
        return f"unknown matter '{matter}' in {where}; matters are: {ids}"
    return None


def load_portfolio(path: str | Path) -> PortfolioSpec:
    """Load a portfolio file and its study; every problem in one ScenarioError (exit 2)."""
    path = Path(path)
    doc = read_yaml(path)
    data, tree = doc.data, doc.tree
    if not isinstance(data, dict) or not is_portfolio_file(data):
        raise ScenarioError(
            str(path), [Issue("", "not a portfolio file: it needs optimize: and portfolio:")]
        )
    spec = validated(PortfolioFile, data, str(path), tree)
    study = load_study((path.parent / spec.study).resolve())
    issues: list[Issue] = []

    def issue(where: str, message: str) -> None:
        issues.append(Issue(where, message, line_for_path(tree, where)))

    obj = spec.objective
    kpi = obj.minimize or obj.maximize or ""
    problem = _kpi_issue(kpi, "objective", obj.matter, study)
    if problem:
        issue("objective", problem)
    if kpi not in spec.indifference:
        issue("indifference", f"give the objective's indifference zone: {{{kpi}: <difference>}}")
    needs = []
    for n, req in enumerate(spec.requirements):
        where = f"requirements[{n}]"
        problem = _kpi_issue(req.kpi, where, req.matter, study)
        if problem:
            issue(where, problem)
        if req.on_days is not None:
            issue(f"{where}.on_days", "on_days is for staffing files; portfolios judge means")
        bound = req.max if req.max is not None else req.min
        assert bound is not None
        tol = spec.indifference.get(req.kpi, REQUIREMENT_TOLERANCE * abs(bound) or 1e-6)
        sense = "max" if req.max is not None else "min"
        needs.append(Need(req.kpi, req.matter, req.every_hour, sense, bound, tol))
    budgets = spec.portfolio.budget
    budgets = sorted(budgets) if isinstance(budgets, list) else [budgets]
    if not issues:  # units, budgets and floors by theory, on a study that loaded cleanly
        issues += study_issues(spec.requirements, budgets, study)
    if issues:
        raise file_error(str(path), issues, tree)
    return PortfolioSpec(
        name=spec.optimize,
        path=path,
        study=study,
        budgets=[float(b) for b in budgets],
        max_reforms=spec.portfolio.max_reforms or len(study.variants),
        goal=Goal(kpi, obj.matter, obj.minimize is not None, spec.indifference.get(kpi, 1.0)),
        needs=needs,
        confidence=spec.confidence,
        seed=study.seed if spec.seed is None else spec.seed,
        n0=spec.replications.min,
        max_reps=spec.replications.max,
        currency=spec.portfolio.currency,
    )

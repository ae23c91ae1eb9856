"""Study files (DESIGN §8): a baseline scenario and named variants, compared with CRN."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simlib.experiment.costs import VariantCost, variant_cost
from simlib.reforms import ReformError, apply_reforms, parse_reforms
from simlib.reforms.spec import _Reform
from simlib.scenario.errors import Issue, ScenarioError, issues_from_validation, line_for_path
from simlib.scenario.load import expect_kind, load_scenario, read_yaml
from simlib.scenario.model import Scenario

__all__ = ["Study", "StudyFile", "VariantSpec", "load_study"]


class VariantSpec(BaseModel):
    """The mapping form of a variant (contract): its reforms and what they cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    reforms: list[dict[str, Any]]
    cost: Annotated[float, Field(ge=0)] = 0.0  # one-off, in the study's currency
    officer_hours: float | None = None  # running, per working day; None: derive from staff


class StudyFile(BaseModel):
    """The keys of a study file (contract: ``study``, ``baseline``, ``replications``,
    ``seed``, ``variants``, ``stack``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    study: str
    description: str = ""
    baseline: str
    replications: Annotated[int, Field(ge=1)] = 10
    seed: int = 0
    variants: Annotated[dict[str, list[dict[str, Any]] | VariantSpec], Field(min_length=1)]
    stack: list[str] | None = None

    @model_validator(mode="after")
    def _stack_names(self) -> StudyFile:
        for name in self.stack or []:
            if name not in self.variants:
                raise ValueError(
                    f"stack names '{name}', which is not a variant; variants are: "
                    + ", ".join(self.variants)
                )
        return self


@dataclass(frozen=True)
class Study:
    """A loaded study: the baseline scenario and each variant's validated reforms."""

    name: str
    description: str
    baseline: Scenario
    baseline_path: Path
    replications: int
    seed: int
    variants: dict[str, list[_Reform]]
    stack: list[str]
    costs: dict[str, VariantCost] | None = None  # per variant; None only when built by hand

    def cost_of(self, name: str) -> VariantCost:
        return (self.costs or {}).get(name, VariantCost())


def load_study(path: str | Path) -> Study:
    """Load a study file; every reform is checked against the baseline before anything runs."""
    path = Path(path)
    data, tree = read_yaml(path)
    expect_kind(data, path, "study")
    try:
        spec = StudyFile.model_validate(data)
    except ValidationError as exc:
        issues = issues_from_validation(exc, data, StudyFile, tree)
        kept = [f for f in (_one_form(i, data) for i in issues) if f is not None]
        raise ScenarioError(str(path), list(dict.fromkeys(kept))) from None

    baseline_path = (path.parent / spec.baseline).resolve()
    baseline = load_scenario(baseline_path)
    variants: dict[str, list[_Reform]] = {}
    costs: dict[str, VariantCost] = {}
    issues: list[Issue] = []
    for name, entry in spec.variants.items():
        where = f"variants.{name}"
        items = entry.reforms if isinstance(entry, VariantSpec) else entry
        if isinstance(entry, VariantSpec):
            where += ".reforms"
        try:
            variants[name] = parse_reforms(items, where)
            reformed = apply_reforms(baseline, variants[name], where)  # fits the baseline?
            if isinstance(entry, VariantSpec):
                costs[name] = variant_cost(baseline, reformed, entry.cost, entry.officer_hours)
            else:
                costs[name] = variant_cost(baseline, reformed)
        except ReformError as exc:
            issues.extend(Issue(i.path, i.message, line_for_path(tree, i.path)) for i in exc.issues)
    if issues:
        raise ScenarioError(str(path), issues)
    stack = list(spec.variants) if spec.stack is None else list(spec.stack)
    return Study(
        spec.study,
        spec.description,
        baseline,
        baseline_path,
        spec.replications,
        spec.seed,
        variants,
        stack,
        costs,
    )


def _one_form(issue: Issue, data: dict[str, Any]) -> Issue | None:
    """A variant is a list or a mapping: report only the errors of the form it was written in."""
    parts = issue.path.split(".")
    if len(parts) < 3 or parts[0] != "variants":
        return issue
    entry = (data.get("variants") or {}).get(parts[1])
    tag = parts[2]
    if not isinstance(entry, (list, dict)):
        what = "a list of reforms or a mapping with reforms:, cost: and officer_hours:"
        return Issue(".".join(parts[:2]), f"a variant is {what} (got {entry!r})", issue.line)
    if tag.startswith("list["):
        if isinstance(entry, dict):
            return None
        return Issue(".".join(parts[:2] + parts[3:]), issue.message, issue.line)
    if tag == "VariantSpec":
        if isinstance(entry, list):
            return None
        return Issue(".".join(parts[:2] + parts[3:]), issue.message, issue.line)
    return issue

"""Study files (DESIGN §8): a baseline scenario and named variants, compared with CRN.
Every variant's reforms are checked against the baseline before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from simlib.costs import VariantCost, variant_cost
from simlib.files.kinds import expect_kind, register_loader
from simlib.files.located import file_error, located
from simlib.files.scenario import load_referenced
from simlib.files.yaml_io import read_yaml
from simlib.limits import checker
from simlib.reforms import BaseReform, ReformError, apply_reforms, parse_reforms
from simlib.scenario.errors import Issue, issues_from_validation
from simlib.scenario.model import Scenario

__all__ = ["Study", "StudyFile", "VariantSpec", "load_study"]


class VariantSpec(BaseModel):
    """The mapping form of a variant (contract, DESIGN §8): its reforms and what they cost."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    reforms: list[dict[str, Any]]
    cost: Annotated[float, Field(ge=0)] = 0.0  # one-off, in the study's currency
    officer_hours: float | None = None  # running, per working day; None: derive from staff


class StudyFile(BaseModel):
    """The keys of a study file (contract: ``study``, ``baseline``, ``replications``,
    ``seed``, ``variants``, ``stack``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    study: str
    description: str = ""
    baseline: str
    replications: Annotated[
        int, Field(ge=1), AfterValidator(checker("replications", "replications"))
    ] = 10
    seed: Annotated[int, Field(ge=0)] = 0
    variants: Annotated[dict[str, list[dict[str, Any]] | VariantSpec], Field(min_length=1)]
    stack: list[str] | None = None


@dataclass(frozen=True)
class Study:
    """A loaded study: the baseline scenario and each variant's validated reforms."""

    name: str
    description: str
    baseline: Scenario
    baseline_path: Path
    replications: int
    seed: int
    variants: dict[str, list[BaseReform]]
    stack: list[str]
    costs: dict[str, VariantCost] | None = None  # per variant; None only when built by hand

    def cost_of(self, name: str) -> VariantCost:
        """The variant's costs (nothing, when the study gives none)."""
        return (self.costs or {}).get(name, VariantCost())


def load_study(path: str | Path) -> Study:
    """Load a study file; every reform is checked against the baseline before anything runs."""
    path = Path(path)
    source = str(path)
    doc = read_yaml(path)
    expect_kind(doc.data, path, "study")
    try:
        spec = StudyFile.model_validate(doc.data)
    except ValidationError as exc:
        found = issues_from_validation(exc, doc.data, StudyFile)
        kept = [f for f in (_one_form(i, doc.data) for i in found) if f is not None]
        raise file_error(source, list(dict.fromkeys(kept)), doc.tree) from None
    issues: list[Issue] = []
    for i, name in enumerate(spec.stack or []):
        if name not in spec.variants:
            message = f"'{name}' is not a variant; variants are: {', '.join(spec.variants)}"
            issues.append(Issue(f"stack[{i}]", message))
    if issues:
        raise file_error(source, issues, doc.tree)
    baseline_path, baseline = load_referenced(
        spec.baseline, path.parent, source, doc.tree, "baseline"
    )
    variants: dict[str, list[BaseReform]] = {}
    costs: dict[str, VariantCost] = {}
    for name, entry in spec.variants.items():
        mapping = isinstance(entry, VariantSpec)
        where = f"variants.{name}" + (".reforms" if mapping else "")
        items = entry.reforms if isinstance(entry, VariantSpec) else entry
        try:
            variants[name] = parse_reforms(items, where)
            reformed = apply_reforms(baseline, variants[name], where)  # fits the baseline?
            if isinstance(entry, VariantSpec):
                costs[name] = variant_cost(baseline, reformed, entry.cost, entry.officer_hours)
            else:
                costs[name] = variant_cost(baseline, reformed)
        except ReformError as exc:
            issues.extend(located(exc.issues, doc.tree))
    if issues:
        raise file_error(source, issues, doc.tree)
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
    if tag.startswith("list[") or tag == "VariantSpec":
        if isinstance(entry, dict) == tag.startswith("list["):
            return None  # the error of the other form
        return Issue(".".join(parts[:2] + parts[3:]), issue.message, issue.line)
    return issue


register_loader("study", load_study)

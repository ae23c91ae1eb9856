"""Study files (DESIGN §8): a baseline scenario and named variants, compared with CRN."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simlib.reforms import ReformError, apply_reforms, parse_reforms
from simlib.reforms.spec import _Reform
from simlib.scenario.errors import Issue, ScenarioError, issues_from_validation, line_for_path
from simlib.scenario.load import expect_kind, load_scenario, read_yaml
from simlib.scenario.model import Scenario

__all__ = ["Study", "StudyFile", "load_study"]


class StudyFile(BaseModel):
    """The keys of a study file (contract: ``study``, ``baseline``, ``replications``,
    ``seed``, ``variants``, ``stack``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    study: str
    description: str = ""
    baseline: str
    replications: Annotated[int, Field(ge=1)] = 10
    seed: int = 0
    variants: Annotated[dict[str, list[dict[str, Any]]], Field(min_length=1)]
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


def load_study(path: str | Path) -> Study:
    """Load a study file; every reform is checked against the baseline before anything runs."""
    path = Path(path)
    data, tree = read_yaml(path)
    expect_kind(data, path, "study")
    try:
        spec = StudyFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), issues_from_validation(exc, data, StudyFile, tree)) from None
    baseline_path = (path.parent / spec.baseline).resolve()
    baseline = load_scenario(baseline_path)
    variants: dict[str, list[_Reform]] = {}
    issues: list[Issue] = []
    for name, items in spec.variants.items():
        where = f"variants.{name}"
        try:
            variants[name] = parse_reforms(items, where)
            apply_reforms(baseline, variants[name], where)  # fits the baseline?
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
    )

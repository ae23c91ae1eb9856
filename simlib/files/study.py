"""Study files (DESIGN §8): a baseline scenario and named variants, compared with CRN.
Every variant's reforms are checked against the baseline before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from simlib.files.kinds import expect_kind, register_loader
from simlib.files.located import file_error, located, validated
from simlib.files.scenario import load_referenced
from simlib.files.yaml_io import read_yaml
from simlib.limits import checker
from simlib.reforms import BaseReform, ReformError, apply_reforms, parse_reforms
from simlib.scenario.errors import Issue
from simlib.scenario.model import Scenario

__all__ = ["Study", "StudyFile", "load_study"]


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
    variants: Annotated[dict[str, list[dict[str, Any]]], Field(min_length=1)]
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


def load_study(path: str | Path) -> Study:
    """Load a study file; every reform is checked against the baseline before anything runs."""
    path = Path(path)
    source = str(path)
    doc = read_yaml(path)
    expect_kind(doc.data, path, "study")
    spec = validated(StudyFile, doc.data, source, doc.tree)
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
    for name, items in spec.variants.items():
        where = f"variants.{name}"
        try:
            variants[name] = parse_reforms(items, where)
            apply_reforms(baseline, variants[name], where)  # fits the baseline?
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
    )


register_loader("study", load_study)

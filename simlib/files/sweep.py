"""Sweep files (DESIGN §8): a scenario, reforms applied first, and a design over scenario
paths. Every point's scenario is built and validated before anything runs, so a bad path
or value fails fast, naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from simlib.design import Design, Levels, point_scenario, points
from simlib.files.kinds import expect_kind, register_loader
from simlib.files.located import file_error, reported, validated
from simlib.files.scenario import load_referenced
from simlib.files.yaml_io import line_of_keys, read_yaml
from simlib.limits import checker
from simlib.reforms import ReformError, apply_reforms
from simlib.scenario.errors import Issue
from simlib.scenario.model import Scenario

__all__ = [
    "Sweep",
    "SweepFile",
    "load_sweep",
    "sweep_from_dict",
]


class SweepFile(BaseModel):
    """The keys of a sweep file (contract: ``sweep``, ``scenario``, ``reforms``,
    ``replications``, ``seed``, ``design``, ``parameters``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    sweep: str
    description: str = ""
    scenario: str
    reforms: list[dict[str, Any]] = []
    replications: Annotated[
        int, Field(ge=1), AfterValidator(checker("replications", "replications"))
    ] = 5
    seed: Annotated[int, Field(ge=0)] = 0
    design: Design = Design()
    parameters: Annotated[dict[str, Levels], Field(min_length=1)]


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep: its points (parameter values) and each point's validated scenario."""

    name: str
    base: Scenario
    replications: int
    seed: int
    parameters: list[str]
    values: list[dict[str, Any]]  # one mapping parameter -> value per point
    scenarios: list[Scenario]
    spec: dict[str, Any]  # the file's content


def sweep_from_dict(data: dict[str, Any], source: str, base_dir: Path, tree: Any = None) -> Sweep:
    """Validate a sweep mapping; the scenario path is relative to ``base_dir``."""
    spec = validated(SweepFile, data, source, tree)
    _, base = load_referenced(spec.scenario, base_dir, source, tree, "scenario")
    with reported(source, tree):
        reformed = apply_reforms(base, spec.reforms)
    try:
        design = points(spec.design, spec.parameters)
    except ValueError as exc:
        raise file_error(source, [Issue("design", str(exc))], tree) from None
    scenarios = []
    for i, point in enumerate(design):
        try:
            scenarios.append(point_scenario(reformed, point))
        except ReformError:
            raise file_error(source, [_culprit(reformed, point, i, len(design), tree)]) from None
    return Sweep(
        spec.sweep,
        reformed,
        spec.replications,
        spec.seed,
        list(spec.parameters),
        design,
        scenarios,
        data,
    )


def _culprit(base: Scenario, point: dict[str, Any], index: int, size: int, tree: Any) -> Issue:
    """The parameter that makes ``point`` invalid, with its line (tried one at a time)."""
    where = f"at point {index} {point}: " if size > 1 else ""
    for name, value in point.items():
        try:
            point_scenario(base, {name: value})
        except ReformError as exc:
            detail = "; ".join(i.message.removeprefix("set: ") for i in exc.issues)
            line = line_of_keys(tree, ["parameters", name])
            if "makes an invalid scenario" not in detail:
                return Issue(f"parameters.{name}", detail, line)  # the path itself is wrong
            return Issue(f"parameters.{name}", where + detail, line)
    try:
        point_scenario(base, point)
        detail = "invalid"  # pragma: no cover - the caller saw it fail
    except ReformError as exc:
        detail = "; ".join(i.message.removeprefix("set: ") for i in exc.issues)
    return Issue(
        "parameters", f"{where}the values together: {detail}", line_of_keys(tree, ["parameters"])
    )


def load_sweep(path: str | Path) -> Sweep:
    """Load a sweep file; every point is built and validated before anything runs."""
    path = Path(path)
    doc = read_yaml(path)
    expect_kind(doc.data, path, "sweep")
    return sweep_from_dict(doc.data, str(path), path.parent, doc.tree)


register_loader("sweep", load_sweep)

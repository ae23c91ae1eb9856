"""Sweep files (DESIGN §8) and their designs: a grid, or a Latin hypercube.

Parameters are scenario paths (``pools.front.count``, ``matters[*].online_share``) with
levels: a list of values, ``{range: [a, b]}`` (integers, inclusive) or
``{uniform: [a, b]}`` (continuous, Latin hypercube only). Every point's scenario is built
and validated before anything runs, so a bad path or value fails fast, naming the parameter.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from scipy.stats import qmc

from simlib.reforms import ReformError, apply_reforms
from simlib.scenario.errors import Issue, ScenarioError, issues_from_validation, line_for_path
from simlib.scenario.load import expect_kind, load_scenario, read_yaml
from simlib.scenario.model import Scenario
from simlib.scenario.paths import PathError, set_path

__all__ = ["Design", "Sweep", "SweepFile", "load_sweep", "points", "sweep_from_dict"]


def _bounds(pair: list[float]) -> list[float]:
    if pair[0] > pair[1]:
        raise ValueError(f"[{pair[0]}, {pair[1]}] runs backwards: give [low, high]")
    return pair


class RangeLevels(BaseModel):
    """``{range: [a, b]}``: the integers a..b, inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    range: Annotated[list[int], Field(min_length=2, max_length=2), AfterValidator(_bounds)]


class UniformLevels(BaseModel):
    """``{uniform: [a, b]}``: continuous values in [a, b] (Latin hypercube only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    uniform: Annotated[list[float], Field(min_length=2, max_length=2), AfterValidator(_bounds)]


Levels = Annotated[list[Any], Field(min_length=1)] | RangeLevels | UniformLevels


class Design(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    type: Literal["grid", "lhs"] = "grid"
    n: Annotated[int, Field(ge=1)] | None = None  # points of a Latin hypercube
    seed: int = 0


class SweepFile(BaseModel):
    """The keys of a sweep file (contract: ``sweep``, ``scenario``, ``reforms``,
    ``replications``, ``seed``, ``design``, ``parameters``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sweep: str
    description: str = ""
    scenario: str
    reforms: list[dict[str, Any]] = []
    replications: Annotated[int, Field(ge=1)] = 5
    seed: int = 0
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
    spec: dict[str, Any]  # the file's content, to detect a changed sweep on --resume


def _grid(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    axes = []
    for name, levels in parameters.items():
        if isinstance(levels, UniformLevels):
            raise ValueError(
                f"parameter '{name}': a grid needs levels; uniform ranges need design lhs"
            )
        axes.append(
            list(range(levels.range[0], levels.range[1] + 1))
            if isinstance(levels, RangeLevels)
            else levels
        )
    return [dict(zip(parameters, combo, strict=True)) for combo in itertools.product(*axes)]


def _lhs(parameters: dict[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    unit = qmc.LatinHypercube(d=len(parameters), seed=seed).random(n)
    out = []
    for row in unit:
        point = {}
        for (name, levels), u in zip(parameters.items(), row, strict=True):
            if isinstance(levels, UniformLevels):
                lo, hi = levels.uniform
                point[name] = float(lo + u * (hi - lo))
            elif isinstance(levels, RangeLevels):
                lo, hi = levels.range
                point[name] = int(min(hi, lo + int(u * (hi - lo + 1))))
            else:
                point[name] = levels[min(len(levels) - 1, int(u * len(levels)))]
        out.append(point)
    return out


def points(spec: SweepFile) -> list[dict[str, Any]]:
    """The design's points, in a stable order (point id = index)."""
    if spec.design.type == "grid":
        return _grid(spec.parameters)
    if spec.design.n is None:
        raise ValueError("design lhs needs n, the number of points")
    return _lhs(spec.parameters, spec.design.n, spec.design.seed)


def sweep_from_dict(data: dict[str, Any], source: str, base_dir: Path, tree: Any = None) -> Sweep:
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, issues_from_validation(exc, data, SweepFile, tree)) from None
    base = load_scenario((base_dir / spec.scenario).resolve())
    try:
        reformed = apply_reforms(base, spec.reforms)
        design = points(spec)
    except ReformError as exc:
        raise ScenarioError(
            source, [Issue(i.path, i.message, line_for_path(tree, i.path)) for i in exc.issues]
        ) from None
    except ValueError as exc:
        raise ScenarioError(
            source, [Issue("design", str(exc), line_for_path(tree, "design"))]
        ) from None
    plain = reformed.model_dump()
    scenarios = []
    for i, point in enumerate(design):
        data_i = plain
        try:
            for name, value in point.items():
                data_i = set_path(data_i, name, value)
        except PathError as exc:
            where = f"parameters.{name}"
            raise ScenarioError(
                source, [Issue(where, str(exc), line_for_path(tree, "parameters"))]
            ) from None
        try:
            scenarios.append(Scenario.model_validate(data_i))
        except ValidationError as exc:
            detail = "; ".join(str(x) for x in issues_from_validation(exc, data_i, Scenario))
            raise ScenarioError(
                source,
                [
                    Issue(
                        "parameters",
                        f"point {i} {point} makes an invalid scenario: {detail}",
                        line_for_path(tree, "parameters"),
                    )
                ],
            ) from None
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


def load_sweep(path: str | Path) -> Sweep:
    """Load a sweep file; every point is built and validated before anything runs."""
    path = Path(path)
    data, tree = read_yaml(path)
    expect_kind(data, path, "sweep")
    return sweep_from_dict(data, str(path), path.parent, tree)

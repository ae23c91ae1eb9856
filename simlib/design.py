"""Sweep designs: a grid, or a Latin hypercube, over scenario paths.

Parameters are scenario paths (``pools.front.count``, ``matters[*].online_share``) with
levels: a list of values, ``{range: [a, b]}`` (integers, inclusive) or
``{uniform: [a, b]}`` (continuous, Latin hypercube only). A point's scenario is the base
scenario with one ``set`` reform (:func:`point_scenario`): the same code path as every
other reform, so a path or value error reads the same everywhere. The size of a design is
counted before any point is made (see :mod:`simlib.limits`). Files parse designs and
experiments run them, so the model stands below both.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from simlib.limits import over
from simlib.reforms import SetValue, apply_reforms
from simlib.scenario.model import Scenario

__all__ = [
    "Design",
    "Levels",
    "RangeLevels",
    "UniformLevels",
    "design_size",
    "point_scenario",
    "points",
]

_CONFIG = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _bounds(pair: list[float]) -> list[float]:
    if pair[0] > pair[1]:
        raise ValueError(f"[{pair[0]}, {pair[1]}] runs backwards: give [low, high]")
    return pair


class RangeLevels(BaseModel):
    """``{range: [a, b]}``: the integers a..b, inclusive."""

    model_config = _CONFIG
    range: Annotated[list[int], Field(min_length=2, max_length=2), AfterValidator(_bounds)]


class UniformLevels(BaseModel):
    """``{uniform: [a, b]}``: continuous values in [a, b] (Latin hypercube only)."""

    model_config = _CONFIG
    uniform: Annotated[list[float], Field(min_length=2, max_length=2), AfterValidator(_bounds)]


def _levels_kind(v: Any) -> str | None:
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict) and len(v) == 1:
        return "range" if "range" in v else "uniform" if "uniform" in v else None
    if isinstance(v, (RangeLevels, UniformLevels)):
        return "range" if isinstance(v, RangeLevels) else "uniform"
    return None


Levels = Annotated[
    Annotated[Annotated[list[Any], Field(min_length=1)], Tag("list")]
    | Annotated[RangeLevels, Tag("range")]
    | Annotated[UniformLevels, Tag("uniform")],
    Discriminator(
        _levels_kind,
        custom_error_type="levels",
        custom_error_message=(
            "levels are a list of values, {range: [a, b]} (integers) or {uniform: [a, b]}"
        ),
    ),
]


class Design(BaseModel):
    model_config = _CONFIG
    type: Literal["grid", "lhs"] = "grid"
    n: Annotated[int, Field(ge=1)] | None = None  # points of a Latin hypercube
    seed: Annotated[int, Field(ge=0)] = 0


def _axis_length(levels: Any) -> int:
    if isinstance(levels, RangeLevels):
        return levels.range[1] - levels.range[0] + 1
    return len(levels)


def design_size(design: Design, parameters: dict[str, Any]) -> int:
    """How many points the design has, counted without making them."""
    if design.type == "lhs":
        if design.n is None:
            raise ValueError("design lhs needs n, the number of points")
        return design.n
    for name, levels in parameters.items():
        if isinstance(levels, UniformLevels):
            raise ValueError(
                f"parameter '{name}': a grid needs levels; uniform ranges need design lhs"
            )
    return math.prod(_axis_length(levels) for levels in parameters.values())


def _grid(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    axes = [
        list(range(levels.range[0], levels.range[1] + 1))
        if isinstance(levels, RangeLevels)
        else levels
        for levels in parameters.values()
    ]
    return [dict(zip(parameters, combo, strict=True)) for combo in itertools.product(*axes)]


def _lhs(parameters: dict[str, Any], n: int, seed: int) -> list[dict[str, Any]]:
    from scipy.stats import qmc  # here: import simlib should not pay ~0.7 s for scipy.stats

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


def points(design: Design, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """The design's points, in a stable order (point id = index); refuses a design over
    the ``points`` limit before making any point."""
    size = design_size(design, parameters)
    message = over("points", size, "the number of design points")
    if message:
        raise ValueError(message)
    if design.type == "grid":
        return _grid(parameters)
    assert design.n is not None  # design_size checked it
    return _lhs(parameters, design.n, design.seed)


def point_scenario(base: Scenario, point: dict[str, Any]) -> Scenario:
    """``base`` with the point's values set: one ``set`` reform (raises ReformError)."""
    return apply_reforms(base, [SetValue(values=point)], where="parameters")

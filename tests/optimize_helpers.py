"""Builders for optimisation tests: a scenario and an optimisation file in a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simlib.optimize.spec import Optimization, load_optimization

ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def mmc_scenario(per_hour: float, mean: float, c: int, days: int, **hall: Any) -> dict[str, Any]:
    """An M/M/c hall open around the clock (the setting of Erlang C)."""
    return {
        "name": "M/M/c",
        "horizon": {"days": days, "warmup_days": 1},
        "calendar": {"workdays": ALL_WEEK, "hours": ["00:00-24:00"]},
        "hall": hall,
        "pools": {"clerk": {"count": c}},
        "matters": [
            {
                "id": "walkin",
                "arrivals": {"per_hour": per_hour},
                "acceptance": {"pool": "clerk", "time": {"dist": "exponential", "mean": mean}},
            }
        ],
    }


def write_optimization(
    folder: Path, scenario: dict[str, Any], spec: dict[str, Any], name: str = "opt.yaml"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hall.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    path = folder / name
    path.write_text(yaml.safe_dump({"scenario": "hall.yaml", **spec}, sort_keys=False))
    return path


def optimization(folder: Path, scenario: dict[str, Any], spec: dict[str, Any]) -> Optimization:
    return load_optimization(write_optimization(folder, scenario, spec))

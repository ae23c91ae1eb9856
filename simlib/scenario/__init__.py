"""Scenario files: the typed, validated description of a hall and its matters.

Loading files is the job of :mod:`simlib.files`; ``load_scenario`` and
``scenario_from_dict`` stay importable from here (and from ``simlib``).
"""

from typing import Any

from simlib.scenario.dists import Distribution
from simlib.scenario.errors import Issue, ScenarioError
from simlib.scenario.model import Matter, Parallel, Pool, Scenario, Step

__all__ = [
    "Distribution",
    "Issue",
    "Matter",
    "Parallel",
    "Pool",
    "Scenario",
    "ScenarioError",
    "Step",
    "load_scenario",
    "scenario_from_dict",
]


def __getattr__(name: str) -> Any:
    # simlib.files imports this package, so its loaders are looked up on first use.
    if name in ("load_scenario", "scenario_from_dict"):
        from simlib.files import scenario as files_scenario

        return getattr(files_scenario, name)
    raise AttributeError(name)

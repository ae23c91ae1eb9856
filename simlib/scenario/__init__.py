"""Scenario files: the typed, validated description of a hall and its matters."""

from simlib.scenario.dists import Distribution
from simlib.scenario.errors import Issue, ScenarioError
from simlib.scenario.load import load_scenario, read_yaml, scenario_from_dict
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
    "read_yaml",
    "scenario_from_dict",
]

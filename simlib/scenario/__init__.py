"""Scenario files: the typed, validated description of a hall and its matters.

Loading files is the job of :mod:`simlib.files` (``load_scenario``, ``scenario_from_dict``,
also exported from ``simlib``): the model knows nothing of files.
"""

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
]

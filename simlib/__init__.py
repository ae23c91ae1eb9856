"""simlib: simulate a government service hall and its approval chains.

Typical use::

    import simlib
    scenario = simlib.load_scenario("scenarios/mm10.yaml")
    result = simlib.replicate(scenario, n=10, seed=1)
    result.summary()                      # KPIs with 95 % confidence intervals
    records = simlib.simulate(scenario, seed=1)
    records.cases, records.visits, records.steps   # what happened, as DataFrames
"""

from simlib import theory
from simlib.engine import Records, simulate
from simlib.experiment import Replications, replicate
from simlib.experiment.compare import compare
from simlib.experiment.sweep import sweep
from simlib.metrics import KPI_NAMES, kpis
from simlib.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "KPI_NAMES",
    "Records",
    "Replications",
    "Scenario",
    "ScenarioError",
    "compare",
    "kpis",
    "load_scenario",
    "replicate",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "theory",
]
__version__ = "0.1.0"

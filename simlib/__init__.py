"""simlib: simulate a government service hall and its approval chains.

Typical use::

    import simlib
    scenario = simlib.load_scenario("scenarios/mm10.yaml")
    result = simlib.replicate(scenario, n=10, seed=1)
    result.summary()                      # KPIs with 95 % confidence intervals
    records = simlib.simulate(scenario, seed=1)
    records.cases, records.visits, records.steps   # what happened, as DataFrames
    simlib.replay(records, scenario, seed=1).save("day.html")   # watch a day in the browser
"""

from simlib import theory
from simlib._version import __version__
from simlib.engine import Records, simulate
from simlib.experiment import Replications, replicate
from simlib.experiment.compare import Comparison, compare
from simlib.experiment.core import Job, evaluate
from simlib.experiment.sweep import SweepResult, sweep
from simlib.files import (
    Study,
    Sweep,
    apply_reform_file,
    load_reforms,
    load_scenario,
    load_study,
    load_sweep,
    scenario_from_dict,
)
from simlib.metrics import KPI_NAMES, kpis
from simlib.scenario import Scenario, ScenarioError
from simlib.visual import replay

__all__ = [
    "KPI_NAMES",
    "Comparison",
    "Job",
    "Records",
    "Replications",
    "Scenario",
    "ScenarioError",
    "Study",
    "Sweep",
    "SweepResult",
    "__version__",
    "apply_reform_file",
    "compare",
    "evaluate",
    "kpis",
    "load_reforms",
    "load_scenario",
    "load_study",
    "load_sweep",
    "replay",
    "replicate",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "theory",
]

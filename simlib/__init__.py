"""simlib: simulate a government service hall and its approval chains.

Typical use::

    import simlib
    scenario = simlib.load_scenario("scenarios/mm10.yaml")
    result = simlib.replicate(scenario, n=10, seed=1)
    result.summary()                      # KPIs with 95 % confidence intervals
    records = simlib.simulate(scenario, seed=1)
    records.cases, records.visits, records.steps   # what happened, as DataFrames
    simlib.replay(records, scenario, seed=1).save("day.html")   # watch a day in the browser

Decisions: ``simlib.optimize(simlib.load_optimization("staffing.yaml"), executor=2)``,
``simlib.optimize_portfolio(simlib.load_portfolio("portfolio.yaml"))``,
``simlib.calibrate("tickets.csv", "map.yaml")``, ``simlib.write_report("compare_out/")``.
Every function that simulates takes ``executor`` (None: this process; a number of worker
processes; or any Executor, a Dask client's ``get_executor()``) and ``on_progress(done,
total, failed)``; results never depend on the executor.
"""

from pathlib import Path

from simlib import calibrate, optimize, theory
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
from simlib.optimize import optimize_portfolio
from simlib.optimize.portfolio_spec import load_portfolio
from simlib.optimize.spec import load_optimization
from simlib.scenario import Scenario, ScenarioError
from simlib.visual import replay


def write_report(out: str | Path, material: object = None, pdf: bool = True) -> Path:
    """The proposal report (HTML, and PDF when ``pdf``) of a ``compare --out`` folder; see
    :func:`simlib.report.write_report`. Imported on call: the report needs matplotlib,
    which ``import simlib`` should not pay for."""
    from simlib.report import write_report as write

    return write(out, material, pdf)  # type: ignore[arg-type]


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
    "calibrate",
    "compare",
    "evaluate",
    "kpis",
    "load_optimization",
    "load_portfolio",
    "load_reforms",
    "load_scenario",
    "load_study",
    "load_sweep",
    "optimize",
    "optimize_portfolio",
    "replay",
    "replicate",
    "scenario_from_dict",
    "simulate",
    "sweep",
    "theory",
    "write_report",
]

"""Portfolio search by simulation on a tiny always-open hall where effects do not add up,
its outputs (JSON, frontier, runnable scenarios, report section) and its file errors."""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pytest

from simlib import load_scenario
from simlib.commands.portfolio import main
from simlib.experiment.store import RunStore
from simlib.optimize.portfolio import optimize_portfolio, portfolio_store
from simlib.optimize.portfolio_outputs import (
    frontier_json,
    portfolio_report_section,
    write_outputs,
)
from simlib.optimize.portfolio_search import additive_pick, within_budget
from simlib.optimize.portfolio_spec import load_portfolio
from simlib.scenario.errors import ScenarioError

DATA = Path(__file__).resolve().parents[2] / "scenarios"
A, B = "more back", "faster back"  # relieve the same bottleneck
C, D = "faster x", "drop y"  # C helps only once D removed the parallel step


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("portfolio")
    spec = load_portfolio(DATA / "portfolio_nonadditive.yaml")
    frontier = optimize_portfolio(spec, store=portfolio_store(spec, out, resume=False))
    # The search's own batches, before other tests ask the same oracle for more runs.
    SEARCH_BATCHES[:] = frontier.oracle.batches
    return spec, frontier, out


SEARCH_BATCHES: list[int] = []


def test_search_is_right_where_the_additive_screen_is_wrong(run):
    spec, frontier, _ = run
    oracle = frontier.oracle
    names = list(spec.study.variants)
    costs = {n: spec.study.cost_of(n).cost for n in names}
    allowed = within_budget(names, costs, 200, 2)
    first = range(spec.n0)
    obs = oracle.observe(allowed, first)
    screen = {s: np.mean([obs[(s, r)] for r in first], axis=0) for s in allowed}
    assert additive_pick(allowed, screen, minimize=True) == (A, B)
    assert frontier.steps[0].portfolio == (B,)
    assert frontier.steps[1].portfolio == (C, D)
    # The truth, by exhaustive evaluation of all 11 portfolios on 20 common replications.
    reps = range(20)
    obs = oracle.observe(allowed, reps)
    truth = {s: np.mean([obs[(s, r)][0] for r in reps]) for s in allowed}
    ranked = sorted(truth, key=truth.get)
    assert ranked[0] == (C, D) and truth[(A, B)] - truth[(C, D)] > spec.goal.delta
    # Drop-one contributions: neither C nor D does anything without the other.
    step = frontier.steps[1]
    for name in (C, D):
        mean, _, hi = step.contributions[name]
        assert hi < 0 and mean == pytest.approx(step.effect[0])
    print(f"search {frontier.evaluations} runs; exhaustive at 20 reps: {len(allowed) * 20}")


def test_outputs_scenarios_and_report_section(run, tmp_path):
    _, frontier, _ = run
    written = write_outputs(frontier, tmp_path)
    names = {p.name for p in written}
    assert {"best.yaml", "portfolio_100.yaml", "portfolio_200.yaml", "frontier.csv"} <= names
    assert {"frontier.png", "frontier.svg", "portfolio.json"} <= names
    best = load_scenario(tmp_path / "best.yaml")
    expected = frontier.oracle.scenario((C, D)).model_copy(update={"name": best.name})
    assert best.model_dump_json() == expected.model_dump_json()
    data = frontier_json(frontier)
    assert data["best"]["decisions"]["reforms"] == [C, D]
    assert set(data) >= {"optimize", "feasible", "best", "evaluations", "frontier"}
    assert set(data["best"]) >= {"decisions", "objective", "kpis"}
    assert data["best"]["kpis"]["lead_time_mean_days"]["mean"] == pytest.approx(
        frontier.best.objective[0]
    )
    assert [f["budget"] for f in data["frontier"]] == [100, 200]
    html = portfolio_report_section(tmp_path)
    assert f"{C} + {D}" in html and "data:image/png;base64" in html


def test_main_json_resumes_from_the_run_store(run, capsys):
    _, _, out = run
    lines = len(RunStore(out / "runs"))
    args = types.SimpleNamespace(
        spec=str(DATA / "portfolio_nonadditive.yaml"),
        json=True,
        out=str(out),
        resume=True,
        quiet=True,
    )
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"]["decisions"]["reforms"] == [C, D]
    assert len(RunStore(out / "runs")) == lines  # nothing re-run


def test_portfolio_file_errors_name_the_line(tmp_path, capsys):
    text = (DATA / "portfolio_nonadditive.yaml").read_text()
    bad = text.replace("minimize: lead_time_mean_days", "minimize: lead_tme").replace(
        "max_reforms: 2", "max_reforms: 0"
    )
    for name in ("nonadditive_study.yaml", "nonadditive_hall.yaml"):
        (tmp_path / name).write_text((DATA / name).read_text())
    (tmp_path / "p.yaml").write_text(bad)
    with pytest.raises(ScenarioError) as err:
        load_portfolio(tmp_path / "p.yaml")
    assert "line 6: portfolio.max_reforms" in str(err.value)
    (tmp_path / "p.yaml").write_text(text.replace("lead_time_mean_days}", "lead_tme}", 1))
    with pytest.raises(ScenarioError) as err:
        load_portfolio(tmp_path / "p.yaml")
    assert "line 7: objective: unknown KPI 'lead_tme'" in str(err.value)
    args = types.SimpleNamespace(spec=str(tmp_path / "p.yaml"), json=False, out=None)
    assert main(args) == 2
    assert "unknown KPI" in capsys.readouterr().err


def test_runs_do_not_depend_on_the_executor(run):
    from simlib.experiment.runner import process_pool
    from simlib.optimize.portfolio import SimulationOracle

    spec, frontier, _ = run
    chosen = [(), (C, D)]
    with process_pool(2) as pool:
        parallel = SimulationOracle(spec, pool).observe(chosen, [0, 1])
    for key, values in parallel.items():
        assert values.tolist() == frontier.oracle.observe([key[0]], [key[1]])[key].tolist()


def test_frontier_chart_plots_paired_changes_against_cost(run, tmp_path):
    """Points with the CI of the paired change (no line between budgets), today at (0, 0),
    the cost axis in the portfolio file's currency."""
    import dataclasses

    from matplotlib.lines import Line2D

    from simlib.optimize.portfolio_outputs import frontier_chart

    _, frontier, _ = run
    spec = dataclasses.replace(frontier.spec, currency="EUR")
    fig = frontier_chart(dataclasses.replace(frontier, spec=spec))
    ax = fig.axes[0]
    assert "[EUR]" in ax.get_xlabel() and "change" in ax.get_ylabel()
    feasible = [s for s in frontier.steps if s.feasible]
    points = [
        line for line in ax.get_lines() if isinstance(line, Line2D) and line.get_marker() == "o"
    ]
    assert points, "the packages are plotted"
    marks = points[0]
    assert marks.get_linestyle() == "None", "no line drawn between budgets"
    assert list(marks.get_xdata()) == [s.cost.cost for s in feasible]
    assert list(marks.get_ydata()) == pytest.approx([s.effect[0] for s in feasible])
    # the error bars span the paired change's 95 % CI
    bars = [c for c in ax.collections if len(c.get_segments()) == len(feasible)]
    spans = sorted(sorted((seg[0][1], seg[1][1])) for seg in bars[0].get_segments())
    expected = sorted([s.effect[1], s.effect[2]] for s in feasible)
    assert np.allclose(spans, expected)
    fig.savefig("/tmp/frep/frontier.png" if Path("/tmp/frep").is_dir() else tmp_path / "f.png")


def test_budgets_in_lockstep_decide_as_one_after_the_other(run):
    """By simulation: each budget searched alone, one after the other, on a fresh oracle
    chooses the same packages with the same runs as the frontier's lockstep search, which
    sends fewer batches."""
    from simlib.optimize.portfolio import SimulationOracle, _requirements
    from simlib.optimize.portfolio_search import search

    spec, frontier, _ = run
    alone = SimulationOracle(spec)
    names = list(spec.study.variants)
    costs = {n: spec.study.cost_of(n).cost for n in names}
    for step in frontier.steps:
        choice = search(
            names, costs, step.choice.budget, alone, delta=spec.goal.delta,
            max_reforms=spec.max_reforms, confidence=spec.confidence, n0=spec.n0,
            max_reps=spec.max_reps, minimize=spec.goal.minimize, requirements=_requirements(spec),
        )  # fmt: skip
        assert choice.best == step.choice.best and choice.finalists == step.choice.finalists
        assert choice.selection.replications == step.choice.selection.replications
        assert choice.screened == step.choice.screened
    searched = set(alone.rows)
    assert searched <= set(frontier.oracle.rows)
    assert len(SEARCH_BATCHES) < len(alone.batches)

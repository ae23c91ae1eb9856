"""`simlib optimize` as a planner types it: JSON, output folder, resume, errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from simlib.cli import main
from simlib.optimize.report import report_section
from tests.optimize_helpers import mmc_scenario, write_optimization

SPEC = {
    "optimize": "M/M/c by the hour",
    "seed": 2,
    "replications": {"min": 3, "max": 8},
    "decisions": {"pools.clerk.count": {"range": [1, 20]}},
    "requirements": [{"kpi": "hall_wait_mean_min", "max": 5.0}],
}


def test_optimize_json_out_best_yaml_and_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_optimization(tmp_path, mmc_scenario(20, 10.0, 9, 3), SPEC)
    out = tmp_path / "out"
    assert main(["optimize", str(spec), "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"optimize", "feasible", "best", "evaluations", "frontier"}
    assert data["feasible"] is True
    best = data["best"]
    assert set(best) >= {"decisions", "objective", "kpis"}
    assert best["decisions"] == {"pools.clerk.count": 5}  # Erlang C: W(4) = 9.9, W(5) = 2.0 min
    wait = best["kpis"]["hall_wait_mean_min"]
    assert wait["ci95"][0] <= wait["mean"] <= 5.0
    assert best["objective"]["officer_hours"] == 5 * 24
    assert data["frontier"] and all("mean" in row for row in data["frontier"])
    assert data["one_step_cheaper"][0]["verdict"] == "infeasible"
    for name in ("best.yaml", "result.json", "trace.csv", "frontier.csv", "frontier.png"):
        assert (out / name).exists(), name
    html = report_section(out)  # the report's staffing section
    assert html.startswith("<section>") and "data:image/png;base64" in html
    assert "Binding requirement" in html and "hall_wait_mean_min &lt;= 5" in html
    # best.yaml is a scenario simlib runs as it is.
    assert main(["run", str(out / "best.yaml"), "--reps", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["replications"] == 2
    assert yaml.safe_load((out / "best.yaml").read_text())["pools"]["clerk"]["count"] == 5
    # The folder holds runs: refuse to mix, resume without running anything again.
    assert main(["optimize", str(spec), "--json", "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["optimize", str(spec), "--json", "--out", str(out), "--resume"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["runs"] == 0 and again["best"]["decisions"] == best["decisions"]


def test_optimize_text_output_names_the_binding_requirement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_optimization(tmp_path, mmc_scenario(20, 10.0, 9, 3), SPEC)
    assert main(["optimize", str(spec), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Binding requirement: hall_wait_mean_min <= 5" in text
    assert "pools.clerk.count: 5" in text
    assert "Officer-hours per working day: 120.0 (today 216.0, -96.0)" in text


def test_bad_optimisation_file_exits_2_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_optimization(
        tmp_path,
        mmc_scenario(20, 10.0, 9, 3),
        {**SPEC, "requirements": [{"kpi": "hall_wait_mean_min", "max": 5, "matter": "x"}]},
    )
    assert main(["optimize", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "requirements[0].matter" in err and "line " in err and "Traceback" not in err


@pytest.mark.skipif(
    importlib.util.find_spec("simlib.optimize.portfolio") is not None,
    reason="portfolio optimisation is in this build",
)
def test_portfolio_files_are_dispatched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "portfolio.yaml"
    path.write_text("optimize: reforms\nstudy: s.yaml\nportfolio: {budget: 10}\n")
    assert main(["optimize", str(path)]) == 2
    assert "portfolio optimisation is not available in this build" in capsys.readouterr().err

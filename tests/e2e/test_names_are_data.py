"""Names written into files are data, never structure (issue #20): a newline in an
optimisation's name cannot add a key to ``best.yaml``, a variant named like a formula is
plain text in ``frontier.csv``, and a sweep over text levels has a report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from simlib import load_scenario
from simlib.cli import main
from simlib.writing import comment, neutralise, yaml_text
from tests.e2e.test_run_store import STAFFING, portfolio_files
from tests.helpers import desk_matter, exp, sweep_files
from tests.optimize_helpers import mmc_scenario, write_optimization

SMUGGLED = "clerks\nreforms: [{type: set_staff, pools: {clerk: 1}}]\n#"
FORMULA = "=cmd|' /C calc'!A0"


def test_comment_is_one_line_and_yaml_text_keeps_values_as_values() -> None:
    assert comment("a\nb: 1\r\u2028c") == "# a b: 1 c"
    text = yaml_text({"name": SMUGGLED}, [SMUGGLED, "plain"])
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) == 2 and not any(line.startswith("reforms") for line in text.splitlines())
    assert yaml.safe_load(text) == {"name": SMUGGLED}


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("plain") == "plain" and neutralise(-1.5) == -1.5


def test_newline_in_the_optimisation_name_does_not_change_best_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_optimization(
        tmp_path, mmc_scenario(20, 10.0, 9, 2), {**STAFFING, "optimize": SMUGGLED}
    )
    out = tmp_path / "out"
    assert main(["optimize", str(spec), "--out", str(out), "--json"]) == 0
    chosen = json.loads(capsys.readouterr().out)["best"]["decisions"]["pools.clerk.count"]
    assert chosen > 1
    data = yaml.safe_load((out / "best.yaml").read_text())
    assert "reforms" not in data
    assert load_scenario(out / "best.yaml").pools["clerk"].count == chosen


def test_portfolio_names_stay_data_in_best_yaml_and_frontier_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = portfolio_files(tmp_path / "q")
    study = tmp_path / "q" / "nonadditive_study.yaml"
    study.write_text(study.read_text().replace("faster back:", f'"{FORMULA}":'))
    path.write_text(
        path.read_text().replace("optimize: Which two reforms", f"optimize: {json.dumps(SMUGGLED)}")
    )
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--out", str(out), "--quiet", "--json"]) == 0
    capsys.readouterr()
    best = yaml.safe_load((out / "best.yaml").read_text())
    assert all(
        r["type"] != "set_staff" or "clerk" not in r.get("pools", {}) for r in best["reforms"]
    )
    cells = [c for row in csv.reader((out / "frontier.csv").open()) for c in row]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert any(c.startswith("'") and FORMULA in c for c in cells)  # chosen, shown as text


def test_report_of_a_sweep_over_text_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hall = {
        "name": "orders",
        "horizon": {"days": 2, "warmup_days": 0},
        "pools": {"w": {"count": 2}},
        "matters": [{**desk_matter(0, exp(10), pool="w"), "arrivals": {"per_day": 30}}],
    }
    path = sweep_files(
        tmp_path, {"replications": 1, "parameters": {"pools.w.order": ["fifo", "deadline"]}}, hall
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out), "--no-pdf"]) == 0
    page = (out / "report.html").read_text()
    assert "levels are text" in page and "deadline" in page

"""Planner mistakes in optimisation and portfolio files are caught by ``simlib validate``
(and by the loaders ``optimize`` uses) before anything is simulated: exit 2 within 5 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simlib.cli import main

ROOT = Path(__file__).parents[2]
HALL = """name: small
horizon: {days: 10, warmup_days: 2}
pools: {desk: {count: 3}, back: {count: 2}}
matters:
  - id: permit
    arrivals: {per_day: 40}
    acceptance: {pool: desk, time: {dist: exponential, mean: 10}}
    chain:
      - {id: review, pool: back, time: {dist: exponential, mean: 30}}
      - {id: notice, delay_days: 7}
"""
STUDY = """study: s
baseline: hall.yaml
variants:
  faster: {cost: 40000, reforms: [{type: scale_times, factor: 0.8}]}
  staff: {cost: 90000, reforms: [{type: set_staff, pools: {back: 3}}]}
"""
STAFFING = """optimize: desk
scenario: hall.yaml
decisions:
  pools.desk.count: {range: [1, 6]}
requirements:
  - {REQ}
"""
PORTFOLIO = """optimize: package
study: study.yaml
portfolio: {budget: BUDGET}
objective: {minimize: lead_time_mean_days}
requirements: [{REQ}]
indifference: {lead_time_mean_days: 0.1}
"""

MISTAKES = [
    ("staffing", "kpi: on_time_rate, min: 95", "100000", "did you mean 0.95?"),
    ("staffing", "kpi: hall_wait_mean_min, max: 0.25", "100000", "minutes are the unit"),
    ("staffing", "kpi: hall_wait_p90_min, max: 3000", "100000", "over a day"),
    # a 7-day notice is 5 working days: no staffing gets the lead time under 3
    ("staffing", "kpi: lead_time_mean_days, max: 3", "100000", "cannot be reached"),
    ("portfolio", "kpi: abandon_rate, max: 2", "100000", "is a share"),
    ("portfolio", "kpi: hall_wait_mean_min, max: 20", "30000", "below the cheapest reform"),
    ("portfolio", "kpi: lead_time_p90_days, max: 4", "100000", "cannot be reached"),
]


def _files(tmp_path: Path, kind: str, req: str, budget: str) -> Path:
    (tmp_path / "hall.yaml").write_text(HALL)
    (tmp_path / "study.yaml").write_text(STUDY)
    body = (STAFFING if kind == "staffing" else PORTFOLIO).replace("REQ", req)
    path = tmp_path / f"{kind}.yaml"
    path.write_text(body.replace("BUDGET", budget).replace("{{", "{").replace("}}", "}"))
    return path


@pytest.mark.parametrize(("kind", "req", "budget", "message"), MISTAKES)
def test_each_mistake_exits_2_before_simulating(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    req: str,
    budget: str,
    message: str,
) -> None:
    path = _files(tmp_path, kind, "{" + req + "}", budget)
    start = time.process_time()
    assert main(["validate", str(path)]) == 2
    assert time.process_time() - start < 5
    err = capsys.readouterr().err
    assert message in err and "line " in err, err
    # the command that would have simulated for minutes stops the same way
    assert main(["optimize", str(path), "--quiet"]) == 2


def test_sensible_files_still_validate(tmp_path: Path) -> None:
    for kind, req in (
        ("staffing", "{kpi: on_time_rate, min: 0.95}"),
        ("staffing", "{kpi: lead_time_mean_days, max: 8}"),
        ("portfolio", "{kpi: hall_wait_mean_min, max: 20}"),
    ):
        assert main(["validate", str(_files(tmp_path, kind, req, "100000"))]) == 0


def test_the_shipped_budget_check_on_the_green_approval_study(tmp_path: Path) -> None:
    import shutil

    for name in ("green_approval.yaml", "new_district.yaml"):
        shutil.copy(ROOT / "scenarios" / name, tmp_path / name)
    text = (ROOT / "scenarios" / "portfolio_green_approval.yaml").read_text()
    low = text.replace("budget: [250000, 500000]", "budget: 10000")
    assert low != text
    path = tmp_path / "low_budget.yaml"
    path.write_text(low)
    start = time.process_time()
    assert main(["validate", str(path)]) == 2
    assert time.process_time() - start < 5


@pytest.mark.parametrize(("bound", "noted"), [(600, True), (1, False)])
def test_a_requirement_met_with_room_to_spare_today_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bound: float, noted: bool
) -> None:
    """Five desks for under one erlang: a 600-minute mean-wait bound is met with room by
    Erlang C (a desk or two would do), a 1-minute bound needs three — only the first is noted."""
    req = "{kpi: hall_wait_mean_min, max: " + f"{bound:g}" + "}"
    path = _files(tmp_path, "staffing", req, "0")
    hall = tmp_path / "hall.yaml"
    hall.write_text(hall.read_text().replace("desk: {count: 3}", "desk: {count: 5}"))
    start = time.process_time()
    assert main(["validate", str(path)]) == 0
    assert time.process_time() - start < 5
    err = capsys.readouterr().err
    assert ("room to spare" in err) is noted, err
    if noted:
        assert "pool desk" in err and "today has at least 5" in err

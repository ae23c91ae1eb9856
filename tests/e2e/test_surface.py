"""One surface (issue #20, items 2 and 5): every command that simulates takes the same
executor options, ``--json`` and ``--quiet``; replication 0's logs are replication 0."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pandas as pd
import pytest

import simlib
from simlib.cli import main
from simlib.commands import run as run_command
from simlib.eventlog import write_event_log
from simlib.experiment import core
from simlib.experiment.core import replication_seed
from simlib.metrics import kpi_row

ROOT = Path(__file__).resolve().parents[2]
MM10 = ROOT / "scenarios" / "mm10.yaml"
HALL = ROOT / "simlib" / "data" / "demo_hall.yaml"
SWEEP = """\
sweep: tiny
scenario: {base}
replications: 2
seed: 3
design: {{type: grid}}
parameters:
  pools.clerk.count: [9, 11]
"""
STUDY = """\
study: tiny study
baseline: {base}
replications: 2
seed: 4
variants:
  faster: [{{type: scale_times, factor: 0.9}}]
"""


def _short(tmp_path: Path, days: int = 2) -> Path:
    """mm10 over ``days`` days (no warm-up): the smallest hall that still queues."""
    text = MM10.read_text()
    scenario = simlib.load_scenario(MM10)
    path = tmp_path / "short.yaml"
    horizon = scenario.horizon.model_copy(update={"days": days, "warmup_days": 0})
    data = scenario.model_copy(update={"horizon": horizon}).model_dump(mode="json")
    import yaml

    path.write_text(yaml.safe_dump(data))
    assert text  # the source file is untouched
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "--json prints exactly one line: one JSON object"
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_run_events_are_replication_0_not_a_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = _short(tmp_path)
    calls: list[int] = []
    for module in (core, run_command):
        real = module.simulate

        def counted(scenario, seed, *a, _real=real, **k):  # type: ignore[no-untyped-def]
            calls.append(seed)
            return _real(scenario, seed, *a, **k)

        monkeypatch.setattr(module, "simulate", counted)
    events, tickets = tmp_path / "events.csv", tmp_path / "tickets.csv"
    events.write_text("stale\n")  # a file from before must not pass for replication 0
    args = ["run", str(hall), "--reps", "3", "--seed", "7", "--json", "--quiet"]
    assert main([*args, "--events", str(events), "--tickets", str(tickets)]) == 0
    with_logs = _json(capsys)
    first = replication_seed(7, 0)
    assert sorted(calls) == sorted(replication_seed(7, r) for r in range(3))  # 3 runs, not 4
    # The logs and replication 0's KPIs come from one run (the run with replication 0's seed).
    scenario = simlib.load_scenario(hall)
    records = simlib.simulate(scenario, first)
    expected = tmp_path / "expected.csv"
    write_event_log(records, expected, scenario)
    assert events.read_text() == expected.read_text()
    assert tickets.stat().st_size > 0
    row = kpi_row(records, scenario)
    assert with_logs["kpis"]["hall_wait_mean_min"]["values"][0] == pytest.approx(
        row["hall_wait_mean_min"], rel=1e-12
    )
    # ... and they are the same KPIs as a run without logs.
    assert main(args) == 0
    assert _json(capsys) == with_logs


def test_run_events_from_a_stored_replication_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --cache, replication 0 may be read back: its logs are then made from its seed."""
    hall, cache, events = _short(tmp_path), tmp_path / "cache", tmp_path / "e.csv"
    args = ["run", str(hall), "--reps", "2", "--seed", "7", "--json", "--cache", str(cache)]
    assert main(args) == 0
    stored = _json(capsys)
    assert main([*args, "--events", str(events)]) == 0
    assert _json(capsys) == stored
    scenario = simlib.load_scenario(hall)
    expected = tmp_path / "expected.csv"
    write_event_log(simlib.simulate(scenario, replication_seed(7, 0)), expected, scenario)
    assert events.read_text() == expected.read_text()


@pytest.mark.parametrize("extra", [[], ["--precision", "0.2", "--max-reps", "8"]])
def test_run_on_two_workers_is_the_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    hall = _short(tmp_path)
    args = ["run", str(hall), "--reps", "3", "--seed", "2", "--json", *extra]
    assert main([*args, "--workers", "1"]) == 0
    one = _json(capsys)
    assert main([*args, "--workers", "2"]) == 0
    assert _json(capsys) == one


def test_compare_json_and_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(STUDY.format(base=_short(tmp_path)))
    assert main(["compare", str(study), "--json", "--quiet"]) == 0
    one = _json(capsys)
    assert one["study"] == "tiny study" and one["replications"] == 2
    assert set(one["verdicts"]) == {"faster"}
    rows = pd.DataFrame(one["comparison"])
    wait = rows[rows["kpi"] == "hall_wait_mean_min"].iloc[0]
    assert wait["variant"] == "faster" and wait["diff"] < 0  # faster clerks, shorter waits
    assert main(["compare", str(study), "--json", "--workers", "2"]) == 0
    assert _json(capsys) == one


def test_compare_checks_the_executor_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(STUDY.format(base=_short(tmp_path)))
    code = main(["compare", str(study), "--workers", "2", "--dask-local", "2"])
    assert code == 2
    assert "choose one of --workers N, --scheduler ADDR, --dask-local N" in capsys.readouterr().err


def test_sweep_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP.format(base=_short(tmp_path)))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--json", "--quiet"]) == 0
    data = _json(capsys)
    assert data["sweep"] == "tiny" and data["runs"] == 4 and data["failed"] == 0
    summary = pd.read_csv(out / "summary.csv")
    assert [p["hall_wait_mean_min"] for p in data["summary"]] == pytest.approx(
        summary["hall_wait_mean_min"].tolist()
    )


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "optimize", "calibrate"])
def test_every_simulating_command_has_the_same_options(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    for option in ("--workers", "--dask-local", "--scheduler", "--json", "--quiet"):
        assert option in text, f"simlib {command} lacks {option}"


def test_calibrate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simlib.ticketlog import MAP_PATH

    tickets = tmp_path / "t.csv"
    assert main(["run", str(HALL), "--reps", "1", "--quiet", "--tickets", str(tickets)]) == 0
    capsys.readouterr()
    out = tmp_path / "fitted.yaml"
    args = ["calibrate", str(tickets), "--map", str(MAP_PATH), "--out", str(out), "--json"]
    assert main([*args, "--quiet"]) == 0
    data = _json(capsys)
    assert data["scenario"] == str(out) and data["log"] == "ticket log"
    assert data["matters"] == len(simlib.load_scenario(out).matters) and data["tickets"] > 0


def test_python_api_surface() -> None:
    for name in ("optimize", "optimize_portfolio", "calibrate", "write_report"):
        assert name in simlib.__all__ and callable(getattr(simlib, name))
    for fn in (
        simlib.replicate,
        simlib.compare,
        simlib.sweep,
        simlib.evaluate,
        simlib.optimize,
        simlib.optimize_portfolio,
        simlib.calibrate,
    ):
        assert "executor" in inspect.signature(fn).parameters, fn.__name__
        assert "workers" not in inspect.signature(fn).parameters, fn.__name__


def test_on_progress_is_done_total_failed(tmp_path: Path) -> None:
    scenario = simlib.load_scenario(_short(tmp_path, days=1))
    seen: list[tuple[int, ...]] = []
    simlib.replicate(scenario, 2, seed=1, on_progress=lambda *a: seen.append(a))
    assert seen == [(1, 2, 0), (2, 2, 0)]
    seen.clear()
    faster = [{"type": "scale_times", "factor": 0.9}]
    simlib.compare(scenario, {"f": faster}, 2, 1, [], on_progress=lambda *a: seen.append(a))
    assert seen[-1] == (4, 4, 0) and all(len(a) == 3 for a in seen)

"""The command line as a user types it: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simlib.cli import main
from simlib.metrics import CASE_KPIS, POOL_KPIS
from tests.helpers import GREEN_STUDY

ROOT = Path(__file__).resolve().parents[2]
MM10 = ROOT / "scenarios" / "mm10.yaml"


def _simlib(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def test_run_json_is_the_design_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(MM10), "--reps", "3", "--seed", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "M/M/10" and out["replications"] == 3 and out["seed"] == 5
    assert set(out["kpis"]) == set(CASE_KPIS) | set(POOL_KPIS)
    wait = out["kpis"]["hall_wait_mean_min"]
    assert set(wait) == {"mean", "ci95", "values"} and len(wait["values"]) == 3
    assert wait["ci95"][0] <= wait["mean"] <= wait["ci95"][1]
    util = out["kpis"]["utilization"]["clerk"]
    assert 0.85 < util["mean"] < 0.95
    assert out["kpis"]["on_time_rate"]["mean"] is None  # no time limits: not applicable


def test_run_json_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    main(["run", str(MM10), "--reps", "2", "--seed", "5", "--json"])
    first = capsys.readouterr().out
    main(["run", str(MM10), "--reps", "2", "--seed", "5", "--json"])
    assert capsys.readouterr().out == first


def test_run_table_and_out_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(MM10), "--reps", "2", "--out", str(tmp_path), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "hall_wait_mean_min" in text and "95% CI" in text and "utilization[clerk]" in text
    assert {p.name for p in tmp_path.iterdir()} == {"runs.csv", "summary.csv", "kpis.json"}


def test_validate_ok_and_bad_file_exit_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MM10.read_text().replace("pool: clerk", "pool: clark"))
    # One real process for what the user sees (exit code, message, no traceback); the
    # other cases in this process (a process start costs ~2 CPU s, mostly imports).
    result = _simlib("validate", str(bad))
    assert result.returncode == 2
    assert "unknown pool 'clark'" in result.stderr and "Traceback" not in result.stderr
    assert main(["validate", str(MM10)]) == 0 and "OK" in capsys.readouterr().out
    assert main(["run", str(bad)]) == 2
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_arguments_exit_2() -> None:
    result = _simlib("run", str(MM10), "--reps", "0")
    assert result.returncode == 2 and "--reps" in result.stderr and "Traceback" not in result.stderr


def test_demo_refuses_a_study_no_longer_than_its_warm_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--study-days", "7", "--out", str(tmp_path / "demo")]) == 2
    assert "--study-days must be more than the study's 7 warm-up days" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_schema_is_json_schema_of_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"name", "pools", "matters", "hall", "calendar"} <= set(schema["properties"])
    assert "Exponential" in schema["$defs"]


@GREEN_STUDY
def test_demo_prints_the_kpi_table_and_writes_the_study_charts(
    tmp_path: Path, green_study_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMLIB_CACHE", str(green_study_cache))  # shared with notebook 02
    # 14 days, not the demo's 28, and 3 runs of the demo hall, not 10: this checks the
    # wiring, not the numbers, and the ~50 runs of the study (with their drain) were the
    # suite's longest test.
    # The timeout only guards against a hang, not a loaded machine.
    result = _simlib(
        "demo",
        "--quiet",
        "--reps",
        "3",
        "--study-reps",
        "2",
        "--study-days",
        "14",
        "--out",
        str(tmp_path),
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo hall" in result.stdout and "lead_time_mean_days" in result.stdout
    assert "3 replication(s)" in result.stdout and "--days 14 --warmup 7" in result.stdout
    assert "Green approval action" in result.stdout and str(tmp_path) in result.stdout
    for chart in (
        "kpi_comparison",
        "waterfall_lead_time",
        "waterfall_hall_wait",
        "visits_per_case",
    ):
        assert (tmp_path / f"{chart}.png").exists()


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """``simlib schema | head -c 10``: the pipe closes before simlib writes; it must exit
    quietly (141, as a shell reports SIGPIPE), never with a BrokenPipeError traceback."""
    child = subprocess.Popen(
        [sys.executable, "-m", "simlib.cli", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader leaves before the first byte is written
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err

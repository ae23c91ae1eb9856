"""Faults (issue #14): a changed scenario under --resume, damaged run files, double Ctrl-C,
and kill -9 of the main process. Each is reproduced as a user would meet it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest

from simlib.cli import main
from simlib.experiment.store import RunStore
from tests.helpers import desk_matter, exp, sweep_files, write_yaml

HALL: dict[str, Any] = {
    "name": "fault hall",
    "horizon": {"days": 3, "warmup_days": 0},
    "pools": {"w": {"count": 2}},
    "matters": [{**desk_matter(0, exp(10), pool="w"), "arrivals": {"per_day": 30}}],
}


def _sweep(
    tmp_path: Path,
    hall: dict[str, Any] = HALL,
    counts: int = 3,
    days: int = 3,
    replications: int = 1,
) -> Path:
    parameters = {"pools.w.count": {"range": [2, 1 + counts]}, "horizon.days": [days]}
    return sweep_files(tmp_path, {"replications": replications, "parameters": parameters}, hall)


def test_resume_refuses_results_of_a_changed_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _sweep(tmp_path)
    out = str(tmp_path / "out")
    assert main(["sweep", str(path), "--out", out, "--quiet"]) == 0
    assert main(["sweep", str(path), "--out", out, "--quiet", "--resume"]) == 0  # unchanged
    changed = {**HALL, "matters": [{**HALL["matters"][0], "arrivals": {"per_day": 31}}]}
    write_yaml(tmp_path / "hall.yaml", changed)  # the sweep file is the same
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", out, "--quiet", "--resume"]) == 2
    assert "different sweep" in capsys.readouterr().err


def test_damaged_run_files_are_quarantined_and_their_runs_done_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _sweep(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 0
    parts = sorted((out / "runs").glob("*.json"))
    assert len(parts) == 3
    parts[0].write_bytes(parts[0].read_bytes()[:20])  # truncated
    parts[1].write_bytes(b"")  # empty
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--resume"]) == 0
    err = capsys.readouterr().err
    assert "2 damaged run file(s) moved to" in err and "done again" in err
    assert len(list((out / "runs" / "quarantine").iterdir())) == 2
    final = pd.read_parquet(out / "runs.parquet")
    assert sorted(final["point"]) == [0, 1, 2] and final["error"].isna().all()
    assert len(RunStore(out / "runs")) == 3


def _start_sweep(tmp_path: Path) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """A sweep on two worker processes, caught while its workers are busy.

    400 runs of a 600-day hall: far more than the test lets finish, however fast the engine
    (the compiled kernel runs one in well under 0.1 s). A signal must reach simlib while it
    sweeps: one that lands after the sweep ended meets Python's finalisation, where Ctrl-C
    kills the process with no message, which is not what these tests are about."""
    path = _sweep(tmp_path, counts=2, days=600, replications=200)
    runs = tmp_path / "out" / "runs"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simlib.cli",
            "sweep",
            str(path),
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(tmp_path / "out"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test runner's worker may ignore SIGINT, and children inherit that: restore it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    parent = psutil.Process(proc.pid)
    deadline = time.time() + 60
    workers: list[psutil.Process] = []
    stored = 0
    while time.time() < deadline and (len(workers) < 2 or stored < 4) and proc.poll() is None:
        time.sleep(0.05)
        workers = parent.children(recursive=True)
        stored = len(list(runs.glob("*.json"))) if runs.is_dir() else 0
    assert len(workers) >= 2, "the sweep did not start its workers"
    assert stored >= 4, "the workers stored no runs"  # busy, past their start-up
    assert proc.poll() is None and stored < 400, "the sweep ended before the test could act"
    return proc, workers


def _gone(processes: list[psutil.Process], seconds: float) -> bool:
    """Whether every process ended within ``seconds`` (survivors are killed, not left)."""
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:
        process.kill()
    return not alive


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_double_ctrl_c_stops_promptly_and_leaves_no_workers(tmp_path: Path) -> None:
    proc, workers = _start_sweep(tmp_path)
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.perf_counter() - started < 15
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "rerun with --resume" in err
    assert _gone(workers, 5), "worker processes outlived the interrupted sweep"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    proc, workers = _start_sweep(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone(workers, 10), "idle workers outlived a kill -9 of simlib"

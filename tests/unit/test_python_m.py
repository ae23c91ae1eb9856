"""``python -m simlib`` is the ``simlib`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_simlib_runs_the_command_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run(
        [sys.executable, "-m", "simlib", "--help"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0 and ok.stdout.startswith("usage: simlib")
    assert "calibrate" in ok.stdout  # the subcommands, not an empty parser
    bad = subprocess.run(
        [sys.executable, "-m", "simlib", "validate", str(ROOT / "no-such.yaml")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode != 0 and "no-such.yaml" in bad.stderr  # errors go through main

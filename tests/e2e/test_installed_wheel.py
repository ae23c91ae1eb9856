"""The installed package works away from the repository (issue #14): a wheel built from
this tree, installed into a fresh virtual environment, runs ``simlib demo`` from another
folder, and the demo's study loads from the package data (an installed simlib has no
``scenarios/`` folder).

To stay fast and offline, the wheel is installed without its dependencies, which the
fresh environment borrows from the running one through a plain path entry (a ``.pth``
line that adds a folder but runs none of its hooks, so the running environment's own
editable simlib stays invisible)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def test_wheel_installs_and_the_demo_runs_from_another_folder(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "simlib", source / "simlib", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = tmp_path / "wheels"
    _run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)],
        tmp_path,
    )
    (wheel,) = wheels.glob("simlib-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            tmp_path,
        ).stdout.strip()
    )
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [*PIP, "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import simlib; print(simlib.__file__)"], elsewhere)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    demo = _run(
        [str(venv / "bin" / "simlib"), "demo", "--no-study", "--reps", "1", "--quiet"], elsewhere
    )
    assert "hall_wait_mean_min" in demo.stdout
    study = _run(
        [
            str(python),
            "-c",
            "from simlib.cli import DATA; from simlib import load_study; "
            "s = load_study(DATA / 'green_approval.yaml'); print(len(s.variants), s.baseline_path)",
        ],
        elsewhere,
    )
    count, path = study.stdout.split()
    assert int(count) >= 5 and path.startswith(str(venv))
    # The replay's page template is package data (simlib replay works when installed).
    page = _run(
        [
            str(python),
            "-c",
            "from importlib.resources import files; "
            "print(len(files('simlib.visual').joinpath('replay.html').read_text()))",
        ],
        elsewhere,
    )
    assert int(page.stdout) > 1000

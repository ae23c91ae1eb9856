"""The run store under every search (issue #20): ``--resume`` after a change to the
scenario, its reforms, the seed, the spec or simlib's version refuses (never mixes), and the
fault classes — kill -9, a truncated run file, a half-written file, a rerun without
``--resume`` — on staffing, portfolio and sweep alike. Tiny halls, few replications."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simlib.cli import main
from simlib.experiment import store as store_module
from simlib.experiment.store import RunStore
from tests.helpers import desk_matter, exp, sweep_files, write_yaml
from tests.optimize_helpers import mmc_scenario, write_optimization

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# --- three small questions, each written to a folder ---------------------------------

STAFFING = {
    "optimize": "clerks",
    "seed": 2,
    "replications": {"min": 3, "max": 6},
    "decisions": {"pools.clerk.count": {"range": [1, 12]}},
    "requirements": [{"kpi": "hall_wait_mean_min", "max": 5.0}],
}


def staffing_files(folder: Path, days: int = 2) -> Path:
    return write_optimization(folder, mmc_scenario(20, 10.0, 9, days), STAFFING)


def portfolio_files(folder: Path, days: int = 3) -> Path:
    """The non-additive portfolio of scenarios/, made smaller (one budget, few replications)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("nonadditive_study.yaml", "nonadditive_hall.yaml"):
        shutil.copy(SCENARIOS / name, folder / name)
    hall = folder / "nonadditive_hall.yaml"
    text = hall.read_text()
    assert "horizon: {days: 3," in text
    hall.write_text(text.replace("horizon: {days: 3,", f"horizon: {{days: {days},"))
    text = (SCENARIOS / "portfolio_nonadditive.yaml").read_text()
    text = text.replace("budget: [100, 200]", "budget: [100]").replace(
        "{min: 10, max: 100}", "{min: 3, max: 6}"
    )
    (folder / "p.yaml").write_text(text)
    return folder / "p.yaml"


HALL: dict[str, Any] = {
    "name": "store hall",
    "horizon": {"days": 2, "warmup_days": 0},
    "pools": {"w": {"count": 2}},
    "matters": [{**desk_matter(0, exp(10), pool="w"), "arrivals": {"per_day": 30}}],
}


def sweep_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sweep = {"replications": 2, "parameters": {"pools.w.count": {"range": [2, 3]}}}
    return sweep_files(folder, sweep, HALL)


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    write_yaml(path, data)


# What each change edits, per command: (file, edit of its YAML), and the words the refusal uses.
CHANGES: dict[str, dict[str, Any]] = {
    "staffing": {
        "files": staffing_files,
        "kind": "different staffing optimisation",
        "scenario": ("hall.yaml", lambda d: d["matters"][0]["arrivals"].update(per_hour=19)),
        "reforms": (
            "hall.yaml",
            lambda d: d.update(reforms=[{"type": "scale_times", "factor": 0.9}]),
        ),
        "seed": ("opt.yaml", lambda d: d.update(seed=3)),
        "spec": ("opt.yaml", lambda d: d["replications"].update(max=7)),
    },
    "portfolio": {
        "files": portfolio_files,
        "kind": "different portfolio optimisation",
        "scenario": ("nonadditive_hall.yaml", lambda d: d["pools"]["front"].update(count=4)),
        "reforms": (
            "nonadditive_study.yaml",
            lambda d: d["variants"]["faster x"]["reforms"][0].update(factor=0.2),
        ),
        "seed": ("p.yaml", lambda d: d.update(seed=4)),
        "spec": ("p.yaml", lambda d: d["indifference"].update(lead_time_mean_days=0.02)),
    },
    "sweep": {
        "files": sweep_file,
        "kind": "different sweep",
        "scenario": ("hall.yaml", lambda d: d["matters"][0]["arrivals"].update(per_day=31)),
        "reforms": (
            "sweep.yaml",
            lambda d: d.update(reforms=[{"type": "scale_times", "factor": 0.9}]),
        ),
        "seed": ("sweep.yaml", lambda d: d.update(seed=2)),
        "spec": ("sweep.yaml", lambda d: d.update(replications=3)),
    },
}
WORDS = {
    "scenario": "the scenario",
    "reforms": "reforms",
    "seed": "the seed",
    "spec": "the spec file",
    "version": "simlib's version",
}


def _command(kind: str) -> str:
    return "sweep" if kind == "sweep" else "optimize"


def _run(kind: str, path: Path, out: Path, *extra: str) -> int:
    return main([_command(kind), str(path), "--out", str(out), "--quiet", *extra])


@pytest.mark.parametrize("part", ["scenario", "reforms", "seed", "spec", "version"])
@pytest.mark.parametrize("kind", ["staffing", "portfolio", "sweep"])
def test_resume_after_a_change_refuses_and_never_mixes(
    kind: str,
    part: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CHANGES[kind]
    path = case["files"](tmp_path / "q")
    out = tmp_path / "out"
    assert _run(kind, path, out) == 0
    stored = len(RunStore(out / "runs"))
    assert stored > 0
    if part == "version":
        monkeypatch.setattr(store_module, "__version__", "999.0")
    else:
        name, change = case[part]
        _edit(tmp_path / "q" / name, change)
    capsys.readouterr()
    assert _run(kind, path, out, "--resume") == 2
    err = capsys.readouterr().err
    assert case["kind"] in err and WORDS[part] in err and "Traceback" not in err, err
    assert len(RunStore(out / "runs")) == stored  # nothing added, nothing deleted


@pytest.mark.parametrize("kind", ["staffing", "portfolio", "sweep"])
def test_rerun_without_resume_refuses_and_keeps_the_runs(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CHANGES[kind]["files"](tmp_path / "q")
    out = tmp_path / "out"
    assert _run(kind, path, out) == 0
    stored = len(RunStore(out / "runs"))
    capsys.readouterr()
    assert _run(kind, path, out) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "already holds" in err and str(out) in err
    assert len(RunStore(out / "runs")) == stored


def _answer(kind: str, out: Path) -> Any:
    """What the command decided, read from its output folder."""
    if kind == "staffing":
        data = json.loads((out / "result.json").read_text())
        return data["best"]["decisions"], data["best"]["kpis"]["hall_wait_mean_min"]["mean"]
    if kind == "portfolio":
        data = json.loads((out / "portfolio.json").read_text())
        return data["best"]["decisions"], data["best"]["objective"]
    import pandas as pd

    runs = pd.read_parquet(out / "runs.parquet")
    return runs.drop(columns=["seconds"]).fillna(-1).to_dict("records")  # NaN != NaN


@pytest.mark.parametrize("kind", ["staffing", "portfolio", "sweep"])
def test_damaged_and_half_written_run_files_are_run_again_with_the_same_answer(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CHANGES[kind]["files"](tmp_path / "q")
    fresh, out = tmp_path / "fresh", tmp_path / "out"
    assert _run(kind, path, fresh) == 0
    assert _run(kind, path, out) == 0
    files = sorted((out / "runs").glob("*.json"))
    files[0].write_bytes(files[0].read_bytes()[:40])  # truncated (a disk that lost the end)
    files[1].write_bytes(b"")  # empty
    files[2].write_text(files[2].read_text()[:-10])  # half-written (copied without rename)
    (out / "runs" / ".deadbeef.0000.tmp").write_text('{"key": "dead')  # a kill mid-write
    capsys.readouterr()
    assert _run(kind, path, out, "--resume") == 0
    assert "3 damaged run file(s) moved to" in capsys.readouterr().err
    assert len(list((out / "runs" / "quarantine").iterdir())) == 3
    assert len(RunStore(out / "runs")) == len(RunStore(fresh / "runs"))
    assert _answer(kind, out) == _answer(kind, fresh)  # no gap, no replication twice


def _argv(kind: str, path: Path, out: Path) -> list[str]:
    options = ["--out", str(out), "--quiet", "--workers", "2"]
    return [sys.executable, "-m", "simlib.cli", _command(kind), str(path), *options]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("kind", ["staffing", "portfolio"])
def test_kill_9_then_resume_gives_the_answer_of_an_uninterrupted_run(
    kind: str, tmp_path: Path
) -> None:
    if kind == "staffing":
        # Runs long enough to be killed midway: its 9 runs end within 0.24 s of each other
        # at 120 days on a host that ends them within 0.07 s at 30 days (a race there).
        path = staffing_files(tmp_path / "q", days=120)
    else:
        path = portfolio_files(tmp_path / "q", days=30)  # 30 runs: within 0.1 s at 3 days
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        _argv(kind, path, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    store = RunStore(out / "runs")
    deadline = time.time() + 120
    while time.time() < deadline and len(store) < 6 and proc.poll() is None:
        time.sleep(0.005)  # a run ends every ~25 ms here: look more often than that
    assert proc.poll() is None, "the search ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = len(store)
    assert _run(kind, path, out, "--resume") == 0
    assert _run(kind, path, fresh) == 0
    assert 6 <= kept < len(RunStore(fresh / "runs")), "killed midway"
    assert _answer(kind, out) == _answer(kind, fresh)


def test_shared_cache_is_reused_across_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run`` then ``sweep`` over the same hall and seeds: the sweep's runs are read back."""
    monkeypatch.delenv(store_module.CACHE_ENV, raising=False)
    path = sweep_files(tmp_path, {"replications": 2, "parameters": {"pools.w.count": [2]}}, HALL)
    cache = tmp_path / "cache"
    run = ["run", str(tmp_path / "hall.yaml"), "--reps", "2", "--seed", "1", "--json"]
    assert main([*run, "--cache", str(cache)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert len(RunStore(cache)) == 2
    assert main([*run, "--cache", str(cache)]) == 0
    assert json.loads(capsys.readouterr().out) == first
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--cache", str(cache)]) == 0
    assert len(RunStore(cache)) == 2  # the sweep asked the same two runs: nothing new
    assert len(RunStore(out / "runs")) == 2  # and its own folder is complete
    assert store_module.CACHE_ENV not in os.environ  # --cache does not leak


def _write_same_key(folder: str, rounds: int) -> int:
    store = RunStore(folder)
    bad = 0
    for _ in range(rounds):
        store.put("k", {"x": 1.0, "error": None})
        bad += store.get("k") != {"x": 1.0, "error": None}
    return bad + len(store.quarantined)


def test_concurrent_writers_of_the_same_key_are_harmless(tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        bad = list(pool.map(_write_same_key, [str(tmp_path)] * 2, [200, 200]))
    assert bad == [0, 0]
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]  # no temporary file left


def test_compare_after_optimize_reuses_the_baseline_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hall already has the staffing the search settles on: ``compare`` on the same
    seed reads the baseline's runs back from the shared cache and simulates only the variant."""
    monkeypatch.delenv(store_module.CACHE_ENV, raising=False)
    spec = {**STAFFING, "replications": {"min": 3, "max": 3}}
    path = write_optimization(tmp_path, mmc_scenario(20, 10.0, 5, 2), spec)
    cache = tmp_path / "cache"
    assert main(["optimize", str(path), "--quiet", "--json", "--cache", str(cache)]) == 0
    chosen = json.loads(capsys.readouterr().out)["best"]["decisions"]["pools.clerk.count"]
    assert chosen == 5  # Erlang C: W(4) = 9.9, W(5) = 2.0 min
    before = len(RunStore(cache))
    study = {
        "study": "s",
        "baseline": "hall.yaml",
        "seed": STAFFING["seed"],
        "replications": 3,
        "variants": {"six": [{"type": "set_staff", "pools": {"clerk": 6}}]},
    }
    write_yaml(tmp_path / "study.yaml", study)
    assert main(["compare", str(tmp_path / "study.yaml"), "--quiet", "--cache", str(cache)]) == 0
    assert len(RunStore(cache)) == before + 3  # the variant's three runs, and no baseline run

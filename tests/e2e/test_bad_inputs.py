"""Every bad input gets exit status 2, a message that names where the problem is, no
traceback, and an answer in bounded time (issue #14: the probe's inputs, and more).

The cases live in ``tests/bad_inputs/``: one input file each under ``cases/`` and one
manifest entry each (command line and expected message fragments). They run in-process
through ``simlib.cli.main``, so the whole set costs seconds, not a Python start-up each.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from simlib.cli import main

HERE = Path(__file__).resolve().parents[1] / "bad_inputs"
CASES = HERE / "cases"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((HERE / "manifest.yaml").read_text())
SECONDS = 10.0  # the bound on a clean error, generous for a loaded CI machine


def _fill(text: str, entry: dict[str, Any], tmp: Path) -> str:
    return text.format(
        file=CASES / entry.get("file", "-"), base=CASES / "_base.yaml", cases=CASES, tmp=tmp
    )


def test_every_case_has_its_file_and_every_file_its_case() -> None:
    named = {e["file"] for e in MANIFEST if "file" in e}  # a file may serve two cases
    present = {p.name for p in CASES.iterdir() if not p.name.startswith("_")}
    assert named == present
    assert len({e["case"] for e in MANIFEST}) == len(MANIFEST) >= 140


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["case"] for e in MANIFEST])
def test_bad_input_is_a_clean_error(
    entry: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in entry.get("env", {}).items():
        monkeypatch.setenv(key, value)
    for path in entry.get("touch", []):
        Path(_fill(path, entry, tmp_path)).write_text("not a folder")
    for path, text in entry.get("write", {}).items():  # e.g. a truncated JSON file
        Path(_fill(path, entry, tmp_path)).write_text(text)
    argv = [_fill(a, entry, tmp_path) for a in entry["argv"]]
    started = time.perf_counter()
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse refuses options itself, with status 2
        status = exc.code
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert status == 2, f"exit {status}; stderr:\n{err}"
    assert "Traceback" not in err
    for fragment in entry["expect"]:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    if "file" in entry and entry["argv"][0] == "validate":
        assert entry["file"] in err  # the message names the file
    assert elapsed < SECONDS, f"{elapsed:.1f} s for a clean error"

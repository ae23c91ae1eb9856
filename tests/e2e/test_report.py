"""The proposal report opens correctly in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simlib import load_sweep
from simlib.cli import main
from simlib.experiment.compare import compare
from simlib.experiment.sweep import run_sweep
from simlib.outputs import write_comparison
from simlib.report import write_report
from simlib.scenario import scenario_from_dict
from tests.e2e.test_compare import SMALL, VARIANTS
from tests.e2e.test_sweep import GRID, _files

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e)), true);
console.error = (...a) => window.__errors.push(a.join(' '));
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.documentElement.setAttribute('data-images', ok + '/' + imgs.length);
  document.documentElement.setAttribute('data-errors', String(window.__errors.length));
});
</script>"""


def _open_in_chromium(report: Path, tmp_path: Path) -> tuple[str, str]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it from the distribution's packages")
        pytest.skip("chromium not installed (apt-get install chromium)")
    probe = tmp_path / "probe.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1), encoding="utf-8"
    )
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout, result.stderr


def _check(report: Path, tmp_path: Path, min_images: int) -> None:
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?https?://""", text), (
        "the report must not fetch anything"
    )
    dom, log = _open_in_chromium(report, tmp_path)
    images = re.search(r'data-images="(\d+)/(\d+)"', dom)
    errors = re.search(r'data-errors="(\d+)"', dom)
    assert images and errors, f"the page did not finish loading:\n{log[-2000:]}"
    loaded, total = map(int, images.groups())
    assert total >= min_images and loaded == total, f"{loaded} of {total} images loaded"
    assert errors.group(1) == "0"
    assert not [line for line in log.splitlines() if "CONSOLE" in line and "rror" in line]


def test_compare_report_opens_in_chromium(tmp_path: Path) -> None:
    result = compare(scenario_from_dict(SMALL), VARIANTS, reps=2, seed=4)
    write_comparison(result, tmp_path / "out", "small.yaml")
    report = write_report(tmp_path / "out")
    text = report.read_text(encoding="utf-8")
    for needed in (
        "small hall",
        "The reforms",
        "parallelize",
        "Method",
        "common random numbers",
        "simlib compare",
    ):
        assert needed in text
    _check(report, tmp_path, min_images=4)


def test_sweep_report_opens_in_chromium(tmp_path: Path) -> None:
    run_sweep(load_sweep(_files(tmp_path, GRID)), out=tmp_path / "sweep")
    assert main(["report", str(tmp_path / "sweep")]) == 0
    _check(tmp_path / "sweep" / "report.html", tmp_path, min_images=2)


def test_report_of_a_folder_that_is_not_an_output(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path)]) == 2

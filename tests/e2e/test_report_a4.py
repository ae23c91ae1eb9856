"""Every report kind fits A4 portrait: Chromium lays each report out at the printed page's
width (A4 less the margins, 182 mm = 688 CSS px) and no table may reach past the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simlib import load_sweep
from simlib.calibrate.hall import Calibration
from simlib.cli import main
from simlib.costs import VariantCost
from simlib.experiment.compare import compare
from simlib.experiment.sweep import run_sweep
from simlib.files import scenario_from_dict
from simlib.outputs import write_comparison
from simlib.report import write_report
from tests.e2e.test_compare import SMALL
from tests.e2e.test_sweep import GRID, _files
from tests.helpers import SERVICE_CENTRE
from tests.optimize_helpers import mmc_scenario, write_optimization

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
PAGE_PX = 688  # 182 mm at 96 CSS px per inch: A4's 210 mm less the 14 mm margins
PROBE = """<script>
window.addEventListener('load', () => {
  const edge = document.body.getBoundingClientRect().right + 1;
  const wide = [...document.querySelectorAll('table')]
    .filter(t => t.getBoundingClientRect().right > edge)
    .map(t => (t.querySelector('th') || t).textContent.trim().slice(0, 30));
  document.documentElement.setAttribute('data-tables', String(document.querySelectorAll('table').length));
  document.documentElement.setAttribute('data-wide', JSON.stringify(wide));
});
</script>"""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def wide_tables(report: Path, tmp_path: Path) -> tuple[int, list[str]]:
    """(tables in the report, headers of those wider than the printed page)."""
    import json

    probe = tmp_path / "probe.html"
    html = report.read_text(encoding="utf-8")
    probe.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    dom = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--window-size={PAGE_PX},1000",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    tables = re.search(r'data-tables="(\d+)"', dom)
    wide = re.search(r"data-wide=\"([^\"]*)\"", dom)
    assert tables and wide, "the page did not finish loading"
    return int(tables.group(1)), json.loads(wide.group(1).replace("&quot;", '"'))


def test_the_probe_finds_a_table_wider_than_the_page(tmp_path: Path) -> None:
    from simlib.report.html import page, table

    cells = [f"{i:,}.123456 [−0.123456, +0.123456]" for i in range(12)]
    (tmp_path / "wide.html").write_text(page("t", "", table(["x", *cells], [["y", *cells]])))
    assert wide_tables(tmp_path / "wide.html", tmp_path) == (1, ["x"])


def test_compare_report_fits_a4(tmp_path: Path) -> None:
    data = {
        **SMALL,
        "matters": [{**m, "name": f"Matter {m['id']} with a long name"} for m in SMALL["matters"]],
    }
    variants = {
        "parallel review": [{"type": "parallelize", "matter": "a", "steps": ["s1", "s2"]}],
        "one-time notification": [{"type": "one_time_notification", "complete_prob": 0.95}],
        "comprehensive windows": [{"type": "comprehensive_windows"}],
        "faster back office": [{"type": "scale_times", "factor": 0.8}],
        "compressed time limits": [{"type": "time_limit", "factor": 0.6}],
    }
    costs = {  # one-off, running and payback in the ranking and the money table
        "parallel review": VariantCost(cost=120_000),
        "one-time notification": VariantCost(30_000, -4.0, "given", -120.0),
        "faster back office": VariantCost(400_000, 16.0, "given", None),
    }
    result = compare(scenario_from_dict(data), variants, reps=2, seed=4, costs=costs)
    write_comparison(result, tmp_path / "out", "small.yaml")
    report = write_report(tmp_path / "out")
    n, wide = wide_tables(report, tmp_path)
    assert n >= 6 and wide == []
    pdf = (tmp_path / "out" / "report.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert pdf.startswith(b"%PDF") and boxes  # printed on A4 (595 x 842 points)
    assert all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)


def test_sweep_report_fits_a4(tmp_path: Path) -> None:
    run_sweep(load_sweep(_files(tmp_path, GRID)), out=tmp_path / "sweep")
    report = write_report(tmp_path / "sweep", pdf=False)
    assert wide_tables(report, tmp_path)[1] == []


def test_portfolio_report_fits_a4(tmp_path: Path) -> None:
    spec = ROOT / "scenarios" / "portfolio_nonadditive.yaml"
    assert main(["optimize", str(spec), "--out", str(tmp_path / "pf"), "--quiet"]) == 0
    report = write_report(tmp_path / "pf", pdf=False)
    assert wide_tables(report, tmp_path)[1] == []
    page = report.read_text(encoding="utf-8")
    for part in ("Executive summary", "Question.", "Answer.", "Method", "simlib optimize"):
        assert part in page, part


@SERVICE_CENTRE
def test_calibration_report_fits_a4(tmp_path: Path, service_centre_fit: Calibration) -> None:
    from simlib.calibrate.report import write_fit_report

    report = write_fit_report(service_centre_fit, None, tmp_path / "cal")
    assert wide_tables(report, tmp_path)[1] == []


def test_staffing_report_fits_a4(tmp_path: Path) -> None:
    spec = write_optimization(
        tmp_path,
        mmc_scenario(20, 10.0, 9, 3),
        {
            "optimize": "M/M/c",
            "seed": 2,
            "replications": {"min": 3, "max": 6},
            "decisions": {"pools.clerk.count": {"range": [1, 20]}},
            "requirements": [{"kpi": "hall_wait_mean_min", "max": 5.0}],
        },
    )
    assert main(["optimize", str(spec), "--out", str(tmp_path / "staff"), "--quiet"]) == 0
    report = write_report(tmp_path / "staff", pdf=False)
    tables, wide = wide_tables(report, tmp_path)
    assert tables >= 2 and wide == []
    text = report.read_text(encoding="utf-8")
    assert "09:00–10:00" in text and "hall_wait_mean_min[" not in text

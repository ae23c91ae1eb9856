"""The proposal report opens correctly in a real browser (headless Chromium)."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simlib import load_sweep
from simlib.cli import main
from simlib.costs import VariantCost
from simlib.experiment.compare import compare
from simlib.experiment.sweep import run_sweep
from simlib.files import scenario_from_dict
from simlib.outputs import write_comparison
from simlib.report import write_report
from tests.e2e.test_compare import SMALL, VARIANTS, _study
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


_NUMBER = re.compile(r"[−+-]?\d[\d,]*(?:\.\d+)?")
_E_NOTATION = re.compile(r"\d[eE][+-−]?\d")


def _visible_text(html: str) -> str:
    """The page's text without tags and embedded images."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'src="data:[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


def _check(report: Path, tmp_path: Path, min_images: int, pdf: bool = True) -> None:
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?https?://""", text), (
        "the report must not fetch anything"
    )
    visible = _visible_text(text)
    assert not _E_NOTATION.search(visible), _E_NOTATION.search(visible)
    dom, log = _open_in_chromium(report, tmp_path)
    images = re.search(r'data-images="(\d+)/(\d+)"', dom)
    errors = re.search(r'data-errors="(\d+)"', dom)
    assert images and errors, f"the page did not finish loading:\n{log[-2000:]}"
    loaded, total = map(int, images.groups())
    assert total >= min_images and loaded == total, f"{loaded} of {total} images loaded"
    assert errors.group(1) == "0"
    assert not [line for line in log.splitlines() if "CONSOLE" in line and "rror" in line]
    if pdf:
        data = (report.parent / "report.pdf").read_bytes()
        assert data.startswith(b"%PDF")
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
        assert boxes, "the PDF has pages"
        for w, h in boxes:  # A4 is 595 x 842 points
            assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)


def _summary_numbers_in_tables(text: str) -> None:
    """Every number with a unit in the summary's answer is found again in a results table."""
    answer = re.search(r"<b>Answer.</b>(.*?)</p>", text, re.S).group(1)
    results = text[text.index("<h2>Each reform alone") :]
    tables = " ".join(_visible_text(t) for t in re.findall(r"<table>.*?</table>", results, re.S))
    found = set(_NUMBER.findall(tables))
    claims = re.findall(r"([−+-]?\d[\d,]*(?:\.\d+)?)\s?(?:%|pp|min|working days|visits)", answer)
    assert claims, answer
    missing = [c for c in claims if c not in found and c.lstrip("+") not in found]
    assert not missing, f"summary numbers not in the tables: {missing}"


def test_compare_report_opens_in_chromium(tmp_path: Path) -> None:
    result = compare(scenario_from_dict(SMALL), VARIANTS, reps=3, seed=4)
    write_comparison(result, tmp_path / "out", "small.yaml", command="simlib compare small.yaml")
    report = write_report(tmp_path / "out")
    text = report.read_text(encoding="utf-8")
    for needed in (
        "small hall",
        "Executive summary",
        "Question.",
        "Answer.",
        "material",
        "The reforms",
        "parallelize (matter a, steps s1, s2)",
        "Stacked",
        "Method",
        "common random numbers",
        "simlib compare",
        "Assumptions",
    ):
        assert needed in text, needed
    assert "{'" not in text and "pairs=" not in text, "parameters as text, not Python reprs"
    _summary_numbers_in_tables(text)
    _check(report, tmp_path, min_images=4)


def test_report_has_per_matter_tables_when_the_comparison_has_them(tmp_path: Path) -> None:
    """Issue 9 adds "<kpi>[matter=<id>]" columns to the runs: the report shows them."""
    result = compare(scenario_from_dict(SMALL), VARIANTS, reps=3, seed=4, stack=[])
    runs = result.runs
    rng = np.random.default_rng(0)
    for matter, factor in (("a", 1.3), ("b", 0.6)):
        for kpi in ("lead_time_mean_days", "hall_wait_mean_min"):
            noise = rng.normal(1, 0.01, len(runs))
            runs[f"{kpi}[matter={matter}]"] = runs[kpi] * factor * noise
    # a matter effect only under "notify": its matter-a lead time drops by 30 %
    mine = runs["variant"] == "notify"
    runs.loc[mine, "lead_time_mean_days[matter=a]"] *= 0.7
    write_comparison(result, tmp_path / "out")
    text = write_report(tmp_path / "out", pdf=False).read_text(encoding="utf-8")
    part = text[text.index("<h2>Per matter") : text.index("<h2>Charts")]
    assert "<h3>a</h3>" in part and "<h3>b</h3>" in part, "a table per matter"
    table_a = part[part.index("<h3>a</h3>") :]
    table_a = table_a[: table_a.index("</table>")]
    assert "Mean lead time to decision" in table_a and "Mean wait in the hall" in table_a
    assert "notify" in table_a and "parallel" in table_a, "every reform touching a"
    assert "class=better" in table_a, "the material per-matter improvement is marked"
    summary = text[text.index("Executive summary") : text.index("<h2>Each reform")]
    assert "a: lead time" in summary, "per-matter effects that matter are in the Answer"


def test_costs_are_put_on_one_yardstick(tmp_path: Path) -> None:
    costs = {"parallel": VariantCost(cost=50_000), "notify": VariantCost(cost=1_000)}
    result = compare(scenario_from_dict(SMALL), VARIANTS, reps=3, seed=4, stack=[], costs=costs)
    write_comparison(result, tmp_path / "out")
    text = write_report(tmp_path / "out", pdf=False).read_text(encoding="utf-8")
    assert "one-off" in text and "cost per applicant-hour saved" in text
    assert "% per 100,000" not in text, "no percentages of different KPIs divided by cost"
    money = text[text.index("Money on one yardstick") :]
    row = re.search(r"<td class=l>notify</td>(.*?)</tr>", money).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # notify saves lead time: 1,000 per case-day saved, with a range; or no figure
    assert (
        cells[0] == "1,000; 0"
        and cells[1] == "—"
        and re.match(r"[\d,.]+ \[[\d,.]+, [\d,.]+\]", cells[5])
    ), cells
    assert all(c == "no saving shown" or c[0].isdigit() for c in (cells[3], cells[5]))


def test_the_reproduce_command_reproduces_the_tables(tmp_path: Path) -> None:
    study = _study(
        tmp_path,
        "study: small\nbaseline: hall.yaml\nreplications: 5\nseed: 3\nvariants:\n"
        "  parallel: [{type: parallelize, matter: a, steps: [s1, s2]}]\n"
        "  notify: [{type: one_time_notification, complete_prob: 0.95}]\n",
    )
    first = tmp_path / "first"
    argv = ["compare", str(study), "--reps", "2", "--days", "8", "--warmup", "1"]
    assert main([*argv, "--material", "10%", "--out", str(first), "--quiet"]) == 0
    assert main(["report", str(first), "--no-pdf"]) == 0
    report = (first / "report.html").read_text(encoding="utf-8")
    command = json.loads((first / "study.json").read_text())["command"]
    assert command in html.unescape(report), "the report prints the command"
    words = shlex.split(command)
    assert words[:2] == ["simlib", "compare"]
    again = tmp_path / "again"
    words[words.index("--out") + 1] = str(again)
    assert main([*words[1:], "--quiet"]) == 0
    for name in ("comparison.csv", "stacked.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(first / name), pd.read_csv(again / name))
    meta = json.loads((again / "study.json").read_text())
    assert meta["horizon_days"] == 8 and meta["warmup_days"] == 1 and meta["material"] == "10%"


def test_sweep_report_opens_in_chromium(tmp_path: Path) -> None:
    run_sweep(load_sweep(_files(tmp_path, GRID)), out=tmp_path / "sweep")
    assert main(["report", str(tmp_path / "sweep")]) == 0
    _check(tmp_path / "sweep" / "report.html", tmp_path, min_images=2)


def test_report_of_a_folder_that_is_not_an_output(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path)]) == 2


def test_a_reform_saving_officer_hours_shows_its_payback(tmp_path: Path) -> None:
    """Hand-computed: 4 officer-hours a working day saved at 30 an hour is 120 a day, 30,000
    a year (250 working days); a one-off cost of 45,000 pays back in 45,000 / 30,000 = 1.5
    years. The study file marks that cost [illustrative]; the other reform's cost is quoted."""
    import yaml

    hall = {**SMALL, "pools": {k: {**p, "cost_per_hour": 30} for k, p in SMALL["pools"].items()}}
    (tmp_path / "hall.yaml").write_text(yaml.safe_dump(hall))
    (tmp_path / "study.yaml").write_text(
        "study: payback\nbaseline: hall.yaml\nreplications: 2\nseed: 3\nvariants:\n"
        "  notify:\n"
        "    cost: 45000  # [illustrative] one-off\n"
        "    officer_hours: -4\n"
        "    reforms: [{type: one_time_notification, complete_prob: 0.95}]\n"
        "  parallel:\n"
        "    cost: 20000  # [source: the vendor's quote]\n"
        "    reforms: [{type: parallelize, matter: a, steps: [s1, s2]}]\n"
    )
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "study.yaml"), "--out", str(out), "--quiet"]) == 0
    text = write_report(out, pdf=False).read_text(encoding="utf-8")
    ranked = text[text.index("cost (payback)") : text.index("Money on one yardstick")]
    notify = re.search(r"<b>notify</b>.*?</tr>", ranked, re.S).group(0)
    assert "45,000 one-off; running −30,000 a year" in notify
    assert "pays back in 1.5 years" in notify and "[illustrative]" in notify
    parallel = re.search(r"<b>parallel</b>.*?</tr>", ranked, re.S).group(0)
    assert "20,000 one-off" in parallel
    assert "pays back" not in parallel and "[illustrative]" not in parallel
    money = text[text.index("Money on one yardstick") :]
    row = re.search(r"<td class=l>notify</td>(.*?)</tr>", money).group(1)
    assert "45,000; −30,000" in row and "1.5 years" in row and "[illustrative]" in row

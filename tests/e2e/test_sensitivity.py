"""``simlib compare --sensitivity``: assumed behaviour swept on common random numbers, a
break-even per cost and a tornado chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simlib.cli import main
from simlib.experiment.sensitivity import Curve, _break_even
from tests.e2e.test_compare import _study


def test_break_even_is_where_cost_per_hour_meets_the_rival() -> None:
    # saving rises linearly 0 -> 1,000 hours over complete_prob 0.7 -> 1.0; cost 30,000;
    # the rival pays 60 per hour, so the reform matches it at 500 hours: complete_prob 0.85
    curve = Curve(
        "notify",
        "one_time_notification",
        "complete_prob",
        0.9,
        [0.7, 0.8, 0.9, 1.0],
        [(0.0, 0, 0), (333.3, 0, 0), (666.7, 0, 0), (1000.0, 0, 0)],
        cost=30_000,
        rival="online",
        rival_ratio=60.0,
    )
    assert _break_even(curve) == pytest.approx(0.85, abs=1e-3)
    curve.break_even = _break_even(curve)
    assert "stays better per cost than online" in curve.text() and "at least 0.85" in curve.text()
    assert Curve.from_json(json.loads(json.dumps(curve.to_json()))).text() == curve.text()


def test_compare_sensitivity_writes_break_even_and_tornado(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(
        tmp_path,
        "study: small\nbaseline: hall.yaml\nreplications: 3\nseed: 3\nvariants:\n"
        "  notify: {cost: 30000, reforms: [{type: one_time_notification, complete_prob: 0.9}]}\n"
        "  staff: {cost: 500000, reforms: [{type: set_staff, pools: {wa: 4}}]}\n",
    )
    out = tmp_path / "out"
    argv = ["compare", str(study), "--out", str(out), "--quiet", "--sensitivity"]
    assert main([*argv, "--days", "8", "--warmup", "1"]) == 0
    assert "Sensitivity of assumed behaviour" in capsys.readouterr().out
    curves = json.loads((out / "study.json").read_text())["sensitivity"]
    (notify,) = curves
    assert notify["parameter"] == "complete_prob" and notify["assumed"] == 0.9
    saved = [s[0] for s in notify["applicant_hours_saved_per_year"]]
    # fewer returns for missing papers save applicants' hours: more at 1.0 than at 0.7
    assert saved[-1] > saved[0]
    assert (out / "tornado.png").stat().st_size > 5_000
    assert main(["report", str(out), "--no-pdf"]) == 0
    page = (out / "report.html").read_text()
    assert "How the answer depends on assumed behaviour" in page and "complete_prob" in page

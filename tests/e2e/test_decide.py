"""``simlib compare --decide`` and the verdicts in ``study.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simlib.cli import main
from simlib.experiment.compare import compare
from simlib.experiment.decide import decide
from simlib.files import scenario_from_dict
from simlib.outputs import comparison_verdicts
from tests.e2e.test_compare import SMALL, _study


def test_decide_adds_replications_only_where_a_verdict_is_open() -> None:
    variants = {
        # a big, sure effect: decided at 2 replications
        "notify": [{"type": "one_time_notification", "complete_prob": 0.95}],
        # documents complete a little more often: inconclusive at 2 replications
        "a bit complete": [{"type": "set", "path": "matters[a].complete_prob", "value": 0.72}],
    }
    result = compare(scenario_from_dict(SMALL), variants, reps=2, seed=4, stack=[])
    before = comparison_verdicts(result)
    assert before["notify"].verdict in ("better", "mixed")
    assert before["a bit complete"].verdict == "inconclusive", before["a bit complete"]
    decided = decide(result, comparison_verdicts, max_reps=6)
    runs = decided.runs
    per_arm = runs.groupby(["kind", "variant"])["replication"].nunique().to_dict()
    assert per_arm[("alone", "notify")] == 2  # decided: no more runs
    assert per_arm[("baseline", "baseline")] == per_arm[("alone", "a bit complete")] > 2
    run = decided.meta["decide"]
    assert run.rounds[0]["replications"] == 2 and run.rounds[0]["open"] == ["a bit complete"]
    assert run.rounds[0]["verdicts"]["a bit complete"] == "inconclusive"
    after = comparison_verdicts(decided)
    assert run.still_open == [v for v, x in after.items() if x.verdict == "inconclusive"]
    assert ("STILL OPEN" in run.text()) == bool(run.still_open)
    # pairs stay pairs: notify is still compared on its 2 replications
    table = decided.table()
    assert set(table.loc[table["variant"] == "notify", "n"]) <= {0, 2}


def test_study_json_has_verdicts_and_decide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(
        tmp_path,
        "study: small\nbaseline: hall.yaml\nreplications: 2\nseed: 3\nvariants:\n"
        "  parallel: [{type: parallelize, matter: a, steps: [s1, s2]}]\n",
    )
    out = tmp_path / "out"
    argv = ["compare", str(study), "--out", str(out), "--quiet", "--decide", "--max-reps", "4"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Verdicts" in text and "--decide" in text
    meta = json.loads((out / "study.json").read_text())
    v = meta["verdicts"]["parallel"]
    assert v["verdict"] in {"better", "worse", "mixed", "no_material_change", "inconclusive"}
    for item in v["helps"] + v["harms"] + v["unknown"]:
        assert {"kpi", "matter", "change", "ci"} <= set(item)
        assert item["matter"] in (None, "a", "b")
    assert meta["decide"]["max_reps"] == 4
    assert "--decide --max-reps 4" in meta["command"]


def test_every_warning_of_the_study_reaches_study_json_and_the_report(tmp_path: Path) -> None:
    from simlib.outputs import write_comparison
    from simlib.report import write_report

    result = compare(scenario_from_dict(SMALL), {"n": [{"type": "mail_delivery"}]}, reps=2, seed=4)
    # MSER-5 asked for 9 days of warm-up in every baseline run; the scenario discards 2
    result.runs.loc[result.runs["kind"] == "baseline", "warmup_mser5_days"] = 9.0
    write_comparison(result, tmp_path / "out")
    warnings = json.loads((tmp_path / "out" / "study.json").read_text())["warnings"]
    assert any("warm-up may be too short" in w.lower() for w in warnings), warnings
    page = write_report(tmp_path / "out", pdf=False).read_text(encoding="utf-8")
    first = page[: page.index("<h2>Each reform alone")]
    assert "Warnings about these results" in first and "Warm-up may be too short" in first

"""Comparisons, study files and `simlib compare` as a planner uses them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simlib import load_study
from simlib import reforms as R
from simlib.cli import main
from simlib.experiment.compare import compare
from simlib.files import scenario_from_dict
from simlib.scenario import ScenarioError

SMALL = {
    "name": "small hall",
    "horizon": {"days": 10, "warmup_days": 2},
    "pools": {"wa": {"count": 2}, "wb": {"count": 2}, "r1": {"count": 2}, "r2": {"count": 2}},
    "matters": [
        {
            "id": "a",
            "arrivals": {"per_day": 40},
            "complete_prob": 0.7,
            "acceptance": {"pool": "wa", "time": {"dist": "exponential", "mean": 10}},
            "chain": [
                {"id": "s1", "pool": "r1", "time": {"dist": "exponential", "mean": 20}},
                {"id": "s2", "pool": "r2", "time": {"dist": "exponential", "mean": 20}},
            ],
            "handoff_days": 0.5,
            "collection": "in_person",
            "time_limit_days": 3,
        },
        {
            "id": "b",
            "arrivals": {"per_day": 30},
            "acceptance": {"pool": "wb", "time": {"dist": "exponential", "mean": 12}},
        },
    ],
}
VARIANTS = {
    "parallel": [R.parallelize(matter="a", steps=["s1", "s2"])],
    "notify": [{"type": "one_time_notification", "complete_prob": 0.95}],
}


def test_compare_table_and_stack() -> None:
    result = compare(scenario_from_dict(SMALL), VARIANTS, reps=3, seed=4)
    table = result.table()
    assert set(table["variant"]) == {"parallel", "notify"}
    assert {
        "baseline_mean",
        "variant_mean",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "rel_change",
        "significant",
    } <= set(table.columns)
    lead = table[(table["variant"] == "parallel") & (table["kpi"] == "lead_time_mean_days")].iloc[0]
    assert lead["diff"] < 0 and lead["significant"]
    stacked = result.stacked()
    assert list(stacked["variant"].unique()) == ["parallel", "notify"]
    last = stacked[(stacked["stage"] == 2) & (stacked["kpi"] == "visits_per_case")].iloc[0]
    # the contributions add up to the total change of the package
    contributions = stacked[stacked["kpi"] == "visits_per_case"]["contribution"].sum()
    assert contributions == pytest.approx(last["cumulative"])
    # the first stacked stage is the same scenario as that reform alone: same numbers
    alone = result.runs[(result.runs["kind"] == "alone") & (result.runs["variant"] == "parallel")]
    stage1 = result.runs[(result.runs["kind"] == "stacked") & (result.runs["stage"] == 1)]
    assert alone["lead_time_mean_days"].tolist() == stage1["lead_time_mean_days"].tolist()


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    base = scenario_from_dict(SMALL)
    one = compare(base, VARIANTS, reps=2, seed=4, stack=[]).runs.drop(columns="seconds")
    two = compare(base, VARIANTS, reps=2, seed=4, stack=[], executor=2).runs.drop(columns="seconds")
    pd.testing.assert_frame_equal(one, two)


def _study(tmp_path: Path, body: str) -> Path:
    import yaml

    (tmp_path / "hall.yaml").write_text(yaml.safe_dump(SMALL))
    path = tmp_path / "study.yaml"
    path.write_text(body)
    return path


def test_compare_cli_writes_tables_and_charts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(
        tmp_path,
        "study: small\nbaseline: hall.yaml\nreplications: 2\nseed: 3\nvariants:\n"
        "  parallel: [{type: parallelize, matter: a, steps: [s1, s2]}]\n"
        "  windows: [{type: comprehensive_windows}]\n",
    )
    out = tmp_path / "out"
    assert main(["compare", str(study), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Mean lead time to decision" in text and "parallel" in text and "Stacked" in text
    names = {p.name for p in out.iterdir()}
    for stem in ("comparison", "stacked", "runs"):
        assert {f"{stem}.csv", f"{stem}.parquet"} <= names
    for chart in (
        "kpi_comparison",
        "waterfall_lead_time",
        "waterfall_hall_wait",
        "visits_per_case",
    ):
        assert {f"{chart}.png", f"{chart}.svg"} <= names
        assert (out / f"{chart}.png").stat().st_size > 10_000
    assert pd.read_parquet(out / "comparison.parquet").shape[0] > 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            "study: s\nbaseline: hall.yaml\nvariants:\n  x: [{type: parallelize, matter: zz, steps: [s1, s2]}]\n",
            "variants.x[0]",
        ),
        (
            "study: s\nbaseline: hall.yaml\nvariants:\n  x: [{type: warp}]\n",
            "unknown reform type 'warp'",
        ),
        ("study: s\nbaseline: hall.yaml\nvariants:\n  x: []\nstack: [y]\n", "not a variant"),
        ("study: s\nbaseline: nowhere.yaml\nvariants:\n  x: []\n", "is not found"),
        ("study: s\nbaseline: hall.yaml\nreplications: 0\nvariants:\n  x: []\n", "replications"),
    ],
)
def test_bad_study_files(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_study(_study(tmp_path, body))
    assert fragment in str(info.value)


def test_run_with_reform_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import yaml

    (tmp_path / "hall.yaml").write_text(yaml.safe_dump(SMALL))
    (tmp_path / "r.yaml").write_text("- {type: set_staff, pools: {wa: 3}}\n")
    assert (
        main(
            [
                "run",
                str(tmp_path / "hall.yaml"),
                "--reps",
                "1",
                "--json",
                "--reform",
                str(tmp_path / "r.yaml"),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["replications"] == 1
    (tmp_path / "bad.yaml").write_text("- {type: set_staff, pools: {nope: 3}}\n")
    assert main(["run", str(tmp_path / "hall.yaml"), "--reform", str(tmp_path / "bad.yaml")]) == 2
    assert "unknown pool 'nope'" in capsys.readouterr().err


def test_green_approval_study_validates() -> None:
    study = load_study(Path(__file__).resolve().parents[2] / "scenarios" / "green_approval.yaml")
    assert len(study.variants) == 12 and study.stack == list(study.variants)


def test_wrong_kind_of_file_is_named(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios"
    with pytest.raises(ScenarioError, match="this is a scenario file"):
        load_study(root / "mm10.yaml")
    from simlib import load_sweep

    with pytest.raises(ScenarioError, match="this is a study file"):
        load_sweep(root / "green_approval.yaml")

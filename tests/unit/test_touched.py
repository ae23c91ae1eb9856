"""Which matters a reform touches, and comparison tables that lead with them."""

from __future__ import annotations

import pandas as pd

from simlib import reforms as R
from simlib.experiment.touched import ordered_table, touched_matters
from simlib.files import scenario_from_dict
from tests.unit.test_reform_contract import CONTRACT


def test_touched_matters_follow_matters_pools_and_hall() -> None:
    base = scenario_from_dict(CONTRACT)  # x: pools w, a, b, c; y: pool v
    assert touched_matters(base, base) == []
    assert touched_matters(base, R.ab_staffing(pairs={"b": "a"})(base)) == ["x"]
    assert touched_matters(base, R.set_staff(pools={"v": 3})(base)) == ["y"]
    assert touched_matters(base, R.online(share=0.3, matters=["y"])(base)) == ["y"]
    assert touched_matters(base, R.electronic_transfer()(base)) == ["x"]  # y has no hand-offs
    assert touched_matters(base, R.comprehensive_windows()(base)) == ["x", "y"]


def test_ordered_table_leads_with_the_touched_matters() -> None:
    kpis = [
        "lead_time_mean_days",
        "utilization[a]",
        "lead_time_mean_days[matter=y]",
        "lead_time_mean_days[matter=x]",
        "hall_wait_mean_min[hour=09]",
    ]
    table = pd.DataFrame(
        [{"variant": v, "kpi": k, "diff": 0.0} for v in ("one", "two") for k in kpis]
    )
    out = ordered_table(table, {"one": ["x"], "two": []})
    one = out[out["variant"] == "one"]
    assert list(one["kpi"]) == [
        "lead_time_mean_days[matter=x]",
        "lead_time_mean_days",
        "lead_time_mean_days[matter=y]",
        "utilization[a]",
        "hall_wait_mean_min[hour=09]",
    ]
    assert list(one["touched"]) == [True, False, False, False, False]
    assert list(out["variant"]) == ["one"] * 5 + ["two"] * 5
    assert set(out.loc[out["matter"].notna(), "matter"]) == {"x", "y"}

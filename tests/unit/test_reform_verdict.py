"""A verdict per reform from every matter and KPI: the rules, and a small study."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simlib.experiment.compare import compare
from simlib.files import scenario_from_dict
from simlib.reform_verdict import judge, reform_verdict, replications_to_decide
from simlib.verdict import Material


def _rows(*items: tuple[str, float, float, float, float]) -> pd.DataFrame:
    """(kpi column, baseline, diff, low, high) rows of a comparison table, 5 replications."""
    return pd.DataFrame(
        [
            {"kpi": k, "baseline_mean": b, "diff": d, "diff_ci_low": lo, "diff_ci_high": hi, "n": 5}
            for k, b, d, lo, hi in items
        ]
    )


def test_a_ci_crossing_the_material_threshold_is_never_no_material_change() -> None:
    # lead time 2.0 days, material 5 % = 0.1 day
    assert judge("lead_time_mean_days", -0.02, -0.05, 0.01, 0.1) == "none"
    assert judge("lead_time_mean_days", -0.10, -0.22, 0.02, 0.1) == "unknown"  # the case
    assert judge("lead_time_mean_days", -0.02, -0.11, 0.07, 0.1) == "unknown"  # reaches −0.11
    assert judge("lead_time_mean_days", 0.02, -0.05, 0.12, 0.1) == "unknown"
    # significant but smaller than material, yet the CI reaches a material change
    assert judge("lead_time_mean_days", -0.06, -0.11, -0.01, 0.1) == "unknown"
    assert judge("lead_time_mean_days", -0.5, -0.7, -0.3, 0.1) == "helps"
    assert judge("on_time_rate", -0.1, -0.12, -0.08, 0.04) == "harms"
    assert judge("lead_time_mean_days", -0.5, math.nan, math.nan, 0.1) == "unknown"  # 1 run
    v = reform_verdict("cut", _rows(("lead_time_mean_days", 2.0, -0.10, -0.22, 0.02)))
    assert v.verdict == "inconclusive" and len(v.unknown) == 1 and v.to_decide is not None


def test_better_worse_mixed_and_no_material_change() -> None:
    helps = ("lead_time_mean_days[matter=permit]", 7.0, -1.0, -1.2, -0.7)
    harms = ("hall_wait_mean_min[matter=permit]", 4.0, 11.0, 9.0, 13.0)
    flat = ("lead_time_mean_days", 3.0, -0.01, -0.03, 0.01)
    wide = ("hall_wait_mean_min", 20.0, -0.6, -3.0, 1.7)
    v = reform_verdict("parallel", _rows(helps, flat, wide), touched=["permit"])
    assert v.verdict == "better"
    assert [(c.kpi, c.matter) for c in v.helps] == [("lead_time_mean_days", "permit")]
    assert v.helps[0].ci == (-1.2, -0.7) and not v.harms and len(v.unknown) == 1
    assert reform_verdict("w", _rows(helps, harms, flat), touched=["permit"]).verdict == "mixed"
    assert reform_verdict("w", _rows(harms, flat), touched=["permit"]).verdict == "worse"
    assert reform_verdict("n", _rows(flat)).verdict == "no_material_change"
    # a matter the reform does not touch is not judged (its change is common-random noise)
    assert reform_verdict("u", _rows(helps, flat), touched=[]).verdict == "no_material_change"
    # an on-time rate under changed time limits is on another yardstick: not judged
    on_time = ("on_time_rate", 0.8, -0.2, -0.25, -0.15)
    assert reform_verdict("t", _rows(on_time, flat), yardstick=True).verdict == (
        "no_material_change"
    )
    assert reform_verdict("t", _rows(on_time, flat)).verdict == "worse"


def test_replications_to_decide_follow_the_half_width() -> None:
    # half-width 0.12 at 5 replications; the change −0.10 is material (0.1): to exclude zero
    # the half-width must fall below 0.10, i.e. (0.12/0.10)^2 more precision, with the t fix
    n = replications_to_decide(-0.10, -0.22, 0.02, 0.1, 5)
    assert n is not None and 5 < n <= 8
    # a small change: the CI must shrink inside ±0.1, half-width 0.09 -> below 0.08
    m = replications_to_decide(-0.02, -0.11, 0.07, 0.1, 5)
    assert m is not None and 5 < m < 12
    assert replications_to_decide(-0.1, -0.2, 0.0, 0.1, 1) is None
    # a change exactly at the threshold cannot be decided by replications
    assert replications_to_decide(-0.1, -0.3, 0.1, 0.1, 5) == replications_to_decide(
        -0.1, -0.3, 0.1, 0.1, 5
    )


SMALL_MATTER = {
    "name": "a big matter and a small one",
    "horizon": {"days": 12, "warmup_days": 2, "drain_days": 30},
    "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "hours": ["09:00-17:00"]},
    "pools": {
        "front": {"count": 6},
        "desk": {"count": 1},
        "r1": {"count": 1},
        "r2": {"count": 1},
        "big_back": {"count": 8},
    },
    "matters": [
        {
            "id": "big",
            "name": "Big matter",
            "arrivals": {"per_day": 150},
            "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 12}},
            "chain": [
                {"id": "check", "pool": "big_back", "time": {"dist": "exponential", "mean": 20}}
            ],
            "handoff_days": 2,
        },
        {
            "id": "small",
            "name": "Small permit",
            "arrivals": {"per_day": 4},
            "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 10}},
            "chain": [
                {"id": "s1", "pool": "r1", "time": {"dist": "constant", "value": 240}},
                {"id": "s2", "pool": "r2", "time": {"dist": "constant", "value": 240}},
            ],
        },
    ],
}


def test_a_reform_helping_one_small_matter_only_is_better() -> None:
    result = compare(
        scenario_from_dict(SMALL_MATTER),
        {"parallel": [{"type": "parallelize", "matter": "small", "steps": ["s1", "s2"]}]},
        reps=3,
        seed=2,
        stack=[],
    )
    table = result.table()
    pooled = table[table["kpi"] == "lead_time_mean_days"].iloc[0]
    # the pooled lead time barely moves: the pooled view alone would say "no difference"
    assert abs(pooled["diff"]) < Material().threshold(
        "lead_time_mean_days", pooled["baseline_mean"]
    )
    v = reform_verdict("parallel", table, touched=["small"])
    assert v.verdict == "better", v
    assert ("lead_time_mean_days", "small") in [(c.kpi, c.matter) for c in v.helps]
    assert not v.harms


@pytest.mark.parametrize("verdict", ["better", "mixed", "inconclusive"])
def test_verdict_names_are_the_contract(verdict: str) -> None:
    from simlib.reform_verdict import VERDICTS

    assert verdict in VERDICTS and set(VERDICTS) == {
        "better",
        "worse",
        "mixed",
        "no_material_change",
        "inconclusive",
    }


def test_a_share_near_zero_has_a_floor_of_half_a_percentage_point() -> None:
    assert Material().threshold("abandon_rate", 0.002) == pytest.approx(0.005)
    assert Material().threshold("on_time_rate", 0.8) == pytest.approx(0.04)
    assert Material().threshold("hall_wait_mean_min", 0.0) == 0.0

"""Overload tells the truth: open backlog reported, utilisation <= 1, unstable runs flagged."""

from __future__ import annotations

from typing import Any

import pytest

from simlib.engine import simulate
from simlib.experiment import replicate
from simlib.files import scenario_from_dict
from simlib.metrics import kpis
from simlib.outputs import kpi_table


def _hall(days: int, back_mean: float, **extra: Any) -> Any:
    pools = extra.pop("pools", {"front": {"count": 2}, "back": {"count": 1}})
    return scenario_from_dict(
        {
            "name": "overload",
            "horizon": {"days": days, "warmup_days": 3, "drain_days": 20},
            "pools": pools,
            "matters": [
                {
                    "id": "m",
                    "arrivals": {"per_day": 40},
                    "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 8}},
                    "chain": [
                        {
                            "id": "r",
                            "pool": "back",
                            "time": {"dist": "exponential", "mean": back_mean},
                        }
                    ],
                }
            ],
            **extra,
        }
    )


def test_an_overloaded_back_office_reports_its_growing_backlog_and_is_flagged() -> None:
    # 40 cases a day x 15 min = 600 min of review for one officer's 420: overloaded.
    short, long = (kpis(simulate(_hall(d, 15.0), 1, detail="kpi")) for d in (15, 30))
    for values in (short, long):
        assert values["unstable"] == 1
        assert values["utilization"]["back"] <= 1 + 1e-12
    assert long["backlog_cases"] > 1.5 * short["backlog_cases"] > 0  # still growing
    assert long["lead_time_mean_days"] > 1.5 * short["lead_time_mean_days"]
    # The stable hall (5 min of review) is not flagged and has little open at the end.
    stable = kpis(simulate(_hall(15, 5.0), 1, detail="kpi"))
    assert stable["unstable"] == 0 and stable["undecided_rate"] == 0
    assert stable["backlog_cases"] < 0.2 * short["backlog_cases"]


def test_every_output_flags_an_unstable_run() -> None:
    result = replicate(_hall(10, 15.0), 2, 1)
    assert result.to_json()["unstable"] is True
    assert "OVERLOADED" in result.to_json()["warnings"][0]
    assert "back (100%)" in kpi_table(result)
    calm = replicate(_hall(10, 5.0), 2, 1)
    assert calm.to_json()["unstable"] is False and calm.to_json()["warnings"] == []
    assert "OVERLOADED" not in kpi_table(calm)


@pytest.mark.parametrize(
    "extra",
    [
        {"hall": {"mode": "comprehensive"}},
        {"hall": {"at_close": "send_home"}},
        {
            "pools": {
                "front": {"count": 1, "absence": {"daily_prob": 0.3}, "backup": "back"},
                "back": {"count": 1, "absence": {"daily_prob": 0.3}},
            }
        },
        {"pools": {"front": {"count": 1, "hours": ["09:00-11:00"]}, "back": {"count": 1}}},
    ],
)
def test_utilization_never_exceeds_one(extra: dict[str, Any]) -> None:
    values = kpis(simulate(_hall(12, 15.0, **extra), 2, detail="kpi"))
    assert all(u <= 1 + 1e-12 for u in values["utilization"].values())
    assert values["unstable"] == 1

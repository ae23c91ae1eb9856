"""The overload flag without a drain (``drain_days: 0``) follows the backlog's trend, not the
cases that were simply too young to be decided when the run stopped."""

from __future__ import annotations

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.metrics import kpis, overload_warning

HALL = {
    "name": "no drain",
    "horizon": {"days": 30, "warmup_days": 5, "drain_days": 0},
    "pools": {"desk": {"count": 3}, "back": {"count": 3}},
    "matters": [
        {
            "id": "m",
            "arrivals": {"per_day": 60},
            "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 12}},
            # 5 days of notice: a fifth of the cohort is undecided when the run stops
            "chain": [
                {"id": "notice", "delay_days": 5},
                {"id": "r", "pool": "back", "time": {"dist": "exponential", "mean": 15}},
            ],
        }
    ],
}


def _run(back_officers: int, mean: float) -> dict:
    data = {**HALL, "pools": {"desk": {"count": 3}, "back": {"count": back_officers}}}
    data["matters"] = [
        {
            **HALL["matters"][0],
            "chain": [
                HALL["matters"][0]["chain"][0],
                {"id": "r", "pool": "back", "time": {"dist": "exponential", "mean": mean}},
            ],
        }
    ]
    return kpis(simulate(scenario_from_dict(data), 3))


def test_young_undecided_cases_are_not_an_overload() -> None:
    k = _run(3, 15)  # back office ~15 % busy, desk ~50 %
    assert k["undecided_rate"] > 0.1, "the test needs cases still open at the end"
    assert k["unstable"] == 0.0


def test_a_growing_backlog_is_an_overload_without_a_drain() -> None:
    k = _run(1, 40)  # 60 cases x 40 min = 40 officer-hours a day on 8 available
    assert k["unstable"] == 1.0
    rows = {key: [v] for key, v in k.items() if not isinstance(v, dict)}
    rows.update({f"utilization[{p}]": [u] for p, u in k["utilization"].items()})
    text = overload_warning(rows, drained=False)
    assert text is not None and ("backlog grew" in text or "busy all the time" in text)
    assert "undecided" not in text

"""Size limits: refused with the limit named, and raised by their environment variable."""

from __future__ import annotations

import pytest

from simlib.files import scenario_from_dict
from simlib.scenario import ScenarioError
from simlib.scenario.size import estimated_arrivals
from tests.helpers import always_open, exp


def _hall(days: int, per_hour: float) -> dict:
    return {
        "name": "big",
        "horizon": {"days": days},
        "pools": {"d": {"count": 1}},
        "matters": [
            {
                "id": "m",
                "arrivals": {"per_hour": per_hour},
                "acceptance": {"pool": "d", "time": exp(1)},
            }
        ],
    }


def test_days_over_the_limit_are_refused_until_the_limit_is_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ScenarioError, match=r"limit is 3,660 .*SIMLIB_MAX_DAYS"):
        scenario_from_dict(_hall(4000, 0.1))
    monkeypatch.setenv("SIMLIB_MAX_DAYS", "5000")
    assert scenario_from_dict(_hall(4000, 0.1)).horizon.days == 4000


def test_the_arrival_estimate_bounds_what_a_run_creates() -> None:
    scenario = always_open(
        3,
        0,
        {"d": {"count": 1}},
        [
            {
                "id": "m",
                "arrivals": {"per_day": 100, "weekday_factors": {"mon": 2}},
                "acceptance": {"pool": "d", "time": exp(1)},
            }
        ],
    )
    # Arrivals go on while the cohort drains: the bound covers the horizon and the drain cap.
    assert estimated_arrivals(scenario) == 100 * 2 * (3 + scenario.horizon.drain_days)
    with pytest.raises(ScenarioError, match="estimated number of arrivals"):
        scenario_from_dict(_hall(3000, 1000))  # 72 million

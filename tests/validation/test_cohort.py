"""Case KPIs on a cohort drained to the end: no survivorship, whatever the horizon."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.metrics import kpi_row, kpis
from tests.helpers import ALL_WEEK, kpi_row_samples


def _hall(days: int, **horizon: Any) -> Any:
    """A small stationary Mon-Fri hall: a quick matter, a permit with review, sign-off and
    collection, and a deregistration with a 20-day public notice."""
    return scenario_from_dict(
        {
            "name": "cohort",
            "horizon": {"days": days, "warmup_days": 7, **horizon},
            "hall": {"return_delay_days": {"dist": "triangular", "min": 1, "mode": 2, "max": 4}},
            "pools": {"front": {"count": 3}, "review": {"count": 3}},
            "matters": [
                {
                    "id": "quick",
                    "arrivals": {"per_day": 60},
                    "complete_prob": 0.7,
                    "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 8}},
                    "time_limit_days": 2,
                },
                {
                    "id": "permit",
                    "arrivals": {"per_day": 12},
                    "complete_prob": 0.8,
                    "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 12}},
                    "chain": [
                        {
                            "id": "review",
                            "pool": "review",
                            "time": {"dist": "exponential", "mean": 50},
                        }
                    ],
                    "handoff_days": 1.0,
                    "collection": "in_person",
                    "time_limit_days": 2,
                },
                {
                    "id": "dereg",
                    "arrivals": {"per_day": 6},
                    "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 10}},
                    "chain": [
                        {"id": "notice", "delay_days": 20},
                        {
                            "id": "close",
                            "pool": "review",
                            "time": {"dist": "exponential", "mean": 10},
                        },
                    ],
                    "time_limit_days": 20,
                },
            ],
        }
    )


def _welch_agrees(a: np.ndarray, b: np.ndarray, max_rel: float, level: float = 0.99) -> None:
    """The means of a and b do not differ at ``level``, and the interval of the difference is
    tight enough (relative to the mean) that a real bias would show."""
    diff = a.mean() - b.mean()
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + level / 2, dof) * se
    assert half <= max_rel * abs(b.mean()), f"too wide to be a test: ±{half:.3g} on {b.mean():.3g}"
    assert abs(diff) <= half, f"{a.mean():.4g} vs {b.mean():.4g} differ (±{half:.3g})"


def test_short_and_long_horizons_give_the_same_case_kpis() -> None:
    names = [
        "lead_time_mean_days",
        "on_time_rate",
        "visits_per_case",
        "undecided_rate",
        "lead_time_mean_days[matter=dereg]",
        "lead_time_mean_days[matter=permit]",
        "visits_per_case[matter=permit]",
        "on_time_rate[matter=permit]",
    ]
    short = kpi_row_samples(_hall(28), 20, 1, *names)
    long = kpi_row_samples(_hall(70), 8, 2, *names)
    assert (short["undecided_rate"] == 0).all() and (long["undecided_rate"] == 0).all()
    _welch_agrees(short["lead_time_mean_days"], long["lead_time_mean_days"], 0.05)
    _welch_agrees(short["on_time_rate"], long["on_time_rate"], 0.03)
    _welch_agrees(short["visits_per_case"], long["visits_per_case"], 0.02)
    _welch_agrees(
        short["lead_time_mean_days[matter=permit]"],
        long["lead_time_mean_days[matter=permit]"],
        0.08,
    )
    _welch_agrees(
        short["visits_per_case[matter=permit]"], long["visits_per_case[matter=permit]"], 0.02
    )
    # A 20-calendar-day notice is 14 working days or more, seen in full at 28 days too.
    assert short["lead_time_mean_days[matter=dereg]"].min() > 14


def test_a_twenty_day_notice_takes_over_twenty_working_days_whatever_the_horizon() -> None:
    for days in (10, 40):  # the notice is longer than the first horizon
        scenario = scenario_from_dict(
            {
                "name": "notice",
                "horizon": {"days": days, "warmup_days": 2},
                "calendar": {"workdays": ALL_WEEK},  # every day a working day
                "pools": {"desk": {"count": 2}},
                "matters": [
                    {
                        "id": "dereg",
                        "arrivals": {"per_day": 20},
                        "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 10}},
                        "chain": [{"id": "notice", "delay_days": 20}],
                        "time_limit_days": 20,
                    }
                ],
            }
        )
        records = simulate(scenario, 3, detail="kpi")
        values = kpis(records)
        assert values["undecided_rate"] == 0
        assert values["cases_completed"] == values["cases_arrived"] > 0
        assert values["lead_time_mean_days"] > 20
        assert values["on_time_rate"] == 0  # 20 days of notice plus acceptance: always late
        assert records.end > records.horizon  # the run went on to decide the cohort


def test_cases_open_at_the_cap_are_reported_undecided_and_censored() -> None:
    """A notice longer than the drain: nobody is decided; lead times are lower bounds."""
    scenario = _hall(20, drain_days=5)
    records = simulate(scenario, 4, detail="kpi")
    row = kpi_row(records, scenario)
    assert row["undecided_rate[matter=dereg]"] == 1
    assert row["cases_completed[matter=dereg]"] == 0
    # Censored at the cap: each has been open at least the 5 drain days (3+ working days).
    assert row["lead_time_mean_days[matter=dereg]"] > 3
    # Open for less than their 20-day limit: whether they will be on time is not known yet.
    assert math.isnan(row["on_time_rate[matter=dereg]"])
    assert 0 < row["undecided_rate"] < 1
    assert records.end == records.cap


def test_the_drain_is_bounded_like_the_horizon() -> None:
    import pytest

    from simlib.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"horizon\.drain_days"):
        _hall(30, drain_days=100_000_000)

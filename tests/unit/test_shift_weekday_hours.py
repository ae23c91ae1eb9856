"""``shifts[].hours_by_weekday``: the same officers on other hours on some weekdays. Officer
hours, costs and presence count each weekday's own hours; the engine (and the hall kernel,
which shares the roster) puts the officers on duty exactly then."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from simlib import duty
from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.scenario.errors import ScenarioError
from simlib.timekeeping import DAY, HallCalendar
from tests.unit.test_kernel import assert_same_records

SHORT_FRIDAY = {"fri": ["09:00-13:00"]}


def _hall(shift: dict[str, Any], days: int = 14) -> dict[str, Any]:
    """Mon 5 Jan 2026 onwards, open 09-12 and 13-17; one window pool on ``shift``."""
    return {
        "name": "short-friday",
        "horizon": {"days": days, "warmup_days": 0},
        "calendar": {"start_date": "2026-01-05", "hours": ["09:00-12:00", "13:00-17:00"]},
        "pools": {"w": {"shifts": [shift], "cost_per_hour": 30.0, "absence": {"daily_prob": 0}}},
        "matters": [
            {
                "id": "a",
                "arrivals": {"per_hour": 5},
                "acceptance": {"pool": "w", "time": {"dist": "exponential", "mean": 20}},
            }
        ],
    }


def _shift(**extra: Any) -> dict[str, Any]:
    return {"count": 2, "hours": ["09:00-17:00"], "hours_by_weekday": SHORT_FRIDAY, **extra}


def test_officer_hours_and_costs_count_each_weekday_s_own_hours() -> None:
    sc = scenario_from_dict(_hall(_shift()))
    per_day = 2 * (4 * 8 + 4) / 5  # 2 officers, 8 h Mon-Thu and 4 h on Friday
    assert duty.pool_hours(sc, "w") == pytest.approx(per_day)
    assert duty.officer_hours(sc, cost=True) == pytest.approx(30.0 * per_day)
    assert duty.rostered(sc, "w") == 2  # the same two people, not a Friday crew besides
    assert duty.peak_on_duty(sc, "w") == 2
    assert duty.on_duty(sc, "w", [9, 14]) == [2, 2]  # the usual day, not the short Friday
    cal = HallCalendar(sc.calendar, 14)
    fri, thu = 4, 3
    afternoon = (14 * 60, 16 * 60)
    on_fri = duty.officers_present(sc, ["w"], *(fri * DAY + t for t in afternoon), cal)
    on_thu = duty.officers_present(sc, ["w"], *(thu * DAY + t for t in afternoon), cal)
    assert (on_fri, on_thu) == (0.0, 2.0)
    # Without the key the Friday is a full day: the test tells the two apart.
    plain = scenario_from_dict(_hall({"count": 2, "hours": ["09:00-17:00"]}))
    assert duty.pool_hours(plain, "w") == pytest.approx(16.0)


def test_engine_and_kernel_put_the_officers_on_duty_on_each_weekday_s_hours() -> None:
    sc = scenario_from_dict(_hall(_shift()))
    simpy_records = simulate(sc, 5, engine="simpy")
    visits = simpy_records.visits.dropna(subset=["call"])
    day = visits["call"] // DAY
    duty_end = day * DAY + np.where(day % 7 == 4, 13 * 60, 17 * 60)
    overtime = (visits["end"] - np.maximum(visits["call"], duty_end)).clip(lower=0).sum()
    # available officer-minutes: 2 x (8 h x 8 days Mon-Thu + 4 h x 2 Fridays), plus the
    # service an officer finishes after the shift's end (counted as available time)
    rostered = 2 * 60 * (8 * 8 + 4 * 2)
    assert simpy_records.tally["w"].available == pytest.approx(rostered + overtime)
    start = visits["call"]
    friday_late = start[((start // DAY) % 7 == 4) & (start % DAY >= 13 * 60)]
    assert len(friday_late) == 0 and len(start[(start % DAY >= 13 * 60)]) > 100
    assert_same_records(simpy_records, simulate(sc, 5, engine="kernel"))


@pytest.mark.parametrize(
    ("by_weekday", "extra", "message"),
    [
        ({"frid": ["09:00-13:00"]}, {}, "hours_by_weekday.frid: Input should be 'mon'"),
        ({"fri": ["13:00-09:00"]}, {}, "fri[0]: hour range '13:00-09:00' ends before it starts"),
        ({"fri": ["09:00-25:00"]}, {}, "'25:00' is not a time of day between 00:00 and 24:00"),
        ({"fri": []}, {}, "hours_by_weekday.fri: List should have at least 1 item"),
        (SHORT_FRIDAY, {"days": ["mon"]}, "hours for fri, which is not in the shift's days"),
        ({"sat": ["09:00-12:00"]}, {}, "hours_by_weekday: sat is not a workday of the calendar"),
    ],
)
def test_weekday_hours_are_validated_with_a_clear_error(
    by_weekday: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    data = copy.deepcopy(_hall(_shift(**extra)))
    data["pools"]["w"]["shifts"][0]["hours_by_weekday"] = by_weekday
    with pytest.raises(ScenarioError, match=r"pools\.w\.shifts") as err:
        scenario_from_dict(data)
    assert message in str(err.value)

"""Staffing that varies: shifts, opening hours by weekday, officers finishing past their shift."""

from __future__ import annotations

from typing import Any

import pytest

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.scenario.errors import ScenarioError
from simlib.timekeeping import DAY
from tests.helpers import ALL_WEEK

CONST25 = {"dist": "constant", "value": 25}


def _hall(
    pools: dict[str, Any], calendar: dict[str, Any] | None = None, per_hour: float = 9, **over: Any
) -> Any:
    data: dict[str, Any] = {
        "name": "shifts",
        "horizon": {"days": 14, "warmup_days": 0},
        "calendar": calendar or {"workdays": ALL_WEEK, "hours": ["09:00-17:00"]},
        "pools": pools,
        "matters": [
            {
                "id": "m",
                "arrivals": {"per_hour": per_hour},
                "acceptance": {"pool": "desk", "time": CONST25},
            }
        ],
        **over,
    }
    return scenario_from_dict(data)


WEEK5 = {"workdays": ["mon", "tue", "wed", "thu", "fri"]}
TWO_CREWS = {
    "desk": {
        "shifts": [
            {"hours": ["09:00-13:00"], "count": 2},
            {"hours": ["11:00-17:00"], "count": 3},
        ]
    }
}


def test_headcount_is_the_sum_of_the_shifts_and_count_hours_stays_one_shift() -> None:
    scenario = _hall(TWO_CREWS)
    assert scenario.pools["desk"].count == 5
    assert [c.count for c in scenario.pools["desk"].crews()] == [2, 3]
    plain = _hall({"desk": {"count": 4, "hours": ["10:00-12:00"]}})
    (crew,) = plain.pools["desk"].crews()
    assert (crew.count, crew.hours, crew.days) == (4, ["10:00-12:00"], None)
    # A dumped scenario (count filled in) loads again.
    again = scenario_from_dict(scenario.model_dump(mode="json"))
    assert again == scenario


@pytest.mark.parametrize(
    ("pools", "calendar", "words"),
    [
        ({"desk": {"count": 3, "shifts": [{"count": 2}]}}, None, "must equal the officers"),
        ({"desk": {"hours": ["09:00-12:00"], "shifts": [{"count": 2}]}}, None, "inside each"),
        ({"desk": {"shifts": [{"count": 2, "days": ["sun"]}]}}, WEEK5, "not a workday"),
        ({"desk": {"shifts": [{"count": 2, "days": ["mon", "fri"]}]}}, WEEK5, None),
        (
            {"desk": {"count": 1}},
            {**WEEK5, "hours_by_weekday": {"sat": ["09:00-12:00"]}},
            "not in workdays",
        ),
    ],
)
def test_shift_mistakes_are_named(pools: Any, calendar: Any, words: str | None) -> None:
    if words is None:
        _hall(pools, calendar)
        return
    with pytest.raises((ScenarioError, ValueError), match=words):
        _hall(pools, calendar)


def test_officers_on_duty_are_the_sum_of_covering_shifts_and_finish_past_their_shift() -> None:
    records = simulate(_hall(TWO_CREWS), 3)
    steps = records.steps
    clock = steps["start"] % DAY
    early = steps[steps["officer"] < 2]  # officers 0, 1: the 09-13 crew
    late = steps[steps["officer"] >= 2]
    assert ((early["start"] % DAY >= 540) & (early["start"] % DAY < 780)).all()
    assert (late["start"] % DAY >= 660).all()
    # Some services of the early crew started before 13:00 and ended after it: finished.
    assert ((early["end"] % DAY) > 780).any()
    # At most 2 busy before 11:00, at most 5 between 11 and 13, at most 3 after 13:00 (open).
    for t in range(540, 1020, 5):
        at = DAY * 3 + t + 0.5
        busy = ((steps["start"] <= at) & (steps["end"] > at)).sum()
        cap = 2 if t < 660 else 5 if t < 780 else 3
        assert busy <= cap + (2 if 780 <= t < 780 + 25 else 0)  # + early crew finishing
    assert len(clock) > 0


def test_utilisation_counts_officers_on_shift_and_their_overtime() -> None:
    records = simulate(_hall(TWO_CREWS, per_hour=4, horizon={"days": 3, "warmup_days": 0}), 4)
    tally = records.tally["desk"]
    on_shift = 3 * (2 * 240 + 3 * 360)  # officer-minutes of the shifts, three days
    assert on_shift <= tally.available < on_shift + 5 * 25 * 3 + 60 * 3 * 5
    steps = records.steps
    assert tally.busy == pytest.approx((steps["end"] - steps["start"]).sum())


def test_weekday_shifts_and_opening_hours() -> None:
    calendar = {
        "workdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
        "hours": ["09:00-17:00"],
        "hours_by_weekday": {"fri": ["09:00-13:00"], "sat": ["10:00-12:00"]},
    }
    pools = {
        "desk": {
            "shifts": [
                {"count": 2},  # opening hours of each day
                {"hours": ["12:00-17:00"], "count": 1, "days": ["mon", "tue"]},
            ]
        }
    }
    records = simulate(_hall(pools, calendar, per_hour=3), 2)
    visits = records.visits
    day = (visits["ticket"] // DAY).astype(int) % 7  # day 0 is a Monday
    clock = visits["ticket"] % DAY
    assert (clock[day == 4] < 780).all() and (clock[day == 4] >= 540).all()  # Friday short
    assert (clock[day == 5] >= 600).all() and (clock[day == 5] < 720).all()  # Saturday morning
    assert (day != 6).all()
    steps = records.steps
    third = steps[steps["officer"] == 2]
    assert set(((third["start"] // DAY).astype(int) % 7).unique()) <= {0, 1}
    assert len(third) > 0
    # Officers on shift: 2 x open minutes every day, + 1 x 300 on Mon and Tue.
    open_minutes = {0: 480, 1: 480, 2: 480, 3: 480, 4: 240, 5: 120, 6: 0}
    expected = sum(2 * open_minutes[d % 7] + (300 if d % 7 in (0, 1) else 0) for d in range(14))
    assert records.tally["desk"].available >= expected
    assert records.tally["desk"].available < expected + 3 * 25 * 14


def test_a_crew_that_left_early_does_not_serve_the_leftovers_at_closing() -> None:
    pools = {
        "desk": {
            "shifts": [
                {"hours": ["09:00-12:00"], "count": 3},
                {"hours": ["09:00-17:00"], "count": 1},
            ]
        }
    }
    busy = [
        {"id": "m", "arrivals": {"per_hour": 6}, "acceptance": {"pool": "desk", "time": CONST25}}
    ]
    steps = simulate(_hall(pools, matters=busy), 5).steps
    after = steps[steps["start"] % DAY >= 1020]
    assert len(after) > 0  # the hall serves everyone left at closing ...
    assert set(after["officer"]) == {3}  # ... with the officer on shift then


def test_validate_warnings_count_the_officers_of_the_shifts_on_duty() -> None:
    from simlib.checks import warnings_for

    pools = {
        "desk": {
            "shifts": [
                {"hours": ["09:00-11:00"], "count": 1},
                {"hours": ["11:00-17:00"], "count": 6},
            ]
        }
    }
    busy = [
        {
            "id": "m",
            "arrivals": {"per_day": 100, "profile": {"09": 5, "10": 5, "11": 1}},
            "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 10}},
        }
    ]
    warnings = warnings_for(_hall(pools, matters=busy))
    # 09-11 h: about 45 tickets an hour x 10 min = 7.6 officers' worth on the 1 on shift
    assert any("offered load is" in w and "on 1.0 on shift" in w for w in warnings)
    fine = {"desk": {"shifts": [{"hours": ["09:00-11:00"], "count": 12}, {"count": 2}]}}
    assert not any("offered load" in w for w in warnings_for(_hall(fine, matters=busy)))

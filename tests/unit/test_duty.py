"""Officers on duty by clock hour (``simlib.duty.on_duty``): the staffing search's and its
outputs' count, from the same shift periods as the engine's roster and the officer-hours."""

from __future__ import annotations

from simlib.duty import on_duty, pool_hours
from simlib.files import scenario_from_dict

CALENDAR = {
    "workdays": ["mon", "tue", "wed", "thu", "fri"],
    "hours": ["09:00-12:00", "13:00-17:00"],
}


def _hall(shifts: list[dict]) -> object:
    return scenario_from_dict(
        {
            "name": "duty",
            "horizon": {"days": 14, "warmup_days": 0},
            "calendar": {**CALENDAR, "start_date": "2025-03-03"},
            "pools": {"desk": {"shifts": shifts}},
            "matters": [
                {
                    "id": "m",
                    "arrivals": {"per_hour": 5},
                    "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 10}},
                }
            ],
        }
    )


def test_whole_hours_on_a_usual_day_and_the_officer_hours_agree():
    hall = _hall(
        [
            {"count": 3},  # the opening hours: not at lunch
            {"hours": ["10:00-14:00"], "count": 2},  # over lunch
            {"hours": ["09:30-17:00"], "count": 1},  # not the whole of 09:00
            {"hours": ["09:00-17:00"], "count": 4, "days": ["fri"]},  # not a usual day
        ]
    )
    hours = list(range(8, 18))
    assert on_duty(hall, "desk", hours) == [0, 3, 6, 6, 3, 6, 4, 4, 4, 0]
    # Per working day: 3 x 7 h + 2 x 4 h + 1 x 7.5 h every day, 4 x 8 h one day in five.
    assert abs(pool_hours(hall, "desk") - (21 + 8 + 7.5 + 32 / 5)) < 1e-9


def test_people_on_the_roster_and_the_most_on_duty_at_once():
    """Four shifts are 10 people, but at most 3 + 2 + 1 + 4 = 10 only on Fridays at 10:00;
    a shift that starts as another ends does not add to the peak."""
    from simlib.duty import peak_on_duty, rostered

    hall = _hall(
        [
            {"count": 3},
            {"hours": ["10:00-14:00"], "count": 2},
            {"hours": ["09:30-17:00"], "count": 1},
            {"hours": ["09:00-17:00"], "count": 4, "days": ["fri"]},
        ]
    )
    assert rostered(hall, "desk") == 10
    assert peak_on_duty(hall, "desk") == 10
    relay = _hall([{"hours": ["09:00-13:00"], "count": 2}, {"hours": ["13:00-17:00"], "count": 3}])
    assert rostered(relay, "desk") == 5
    assert peak_on_duty(relay, "desk") == 3
    lunch = _hall([{"count": 3}, {"hours": ["12:00-13:00"], "count": 2}])
    assert peak_on_duty(lunch, "desk") == 3  # the lunch cover is never on with the others

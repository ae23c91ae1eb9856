"""Scenario checks of the booked-hall keys (skills, balking): mistakes named with their path."""

from __future__ import annotations

import math
from typing import Any

import pytest

from simlib.engine.skills import officer_skills
from simlib.files import scenario_from_dict
from simlib.scenario.model import Skills


def _data(skills: Any, **hall: Any) -> dict[str, Any]:
    return {
        "name": "t",
        "hall": hall,
        "pools": {"w": {"count": 3, "skills": skills}},
        "matters": [
            {
                "id": m,
                "arrivals": {"per_hour": 1},
                "acceptance": {"pool": "w", "time": {"dist": "constant", "value": 5}},
            }
            for m in ("a", "b")
        ],
    }


@pytest.mark.parametrize(
    ("skills", "fragment"),
    [
        ({"groups": [{"count": 2, "matters": ["a", "zz"]}]}, "unknown matter 'zz'"),
        (
            {"groups": [{"count": 4, "matters": ["a"]}]},
            "the groups have 4 officers; the pool has 3",
        ),
        ({"groups": [{"count": 3, "matters": ["a"]}]}, "no officer has the skill for matter 'b'"),
        ({"officers_with": {"a": 0}}, "no officer would call matter 'a'"),
        ({"officers_with": {"a": 5}}, "5 officers; the pool has 3"),
        ({"groups": [], "officers_with": {"a": 1}}, "exactly one of groups or officers_with"),
    ],
)
def test_bad_skills_are_named(skills: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        scenario_from_dict(_data(skills))


def test_officers_with_spreads_skills_round_the_officers() -> None:
    skills = Skills(officers_with={"a": 2, "x": 2})
    got = officer_skills(skills, 3, ["a", "b"])
    # a: officers 0 and 1; x: officers 2 and 0; b (not listed): everyone
    assert got == [frozenset({"a", "b", "x"}), frozenset({"a", "b"}), frozenset({"b", "x"})]
    groups = Skills(groups=[{"count": 1, "matters": ["a"]}])
    assert officer_skills(groups, 3, ["a", "b"]) == [frozenset({"a"})] + [frozenset({"a", "b"})] * 2


@pytest.mark.parametrize(
    ("balking", "fragment"),
    [
        ({"curve": "linear", "threshold": 2}, "needs full_at greater than threshold"),
        ({"curve": "step", "threshold": 2, "full_at": 4}, "full_at goes with curve: linear"),
        ({"threshold": -1}, "greater than or equal to 0"),
        ({"curve": "cubic", "threshold": 1}, "step"),
    ],
)
def test_bad_balking_is_named(balking: Any, fragment: str) -> None:
    data = _data(None, balking=balking)
    del data["pools"]["w"]["skills"]
    with pytest.raises(ValueError, match=fragment):
        scenario_from_dict(data)


def test_booked_hall_keys_name_what_a_plain_kernel_cannot_run() -> None:
    from simlib.engine.booked import booked_hall_keys

    data = _data({"officers_with": {"a": 2}}, balking={"threshold": 3})
    data["matters"][1]["appointments"] = {"share": 0.3}
    del data["pools"]["w"]["skills"]
    plain = scenario_from_dict(data | {"hall": {}, "matters": [dict(data["matters"][0])]})
    assert booked_hall_keys(plain) == []
    assert booked_hall_keys(scenario_from_dict(data)) == ["matters[b].appointments", "hall.balking"]
    data["pools"]["w"]["skills"] = {"officers_with": {"a": 2}}
    data["matters"][1].pop("appointments")
    assert booked_hall_keys(scenario_from_dict(data)) == ["pools.w.skills", "hall.balking"]


def test_ahead_per_window_is_a_per_window_threshold() -> None:
    data = _data(None, balking={"ahead_per_window": 4, "curve": "logistic", "scale": 2})
    del data["pools"]["w"]["skills"]
    balking = scenario_from_dict(data).hall.balking
    assert balking is not None and balking.threshold == 4 and balking.per_window
    data["hall"]["balking"]["threshold"] = 3
    with pytest.raises(ValueError, match="not both"):
        scenario_from_dict(data)


def test_balking_curves() -> None:
    from simlib.engine.balking import balk_probability
    from simlib.scenario.model import Balking

    step = Balking(curve="step", threshold=3)
    assert [balk_probability(step, x) for x in (0, 2.9, 3, 10)] == [0, 0, 1, 1]
    linear = Balking(curve="linear", threshold=2, full_at=6)
    assert [balk_probability(linear, x) for x in (1, 2, 4, 6, 9)] == [0, 0, 0.5, 1, 1]
    logistic = Balking(curve="logistic", threshold=4, scale=2)
    assert balk_probability(logistic, 4) == pytest.approx(0.5)
    assert balk_probability(logistic, 6) == pytest.approx(1 / (1 + math.exp(-1)))
    assert balk_probability(logistic, -1e6) == 0.0

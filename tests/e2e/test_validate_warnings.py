"""`simlib validate` warns (exit 0, stderr) about legal but suspicious scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.checks import warnings_for
from simlib.cli import main
from simlib.files import scenario_from_dict

BASE = {
    "name": "w",
    "pools": {"desk": {"count": 2}, "back": {"count": 1}},
    "matters": [
        {
            "id": "m",
            "arrivals": {"per_day": 40},
            "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 10}},
            "chain": [{"id": "r", "pool": "back", "time": {"dist": "exponential", "mean": 5}}],
        }
    ],
}


def _with(**changes: object) -> dict:
    import copy

    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[keys[-1]] = value
    return data


def test_quiet_scenario_has_no_warnings() -> None:
    assert warnings_for(scenario_from_dict(BASE)) == []


def test_window_overloaded_in_busiest_hour() -> None:
    data = _with(matters__0__arrivals={"per_day": 40, "profile": {"09": 10, "10": 1}})
    (w,) = [w for w in warnings_for(scenario_from_dict(data)) if "offered load" in w]
    # 36 applicants x 10 min at 09:00 on 2 officers: 4 officer-hours queue up; waits ~2 h
    assert "pools.desk" in w and "09:00" in w and "waits near 12" in w
    # with a mean patience of 20 min, reneging bounds the queue, and says so
    data["hall"] = {"patience": {"dist": "exponential", "mean": 20}}
    (w,) = [w for w in warnings_for(scenario_from_dict(data)) if "offered load" in w]
    assert "patience (20 min)" in w and "give up" in w


def test_a_peak_worked_off_within_the_hour_is_no_alarm() -> None:
    # 4 officers' worth at 09:00 on 3 officers, then quiet: the queue clears before 10:30
    data = _with(
        pools__desk__count=3,
        matters__0__arrivals={"per_day": 30, "profile": {"09": 8, "10": 1, "11": 1}},
    )
    assert not [w for w in warnings_for(scenario_from_dict(data)) if "pools.desk" in w]


def test_the_shipped_baseline_has_no_false_load_alarm() -> None:
    from simlib.files import load_scenario

    baseline = Path(__file__).parents[2] / "simlib" / "data" / "new_district.yaml"
    assert not [w for w in warnings_for(load_scenario(baseline)) if "load" in w]


def test_back_office_backlog() -> None:
    data = _with(
        matters__0__chain=[{"id": "r", "pool": "back", "time": {"dist": "constant", "value": 30}}]
    )
    assert any("pools.back" in w and "backlog" in w for w in warnings_for(scenario_from_dict(data)))


def test_pool_never_on_shift_during_opening_hours() -> None:
    data = _with(pools={"desk": {"count": 2}, "back": {"count": 1, "hours": ["18:00-20:00"]}})
    assert any(
        "pools.back" in w and "no officer is on shift" in w
        for w in warnings_for(scenario_from_dict(data))
    )


def test_arrivals_outside_ticket_hours() -> None:
    data = _with(matters__0__arrivals={"per_day": 40, "profile": {"08": 1, "10": 1}})
    assert any("profile" in w and "08" in w for w in warnings_for(scenario_from_dict(data)))
    data = _with(matters__0__arrivals={"per_day": 40, "weekday_factors": {"sun": 1.0}})
    assert any(
        "weekday_factors" in w and "sun" in w for w in warnings_for(scenario_from_dict(data))
    )


def test_validate_prints_warnings_on_stderr_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "name: w\npools: {desk: {count: 1}}\nmatters:\n"
        "  - {id: m, arrivals: {per_hour: 20}, acceptance: {pool: desk, time: {dist: constant, value: 10}}}\n"
    )
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "OK" in captured.out
    assert "warning" in captured.err and "pools.desk" in captured.err


def test_headcount_counts_people_not_shift_fragments() -> None:
    from simlib.duty import peak_on_duty as headcount

    data = _with(
        pools__desk={
            "shifts": [
                {"hours": ["09:00-10:00"], "count": 3},
                {"hours": ["10:00-12:00"], "count": 4},
                {"hours": ["13:00-17:00"], "count": 4},
                {"hours": ["11:00-12:00"], "count": 1},
            ]
        }
    )
    # 12 shift fragments, but never more than 5 officers on duty at once
    assert headcount(scenario_from_dict(data), "desk") == 5
    assert headcount(scenario_from_dict(data), "back") == 1

"""Variant costs in study files: the mapping form, derived officer-hours, errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.costs import portfolio_cost, staff_hours_change
from simlib.files.study import load_study
from simlib.reforms import apply_reforms, parse_reforms
from simlib.scenario.errors import ScenarioError

HALL = """\
name: costs
horizon: {days: 2, warmup_days: 0}
calendar: {hours: ["09:00-12:00", "13:00-17:00"]}
pools:
  front: {count: 3, cost_per_hour: 30}
  back: {count: 2, cost_per_hour: 40, hours: ["08:00-12:00"]}
matters:
  - id: walkin
    arrivals: {per_hour: 5}
    acceptance: {pool: front, time: {dist: exponential, mean: 15}}
    chain: [{id: review, pool: back, time: {dist: exponential, mean: 11}}]
"""

STUDY = """\
study: costs
baseline: hall.yaml
variants:
  more back: {reforms: [{type: set_staff, pools: {back: 3, front: 2}}], cost: 1000}
  faster: [{type: scale_times, factor: 0.8}]
  stated:
    reforms: [{type: scale_times, factor: 0.9}]
    cost: 500
    officer_hours: 2
"""


def _write(tmp_path: Path, study: str = STUDY) -> Path:
    (tmp_path / "hall.yaml").write_text(HALL)
    (tmp_path / "study.yaml").write_text(study)
    return tmp_path / "study.yaml"


def test_mapping_and_list_forms_and_derived_officer_hours(tmp_path):
    study = load_study(_write(tmp_path))
    assert list(study.variants) == ["more back", "faster", "stated"]
    more = study.cost_of("more back")
    # back +1 officer x 4 h (its own shift) at 40; front -1 x 7 h (opening hours) at 30
    assert more.cost == 1000 and more.officer_hours == pytest.approx(4 - 7)
    assert more.officer_hours_source == "derived from staff changes"
    assert more.running_cost_per_day == pytest.approx(4 * 40 - 7 * 30)
    assert study.cost_of("faster").officer_hours_source == "none"
    stated = study.cost_of("stated")
    assert (stated.cost, stated.officer_hours, stated.officer_hours_source) == (500, 2, "given")
    assert stated.running_cost_per_day is None  # pools differ in cost_per_hour: unknown price


def test_portfolio_costs_count_staff_once(tmp_path):
    study = load_study(_write(tmp_path))
    base = study.baseline
    both = parse_reforms([{"type": "set_staff", "pools": {"back": 4}}]) * 2
    combined = apply_reforms(base, both)
    assert staff_hours_change(base, combined) == (pytest.approx(8.0), pytest.approx(320.0))
    costs = dict(study.costs or {})
    total = portfolio_cost(base, combined, costs, ["more back", "stated"])
    assert total.cost == 1500 and total.officer_hours == pytest.approx(2 + 8)


def test_cost_errors_name_the_line(tmp_path):
    bad = STUDY.replace("cost: 500", "cost: -5").replace("officer_hours: 2", "oficer_hours: 2")
    with pytest.raises(ScenarioError) as err:
        load_study(_write(tmp_path, bad))
    text = str(err.value)
    assert "line 8: variants.stated.cost" in text and "did you mean 'officer_hours'" in text
    assert "list[" not in text  # only the errors of the form the variant is written in


SHIFT_HALL = """\
name: shift costs
horizon: {days: 2, warmup_days: 0}
calendar:
  workdays: [mon, tue, wed, thu, fri]
  hours: ["09:00-17:00"]
  hours_by_weekday: {fri: ["09:00-13:00"]}
pools:
  front: {count: 3, cost_per_hour: 30}
  back:
    cost_per_hour: 40
    shifts:
      - {hours: ["08:00-12:00"], count: 2}
      - {hours: ["12:00-18:00"], count: 1, days: [mon, wed]}
matters:
  - id: walkin
    arrivals: {per_hour: 5}
    acceptance: {pool: front, time: {dist: exponential, mean: 15}}
    chain: [{id: review, pool: back, time: {dist: exponential, mean: 11}}]
"""


def test_shift_pool_costs_follow_shifts_shift_days_and_weekday_hours(tmp_path: Path) -> None:
    """Officer-hours per working day, counted by hand: a shift on two of five workdays counts
    2/5 of its hours; Friday's short opening day shortens the front desk's hours."""
    from simlib import load_scenario
    from simlib.duty import officer_hours, pool_hours

    (tmp_path / "hall.yaml").write_text(SHIFT_HALL)
    base = load_scenario(tmp_path / "hall.yaml")
    front = 3 * (4 * 8 + 4) / 5  # Mon-Thu 8 h, Fri 4 h (hours_by_weekday)
    back = 2 * 4 + 1 * 6 * 2 / 5  # the late shift only on Monday and Wednesday
    assert pool_hours(base, "front") == pytest.approx(front)
    assert pool_hours(base, "back") == pytest.approx(back)
    assert officer_hours(base) == pytest.approx(front + back)
    # A reform that adds an officer to the Monday/Wednesday shift costs 6 h x 2/5 a day.
    shifts = list(base.pools["back"].shifts or [])
    later = shifts[1].model_copy(update={"count": 2})
    pool = base.pools["back"].model_copy(update={"shifts": [shifts[0], later], "count": 4})
    reformed = base.model_copy(update={"pools": {**base.pools, "back": pool}})
    hours, money = staff_hours_change(base, reformed)
    assert hours == pytest.approx(6 * 2 / 5)
    assert money == pytest.approx(40 * 6 * 2 / 5)


def test_officers_present_follow_shift_days_and_weekday_hours(tmp_path: Path) -> None:
    """The checks' "officers on shift in this hour" is duty.officers_present: the roster's periods.
    Friday closes at 13:00 (the front desk goes home; counting the usual hours would say
    3), the late back-office shift works Monday and Wednesday only, absences net out."""
    from simlib import load_scenario
    from simlib.duty import officers_present
    from simlib.timekeeping import DAY, HallCalendar

    (tmp_path / "hall.yaml").write_text(SHIFT_HALL)
    base = load_scenario(tmp_path / "hall.yaml")
    cal = HallCalendar(base.calendar, 7)
    mon, tue, fri = 0 * DAY, 1 * DAY, 4 * DAY

    def at(pools: list[str], day: float, hour: int, minutes: int = 60) -> float:
        return officers_present(base, pools, day + 60 * hour, day + 60 * hour + minutes, cal)

    assert at(["front"], mon, 15) == pytest.approx(3)
    assert at(["front"], fri, 15) == 0
    assert at(["front"], fri, 12) == pytest.approx(3)
    assert at(["back"], mon, 13) == pytest.approx(1) and at(["back"], tue, 13) == 0
    assert at(["back"], mon, 11, 120) == pytest.approx((2 + 1) / 2)  # 11-12 two, 12-13 one
    assert at(["front", "back"], mon, 9) == pytest.approx(5)
    assert at(["front"], 5 * DAY, 10) == 0  # Saturday: not a workday
    away = base.pools["front"].model_copy(
        update={"absence": base.pools["front"].absence.model_copy(update={"daily_prob": 0.1})}
    )
    absent = base.model_copy(update={"pools": {**base.pools, "front": away}})
    assert officers_present(absent, ["front"], mon + 600, mon + 660, cal) == pytest.approx(2.7)

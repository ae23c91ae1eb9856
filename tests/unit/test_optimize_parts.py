"""The optimiser's parts on their own: shift covering against brute force, shift patterns,
hourly needs as shifts, the optimisation-file loader's errors, the statistical judge."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from simlib.optimize.candidate import _layered
from simlib.optimize.evaluate import judge
from simlib.optimize.shifts import Pattern, cover, generate_patterns
from simlib.optimize.spec import Requirement, load_optimization
from simlib.scenario import ScenarioError
from simlib.scenario.model import parse_hours
from tests.optimize_helpers import mmc_scenario, write_optimization

OPENING = parse_hours(["09:00-12:00", "13:00-17:00"])
OPEN_HOURS = [9, 10, 11, 13, 14, 15, 16]


def _brute_force(need: dict[int, int], patterns: list[Pattern]) -> float:
    top = max(need.values())
    best = float("inf")
    for counts in itertools.product(range(top + 1), repeat=len(patterns)):
        if all(
            sum(n for p, n in zip(patterns, counts, strict=True) if h in p.covers) >= k
            for h, k in need.items()
        ):
            best = min(best, sum(p.minutes * n for p, n in zip(patterns, counts, strict=True)))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_shift_covering_is_optimal_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = [
        ["09:00-12:00"],
        ["09:00-12:00", "13:00-14:00"],
        ["11:00-12:00", "13:00-16:00"],
        ["13:00-17:00"],
        ["15:00-17:00"],
        ["09:00-10:00"],
    ]
    patterns = [Pattern(p, OPENING) for p in raw]
    need = {h: int(rng.integers(0, 4)) for h in OPEN_HOURS}
    chosen = cover(need, patterns)
    minutes = sum(p.minutes * n for p, n in chosen)
    for h, k in need.items():
        assert sum(n for p, n in chosen if h in p.covers) >= k
    assert minutes == pytest.approx(_brute_force(need, patterns))


def test_generated_patterns_keep_to_opening_hours_and_lunch_counts_in_the_roster() -> None:
    patterns = generate_patterns(OPENING, [4, 8])
    assert ["09:00-12:00", "13:00-17:00"] in patterns  # the whole day: 09-17, lunch inside
    assert patterns[0] == ["09:00-12:00", "13:00-17:00"]
    assert ["10:00-12:00", "13:00-14:00"] in patterns  # 10-14: four paid hours, lunch inside
    assert ["09:00-12:00"] not in patterns  # 09-12 is three hours; 09-13 would end at lunch
    assert ["11:00-12:00", "13:00-14:00"] not in patterns  # 11-14 is three hours, not four
    whole = Pattern(["09:00-12:00", "13:00-17:00"], OPENING)
    assert whole.covers == set(OPEN_HOURS) and whole.minutes == 480 and whole.worked == 420
    with pytest.raises(ValueError, match="no shift pattern covers hour"):
        cover({9: 1, 16: 2}, [Pattern(["09:00-12:00"], OPENING)])


def test_hourly_needs_become_shifts_with_exactly_that_many_on_duty() -> None:
    need = (2, 4, 4, 1, 3, 3, 0)
    shifts = _layered(need, OPEN_HOURS, OPENING)
    on_duty = {h: 0 for h in OPEN_HOURS}
    for hours, n in shifts:
        for h in Pattern(list(hours), OPENING).covers:
            on_duty[h] += n
    assert [on_duty[h] for h in OPEN_HOURS] == list(need)
    assert sum(n for _, n in shifts) == 6  # officers stay on across hours: 2 + 2 + 2 more


def _write(tmp_path: Path, spec: dict) -> Path:
    return write_optimization(tmp_path, mmc_scenario(48, 10.0, 10, 3), spec)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"decisions": {"pools.nobody.count": {"range": [1, 3]}}}, "unknown pool 'nobody'"),
        ({"decisions": {"pools.clerk.hours": {"range": [1, 3]}}}, "a decision is pools"),
        ({"decisions": {"pools.clerk.count": {"range": [5, 3]}}}, "is not a range"),
        ({"requirements": [{"kpi": "hall_wait", "max": 3}]}, "unknown KPI 'hall_wait'"),
        (
            {"requirements": [{"kpi": "lead_time_mean_days", "max": 3, "every_hour": True}]},
            "hourly KPI",
        ),
        (
            {"requirements": [{"kpi": "on_time_rate", "min": 0.9, "matter": "nope"}]},
            "unknown matter",
        ),
        ({"requirements": [{"kpi": "utilization", "max": 0.9}]}, "is per pool"),
        ({"objective": {"minimize": "cost"}}, "cost_per_hour"),
        ({"confidence": 1.5}, "confidence"),
        ({"speed": 3}, "unknown key 'speed'"),
    ],
)
def test_optimisation_file_mistakes_name_the_line_and_path(
    tmp_path: Path, spec: dict, words: str
) -> None:
    full = {
        "optimize": "t",
        "decisions": {"pools.clerk.count": {"range": [1, 20]}},
        "requirements": [{"kpi": "hall_wait_mean_min", "max": 2}],
        **spec,
    }
    path = _write(tmp_path, full)
    with pytest.raises(ScenarioError) as err:
        load_optimization(path)
    report = err.value.report()
    assert words in report
    assert "line " in report


def test_judge_needs_confidence_not_just_a_mean() -> None:
    req = Requirement(kpi="hall_wait_mean_min", max=2.0)
    close = [{"hall_wait_mean_min": x} for x in (1.9, 2.05, 1.8, 2.0)]
    far = [{"hall_wait_mean_min": x} for x in (1.0, 1.1, 0.9, 1.05)]
    above = [{"hall_wait_mean_min": x} for x in (3.0, 3.2, 2.9, 3.1)]
    assert judge(close, [req], 0.95).feasible is None
    assert judge(close, [req], 0.95).point_feasible
    assert judge(far, [req], 0.95).feasible is True
    assert judge(above, [req], 0.95).feasible is False
    hourly = Requirement(kpi="hall_service_level", min=0.8, every_hour=True)
    rows = [
        {"hall_service_level[hour=09]": 0.95, "hall_service_level[hour=10]": v}
        for v in (0.5, 0.6, 0.55)
    ]
    j = judge(rows, [hourly], 0.95)
    assert j.feasible is False and j.binding.column == "hall_service_level[hour=10]"

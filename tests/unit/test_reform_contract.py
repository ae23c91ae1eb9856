"""One contract for every reform in the registry (a new reform must add its examples here):
the output validates, the input is not mutated, applying is deterministic, and a no-op
reform changes no KPI bit for bit."""

from __future__ import annotations

import math
from typing import Any

import pytest

from simlib import reforms as R
from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.metrics import flatten, kpis
from simlib.scenario import Scenario

CONTRACT = {
    "name": "contract hall",
    "horizon": {"days": 8, "warmup_days": 1},
    "hall": {"return_delay_days": {"dist": "uniform", "min": 0.5, "max": 2}},
    "pools": {
        "w": {"count": 3},
        "v": {"count": 2},
        "a": {"count": 2},
        "b": {"count": 2, "absence": {"daily_prob": 0.2}},
        "c": {"count": 1, "hours": ["15:00-17:00"]},
    },
    "matters": [
        {
            "id": "x",
            "arrivals": {"per_day": 30, "profile": {"09": 2, "10": 1, "14": 1}},
            "complete_prob": 0.7,
            "acceptance": {"pool": "w", "time": {"dist": "lognormal", "mean": 10, "cv": 0.5}},
            "chain": [
                {
                    "id": "s1",
                    "pool": "a",
                    "time": {"dist": "exponential", "mean": 20},
                    "applicant_visit": True,
                },
                {
                    "id": "s2",
                    "pool": "b",
                    "time": {"dist": "gamma", "mean": 25, "cv": 0.5},
                    "rework_prob": 0.1,
                },
                {"id": "notice", "delay_days": 1},
                {"id": "s3", "pool": "c", "time": {"dist": "constant", "value": 3}},
            ],
            "handoff_days": 0.5,
            "collection": "in_person",
            "time_limit_days": 5,
        },
        {
            "id": "y",
            "arrivals": {"per_hour": 2},
            "acceptance": {"pool": "v", "time": {"dist": "exponential", "mean": 8}},
        },
    ],
}

# type -> (an effective reform, a no-op reform or None when the type has none)
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
    "remove_steps": ({"matter": "x", "steps": ["s2"]}, None),
    "parallelize": ({"matter": "x", "steps": ["s1", "s2"]}, None),
    "merge_steps": (
        {
            "matter": "x",
            "steps": ["s1", "s2"],
            "pool": "a",
            "coordination": {"dist": "constant", "value": 5},
        },
        None,
    ),
    "to_filing": ({"matters": ["x"]}, {"matters": ["y"]}),
    "scale_times": ({"factor": 0.8, "pools": ["a"]}, {"factor": 1.0}),
    "set_staff": ({"pools": {"a": 3}}, {"pools": {"a": 2, "w": 3}}),
    "ab_staffing": (
        {"pairs": {"b": "a"}},
        {"pairs": {"a": "b"}},
    ),  # a has no absences: b never steps in
    "comprehensive_windows": ({"service_time_factor": 1.1}, None),
    "one_time_notification": ({"complete_prob": 0.9}, {"complete_prob": 0.5}),  # never lowered
    "online": ({"share": 0.3}, {"share": 0.0}),
    "electronic_transfer": ({"matters": ["x"]}, {"matters": ["y"]}),  # y has no hand-offs
    "commitment": ({"matters": ["x"], "verify": ["s2"], "fail_rate": 0.05}, None),
    "mail_delivery": ({"matters": ["x"]}, {"matters": ["y"]}),
    "centralize": ({}, {"matters": ["y"]}),
    "time_limit": ({"limits": {"x": 3}}, {"limits": {"x": 5}, "deadline_first": False}),
    # v's officers take y; one learns x, accepted at w: then calls w's x tickets too
    "appointments": ({"matters": ["x"], "share": 0.3, "slot_min": 20, "template": 1}, None),
    "cross_train": ({"pool": "v", "matter": "x", "officers": 1}, None),
    "set": (
        {"path": "matters[x].chain[s2].time.mean", "value": 15},
        {"values": {"pools.w.count": 3}},
    ),
}


@pytest.fixture(scope="module")
def base() -> Scenario:
    return scenario_from_dict(CONTRACT)


def test_every_registered_reform_has_examples() -> None:
    assert set(EXAMPLES) == set(R.REGISTRY)


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


@pytest.mark.parametrize("kind", sorted(R.REGISTRY))
def test_reform_contract(base: Scenario, kind: str) -> None:
    effective, noop = EXAMPLES[kind]
    reform = R.parse_reforms([{"type": kind, **effective}])[0]
    before = base.model_dump()
    out = reform(base)
    assert isinstance(out, Scenario)
    assert Scenario.model_validate(out.model_dump()) == out  # the output validates
    assert base.model_dump() == before  # the input is not mutated
    assert reform(base) == out  # deterministic
    assert out != base  # it does something
    records = simulate(out, 3)  # and the engine runs it
    assert len(records.cases) > 0
    if noop is not None:
        same = R.parse_reforms([{"type": kind, **noop}])[0](base)
        assert _same(flatten(kpis(simulate(same, 3))), flatten(kpis(simulate(base, 3))))


@pytest.mark.parametrize(
    ("reform", "fragment"),
    [
        ({"type": "remove_steps", "matter": "nope", "steps": ["s1"]}, "unknown matter 'nope'"),
        ({"type": "remove_steps", "matter": "x", "steps": ["s9"]}, "has no step 's9'"),
        ({"type": "parallelize", "matter": "x", "steps": ["s1"]}, "at least 2"),
        ({"type": "merge_steps", "matter": "x", "steps": ["s1", "notice"]}, "calendar delay"),
        ({"type": "set_staff", "pools": {"zz": 2}}, "unknown pool 'zz'"),
        ({"type": "ab_staffing", "pairs": {"a": "a"}}, "cannot back itself up"),
        (
            {"type": "commitment", "matters": ["x"], "verify": ["notice"]},
            "no officer step 'notice'",
        ),
        ({"type": "set", "path": "pools.a.cont", "value": 3}, "unknown key 'cont'"),
        ({"type": "set", "path": "matters[q].complete_prob", "value": 0.9}, "no entry with id 'q'"),
        ({"type": "online", "share": 1.5}, "less than or equal to 1"),
        ({"type": "teleport"}, "unknown reform type 'teleport'"),
        ({"type": "cross_train", "pool": "v", "matter": "y"}, "lack the skill"),
        ({"type": "appointments", "matters": ["y"], "no_show": 0.1}, "give a booking share"),
        ({"type": "cross_train", "pool": "v", "matter": "x", "officers": 3}, "cannot train 3"),
    ],
)
def test_bad_reform_names_index_type_and_culprit(
    base: Scenario, reform: dict, fragment: str
) -> None:
    with pytest.raises(R.ReformError) as info:
        R.apply_reforms(base, [{"type": "scale_times", "factor": 1.0}, reform])
    message = str(info.value)
    assert "reforms[1]" in message and fragment in message


def test_parallelize_in_a_parallel_group_is_refused(base: Scenario) -> None:
    once = R.parallelize(matter="x", steps=["s1", "s2"])(base)
    with pytest.raises(R.ReformError, match="inside a parallel group"):
        R.parallelize(matter="x", steps=["s1", "s3"])(once)


def test_reforms_in_a_scenario_file_are_applied_on_load() -> None:
    data = dict(CONTRACT, reforms=[{"type": "set_staff", "pools": {"a": 5}}])
    loaded = scenario_from_dict(data)
    assert loaded.pools["a"].count == 5 and "reforms" not in type(loaded).model_fields


def test_merged_step_uses_the_baseline_review_times(base: Scenario) -> None:
    """CRN: the joint review of a case lasts exactly the longer of its two baseline reviews."""
    no_absence = R.set_value(path="pools.b.absence.daily_prob", value=0.0)(base)
    merged = R.merge_steps(matter="x", steps=["s1", "s2"], pool="a")(no_absence)
    ra, rb = simulate(no_absence, 4), simulate(merged, 4)

    def worked(records: Any) -> Any:
        log = records.steps
        open_hours = records.calendar.open
        minutes = open_hours.worked_before_array(
            log["end"].to_numpy()
        ) - open_hours.worked_before_array(log["start"].to_numpy())
        return (
            log.assign(work=minutes)
            .groupby(["case", log["activity"].astype(str)])["work"]
            .first()
            .unstack()
        )

    a, b = worked(ra), worked(rb)
    both = a[["s1", "s2"]].dropna().join(b["joint_review"].dropna(), how="inner")
    assert len(both) > 20
    expected = both[["s1", "s2"]].max(axis=1)
    assert ((both["joint_review"] - expected).abs() < 1e-6).all()

"""Scenario files: the DESIGN examples load; every class of bad input gets a clear message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simlib.engine import simulate
from simlib.files import load_scenario
from simlib.scenario import ScenarioError

MINIMAL = """\
name: M/M/10
horizon: {days: 30, warmup_days: 3}
calendar: {workdays: [mon, tue, wed, thu, fri, sat, sun], hours: ["00:00-24:00"]}
pools:
  clerk: {count: 10}
matters:
  - id: walkin
    arrivals: {per_hour: 54}
    acceptance: {pool: clerk, time: {dist: exponential, mean: 10}}
"""

FULL = """\
name: Full vocabulary
description: every key of DESIGN section 4
seed: 7
horizon: {days: 14, warmup_days: 2}
calendar:
  workdays: [mon, tue, wed, thu, fri]
  hours: ["09:00-12:00", "13:00-17:00"]
  start_date: 2025-03-03
  holidays: [2025-03-05]
hall:
  mode: comprehensive
  ticket_cutoff: "16:30"
  at_close: send_home
  patience: {dist: exponential, mean: 45}
  renege_return_prob: 0.5
  return_delay_days: {dist: triangular, min: 1, mode: 2, max: 5}
pools:
  front: {count: 4, absence: {daily_prob: 0.05}, backup: back}
  back: {count: 3, hours: ["08:30-12:00", "13:30-17:30"]}
  leader: {count: 1, hours: ["15:00-17:00"]}
matters:
  - id: permit
    name: Construction permit
    arrivals: {per_day: 40, profile: {"09": 3, "10": 2, "14": 1}, weekday_factors: {mon: 1.3}}
    online_share: 0.2
    complete_prob: 0.7
    acceptance: {pool: front, time: {dist: lognormal, mean: 12, cv: 0.6}}
    chain:
      - {id: review, pool: back, time: {dist: gamma, mean: 60, cv: 0.5}, rework_prob: 0.1, applicant_visit: false}
      - {parallel: [{id: fire, pool: back, time: {dist: uniform, min: 20, max: 40}}, {id: env, pool: back, time: {dist: constant, value: 30}}]}
      - {id: notice, delay_days: 5}
      - {id: sign, pool: leader, time: {dist: empirical, values: [5, 10, 15]}}
    handoff_days: 0.5
    collection: in_person
    collection_time: {dist: constant, value: 5}
    time_limit_days: 10
    commitment: {eligible: false, verify: [fire], fail_rate: 0.02}
reforms: []
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("text", [MINIMAL, FULL], ids=["minimal", "full"])
def test_design_examples_load_and_run(tmp_path: Path, text: str) -> None:
    scenario = load_scenario(_write(tmp_path, text))
    records = simulate(scenario, 1)
    assert len(records.cases) > 0


def test_defaults_are_neutral(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, MINIMAL))
    m = s.matters[0]
    assert (m.complete_prob, m.online_share, m.handoff_days, m.collection) == (
        1.0,
        0.0,
        0.0,
        "none",
    )
    assert s.hall.patience is None and s.hall.mode == "dedicated"
    assert s.pools["clerk"].absence.daily_prob == 0 and s.pools["clerk"].backup is None
    default = load_scenario(
        _write(
            tmp_path,
            MINIMAL.replace(
                'calendar: {workdays: [mon, tue, wed, thu, fri, sat, sun], hours: ["00:00-24:00"]}\n',
                "",
            ),
        )
    )
    assert default.calendar.hours == ["09:00-12:00", "13:00-17:00"]
    assert default.calendar.workdays == ["mon", "tue", "wed", "thu", "fri"]


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    return str(info.value)


BAD = {
    "unknown pool": (
        MINIMAL.replace("pool: clerk", "pool: clark"),
        ["matters[0].acceptance.pool", "unknown pool 'clark'", "pools are: clerk"],
    ),
    "unknown step in commitment": (
        MINIMAL + "    commitment: {eligible: true, verify: [nope]}\n",
        ["matters[0].commitment.verify[0]", "unknown step 'nope'"],
    ),
    "duplicate matter": (
        MINIMAL
        + "  - id: walkin\n    arrivals: {per_hour: 1}\n    acceptance: {pool: clerk, time: {dist: constant, value: 1}}\n",
        ["matters[1].id", "duplicate matter id 'walkin'"],
    ),
    "duplicate step": (
        MINIMAL
        + "    chain: [{id: a, pool: clerk, time: {dist: constant, value: 1}}, {id: a, delay_days: 1}]\n",
        ["matters[0].chain[1].id", "duplicate step id 'a'"],
    ),
    "probability above 1": (
        MINIMAL + "    complete_prob: 1.5\n",
        ["matters[0].complete_prob", "less than or equal to 1", "1.5"],
    ),
    "negative probability": (
        MINIMAL.replace("clerk: {count: 10}", "clerk: {count: 10, absence: {daily_prob: -0.1}}"),
        ["pools.clerk.absence.daily_prob", "greater than or equal to 0"],
    ),
    "non-positive mean": (
        MINIMAL.replace("mean: 10", "mean: 0"),
        ["matters[0].acceptance.time.mean", "greater than 0"],
    ),
    "no officer in a used pool": (
        MINIMAL.replace("count: 10", "count: 0"),
        ["pools.clerk.count", "has no officer"],
    ),
    "reversed hours": (
        MINIMAL.replace('"00:00-24:00"', '"17:00-09:00"'),
        ["calendar.hours[0]", "ends before it starts"],
    ),
    "malformed hours": (
        MINIMAL.replace('"00:00-24:00"', '"9am-5pm"'),
        ["calendar.hours[0]", "HH:MM"],
    ),
    "unknown distribution": (
        MINIMAL.replace("dist: exponential", "dist: weibull"),
        ["matters[0].acceptance.time", "unknown distribution 'weibull'", "lognormal"],
    ),
    "missing distribution parameter": (
        MINIMAL.replace("dist: exponential, mean: 10", "dist: lognormal, mean: 10"),
        ["matters[0].acceptance.time.cv", "missing required key 'cv'"],
    ),
    "unknown key with suggestion": (
        MINIMAL.replace("arrivals:", "arivals:"),
        ["matters[0].arivals", "unknown key", "did you mean 'arrivals'"],
    ),
    "missing required key": (
        MINIMAL.replace("name: M/M/10\n", ""),
        ["name", "missing required key 'name'"],
    ),
    "yaml syntax error": (
        MINIMAL.replace("{count: 10}", "{count: 10"),
        ["YAML syntax error", "line "],
    ),
    "not a mapping": ("- just\n- a list\n", ["must be a mapping"]),
    "empty file": ("", ["empty"]),
    "warm-up too long": (MINIMAL.replace("warmup_days: 3", "warmup_days: 30"), ["warmup_days"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_path_and_what_is_allowed(tmp_path: Path, case: str) -> None:
    text, fragments = BAD[case]
    message = _error(tmp_path, text)
    assert str(tmp_path / "s.yaml") in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_error_gives_the_line_of_the_culprit(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL.replace("pool: clerk", "pool: clark"))
    assert "line 9: matters[0].acceptance.pool" in message


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = MINIMAL.replace("mean: 10", "mean: -1") + "    complete_prob: 2\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    assert len(info.value.issues) == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")

"""The replay's columns say what the records say (pure Python; the browser test checks
that the page draws them)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engine import simulate
from simlib.engine.model import Model
from simlib.timekeeping import DAY
from simlib.visual import replay
from simlib.visual.scene import absent_officers, default_day, hall_day
from tests.replay_hall import DAY_NO, booked_hall, expected_at, hall, queued, sample_times


def test_absences_are_the_rosters() -> None:
    """The absences the replay draws again are the engine's, officer by officer, day by day."""
    scenario = hall(horizon={"days": 12, "warmup_days": 0})
    for seed in (1, 2):
        model = Model(scenario, seed)
        seen = 0
        for day in range(12):
            if not model.calendar.is_workday[day]:
                continue
            model.env.run(until=day * DAY + 10 * 60)  # mid-morning: the roster has drawn
            engine = [o.absent for o in model.desks["wa"].officers]
            assert absent_officers(scenario, seed, day, "wa") == engine, (seed, day)
            seen += sum(engine)
        assert seen > 0  # absences happened, so the check compared something


def test_absence_spells_follow_the_engine() -> None:
    scenario = hall(
        horizon={"days": 15, "warmup_days": 0},
        pools={
            **hall().model_dump()["pools"],
            "wa": {"count": 4, "absence": {"daily_prob": 0.3, "mean_days": 4}},
        },
    )
    model = Model(scenario, 5)
    for day in model.calendar.workdays():
        model.env.run(until=day * DAY + 10 * 60)
        assert absent_officers(scenario, 5, day, "wa") == [
            o.absent for o in model.desks["wa"].officers
        ]


@pytest.fixture(scope="module")
def run():
    scenario = hall()
    return scenario, simulate(scenario, 3)


def _at(data: dict, t: float) -> dict[str, list[int]]:
    """The scene's rule, applied to the columns in Python (JavaScript applies it in the page)."""
    T = data["tickets"]
    waiting = [0] * len(data["areas"])
    busy = [0] * len(data["areas"])
    serving = set()
    for i in range(len(T["id"])):
        leaves = T["call"][i] if T["call"][i] is not None else T["end"][i]
        leaves = np.inf if leaves is None else leaves
        if T["t"][i] <= t < leaves:
            waiting[T["area"][i]] += 1
        elif (
            T["call"][i] is not None
            and T["call"][i] <= t
            and (T["end"][i] is None or t < T["end"][i])
        ):
            serving.add(T["win"][i])
    for j, w in enumerate(data["windows"]):
        back = any(a <= t < b for a, b in w["back"])
        if j in serving or (back and not w["absent"]):
            busy[w["area"]] += 1
    return {"waiting": waiting, "busy": busy}


def test_columns_agree_with_the_records_at_random_instants(run) -> None:
    scenario, records = run
    data = hall_day(records, scenario, 3, DAY_NO)
    origin = DAY_NO * DAY
    for t in sample_times(records, DAY_NO, 40):
        assert _at(data, t - origin) == expected_at(records, scenario, t, 3), t


def test_every_served_ticket_has_a_window_that_was_there(run) -> None:
    scenario, records = run
    data = hall_day(records, scenario, 3, DAY_NO)
    T, windows = data["tickets"], data["windows"]
    served = [i for i, o in enumerate(T["out"]) if o == 0]
    assert served and all(T["win"][i] >= 0 for i in served)
    for i in served:
        w = windows[T["win"][i]]
        assert not w["absent"]
        assert w.get("backup") or data["areas"][T["area"][i]]["pools"] == [w["pool"]]
    assert any(w["absent"] for w in windows)  # the hall has an absentee on this day
    assert any(w["back"] for w in windows)  # window officers did back-office work
    assert any(w.get("backup") for w in windows)  # AB backups from the back office served
    for w in windows:  # back-office work only while on shift
        for a, b in w["back"]:
            assert any(s <= a and b <= e for s, e in w["shifts"])
    left = [i for i, o in enumerate(T["out"]) if o == 1]
    assert left and all(T["call"][i] is None for i in left)


def test_booked_tickets_queue_from_eligibility_and_balkers_never_queue() -> None:
    """A booked ticket waits from when it became eligible (its step's enqueued), not from its
    slot; balked, refused and no-show applicants join and leave at one instant."""
    scenario = booked_hall()
    records = simulate(scenario, 3)
    data = hall_day(records, scenario, 3, DAY_NO)
    origin = DAY_NO * DAY
    for t in sample_times(records, DAY_NO, 40):
        assert _at(data, t - origin) == expected_at(records, scenario, t, 3), t
    T = data["tickets"]
    v = queued(records)
    day = v[v["ticket"] // DAY == DAY_NO]
    outcomes = day.groupby(["kind", "outcome"], observed=True).size()
    booked = [i for i, k in enumerate(T["kind"]) if k == 3]
    assert len(booked) == outcomes["booked"].sum() and all(T["slot"][i] is not None for i in booked)
    assert all(T["slot"][i] is None for i, k in enumerate(T["kind"]) if k != 3)
    served = [i for i in booked if T["out"][i] == 0]
    assert served and all(T["win"][i] >= 0 for i in served)
    early = [i for i in served if T["t"][i] < T["slot"][i]]  # eligible before the slot
    assert early and all(T["t"][i] >= T["slot"][i] - 15 for i in early)  # early window 15 min
    for name, n in (("balked", 5), ("no_show", 6), ("refused", 7)):
        gone = [i for i, o in enumerate(T["out"]) if o == n]
        assert len(gone) == int(day["outcome"].eq(name).sum()) > 0, name
        assert all(T["t"][i] == T["end"][i] and T["call"][i] is None for i in gone), name


def test_default_day_and_bad_days(run) -> None:
    scenario, records = run
    assert default_day(records, scenario) == 2
    with pytest.raises(ValueError, match=r"not a working day.*near it: 0, 1, 2"):
        hall_day(records, scenario, 3, 5)
    with pytest.raises(ValueError, match="detail"):
        hall_day(simulate(scenario, 3, "kpi"), scenario, 3, 2)


def test_page_is_offline_and_self_contained(run, tmp_path) -> None:
    scenario, records = run
    page = replay(records, scenario, 3)
    text = page.save(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    assert text.count("<script") == 2 and "__DATA__" not in text
    assert page.data["day"] == DAY_NO
    assert "<iframe srcdoc=" in page._repr_html_()

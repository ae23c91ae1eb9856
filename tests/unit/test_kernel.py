"""The hall kernel gives ticket-by-ticket the records of the SimPy engine, and is chosen
only where it applies."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from simlib.engine import Records, simulate
from simlib.engine.kernel import ENGINE_VARIABLE, choose_engine, kernel_refusal
from simlib.files import scenario_from_dict
from simlib.scenario import Scenario
from tests.unit.golden_halls import chains_hall, district, send_home_hall, windows_hall


def district_windows(days: int = 8) -> Scenario:
    """The district hall's windows: its matters without their approval chains."""
    base = district(days, 1)
    return base.model_copy(
        update={"matters": [m.model_copy(update={"chain": []}) for m in base.matters]}
    )


def comprehensive_windows() -> Scenario:
    hall = windows_hall()
    return hall.model_copy(
        update={
            "hall": hall.hall.model_copy(update={"mode": "comprehensive", "at_close": "send_home"})
        }
    )


def _dist(mean: float, cv: float = 0.5, kind: str = "lognormal") -> dict[str, Any]:
    return {"dist": kind, "mean": mean, "cv": cv}


def backup_priority_hall() -> Scenario:
    """Dedicated windows with AB posts (a spare officer who takes front's tickets while one
    of its officers is away; front takes side's), priorities, impatient holders who often come back, a
    shift that leaves before closing (no leftovers for it), a second shift at lunch time,
    over-dispersed days, a demand factor, holidays, and a matter with no patience at all."""
    return scenario_from_dict(
        {
            "name": "backup-priority",
            "horizon": {"days": 9, "warmup_days": 1},
            "demand_factor": 1.15,
            "calendar": {"start_date": "2025-03-03", "holidays": ["2025-03-05"]},
            "hall": {
                "ticket_cutoff": "16:30",
                "patience": _dist(25, 0.7),
                "renege_return_prob": 0.6,
                "return_delay_days": {"dist": "triangular", "min": 0.5, "mode": 1, "max": 3},
            },
            "pools": {
                "front": {
                    "count": 3,
                    "absence": {"daily_prob": 0.3, "mean_days": 2},
                    "backup": "spare",
                },
                "spare": {"count": 1, "hours": ["09:00-12:00", "14:00-16:00"]},
                "side": {
                    "shifts": [
                        {"hours": ["09:00-15:00"], "count": 1},
                        {"hours": ["12:00-17:00"], "count": 1},
                    ],
                    "absence": {"daily_prob": 0.1},
                    "backup": "front",
                },
            },
            "matters": [
                {
                    "id": "vip",
                    "arrivals": {"per_hour": 2},
                    "priority": 3,
                    "acceptance": {"pool": "front", "time": _dist(9)},
                    "collection": "in_person",
                },
                {
                    "id": "plain",
                    "arrivals": {
                        "per_day": 70,
                        "profile": {"09": 2, "10": 1.5, "11": 1, "13": 1, "14": 1, "15": 1},
                        "day_factor": {"cv": 0.3},
                    },
                    "complete_prob": 0.75,
                    "acceptance": {"pool": "front", "time": _dist(11, 0.8, "gamma")},
                },
                {
                    "id": "patient",
                    "arrivals": {"per_hour": 3},
                    "patience": _dist(500, 0.2),
                    "acceptance": {"pool": "side", "time": _dist(14)},
                    "collection": "in_person",
                    "collection_time": {"dist": "exponential", "mean": 3},
                },
            ],
        }
    )


def comprehensive_priority_hall() -> Scenario:
    """Comprehensive windows sending leftovers home, priorities in the shared queue (sent
    home in priority order), no hall patience (only one matter's holders renege, and never
    come back), short Fridays."""
    return scenario_from_dict(
        {
            "name": "comprehensive-priority",
            "horizon": {"days": 8, "warmup_days": 1},
            "calendar": {"hours_by_weekday": {"fri": ["09:00-13:00"]}},
            "hall": {"mode": "comprehensive", "at_close": "send_home"},
            "pools": {
                "p1": {"count": 2, "absence": {"daily_prob": 0.15}},
                "p2": {"count": 2, "hours": ["10:00-12:00", "13:00-16:00"]},
            },
            "matters": [
                {
                    "id": "a",
                    "arrivals": {"per_hour": 7},
                    "priority": 1,
                    "complete_prob": 0.8,
                    "acceptance": {"pool": "p1", "time": _dist(15)},
                },
                {
                    "id": "b",
                    "arrivals": {"per_hour": 6},
                    "patience": _dist(45),
                    "acceptance": {"pool": "p2", "time": _dist(12, 0.3, "gamma")},
                    "collection": "in_person",
                },
            ],
        }
    )


HALLS = {
    "windows": windows_hall,
    "send_home": send_home_hall,
    "district_windows": district_windows,
    "comprehensive": comprehensive_windows,
    "backup_priority": backup_priority_hall,
    "comprehensive_priority": comprehensive_priority_hall,
}


def assert_same_records(a: Records, b: Records) -> None:
    for table in ("cases", "visits", "steps"):
        ca, cb = a.arrays(table), b.arrays(table)
        assert list(ca) == list(cb)
        for column in ca:
            assert np.array_equal(ca[column], cb[column], equal_nan=True), f"{table}.{column}"
    assert a.end == b.end
    assert a.daily_backlog == b.daily_backlog
    assert a.tally == b.tally


@pytest.mark.parametrize("name", list(HALLS))
def test_kernel_records_every_ticket_as_the_simpy_engine(name: str) -> None:
    scenario = HALLS[name]()
    assert kernel_refusal(scenario) is None
    for seed in (3, 11):
        simpy_records = simulate(scenario, seed, engine="simpy")
        kernel_records = simulate(scenario, seed, engine="kernel")
        assert len(simpy_records.arrays("visits")["case"]) > 500  # enough tickets to differ
        assert_same_records(simpy_records, kernel_records)


def _outcomes(records: Records) -> set[str]:
    return set(records.visits["outcome"][records.visits["outcome"].notna()].astype(str))


def test_the_feature_halls_exercise_what_they_are_for() -> None:
    """The halls above would not catch a kernel that got a feature wrong if the feature
    never came into play: check that it does (reneging, returns, leftovers, AB help...)."""
    backup = simulate(backup_priority_hall(), 3, detail="kpi", engine="kernel")
    visits = backup.visits
    assert {"served", "reneged"} <= _outcomes(backup)
    assert {"submit", "return", "collect"} <= set(visits["kind"].astype(str))
    assert backup.tally["spare"].busy > 0  # the AB post served front's tickets
    after_closing = visits["call"] % 1440 >= 17 * 60
    assert after_closing.any()  # leftovers served after closing (serve_all)
    shared = simulate(comprehensive_priority_hall(), 11, detail="kpi", engine="kernel")
    assert {"served", "reneged", "sent_home"} <= _outcomes(shared)
    reneged = shared.visits[shared.visits["outcome"] == "reneged"]
    assert set(shared.matters[c] for c in shared.arrays("cases")["matter"][reneged["case"]]) == {
        "b"
    }  # only the matter with a patience reneges


def test_kernel_keeps_every_ticket_with_kpi_records_and_other_seeds() -> None:
    scenario = backup_priority_hall()
    for seed in (0, 7, 2024):
        assert_same_records(
            simulate(scenario, seed, detail="kpi", engine="simpy"),
            simulate(scenario, seed, detail="kpi", engine="kernel"),
        )


def test_auto_takes_the_kernel_only_for_window_halls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert choose_engine(windows_hall()) == "kernel"
    assert choose_engine(chains_hall()) == "simpy"  # back offices: the reference engine
    assert "approval chain" in (kernel_refusal(district()) or "")
    assert choose_engine(windows_hall(), "simpy") == "simpy"
    with pytest.raises(ValueError, match="cannot run this scenario: matter 'permit'"):
        simulate(chains_hall(), 1, engine="kernel")
    monkeypatch.setenv(ENGINE_VARIABLE, "simpy")  # what `simlib run --engine simpy` sets
    assert choose_engine(windows_hall()) == "simpy"
    monkeypatch.setenv(ENGINE_VARIABLE, "fast")
    with pytest.raises(ValueError, match="SIMLIB_ENGINE must be auto, simpy or kernel"):
        simulate(windows_hall(), 1)


def test_kernel_refuses_what_it_was_not_checked_against() -> None:
    hall = windows_hall()
    online = hall.model_copy(
        update={"matters": [hall.matters[0].model_copy(update={"online_share": 0.2})]}
    )
    assert "online" in (kernel_refusal(online) or "")


def test_run_refuses_a_forced_kernel_it_cannot_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from simlib.cli import main

    monkeypatch.setenv(ENGINE_VARIABLE, "auto")  # restored after the test (run sets it)
    assert main(["run", "scenarios/new_district.yaml", "--engine", "kernel"]) == 2
    assert "approval chain" in capsys.readouterr().err

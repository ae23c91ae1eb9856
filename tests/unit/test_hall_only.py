"""Hall-only staffing runs (``simlib.optimize.hall_only``): where no back-office work sends
anyone to the windows, the hall's tickets are the same without the approval chains, ticket
by ticket on the same seeds, and the staffing search gives the same answer; where collections
in person do, the tickets differ and the search simulates the whole model, saying why."""

from __future__ import annotations

import math
from typing import Any

import pytest

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.optimize.hall_only import feedback, hall_only, plan
from simlib.optimize.search import optimize
from tests.optimize_helpers import optimization

WEEK = ["mon", "tue", "wed", "thu", "fri"]


def _hall(collection: str) -> dict[str, Any]:
    """Two windows, a back office and an approval chain with rework; lunch, returns."""
    step = {"dist": "gamma", "mean": 40, "cv": 0.5}
    return {
        "name": "hall with back office",
        "horizon": {"days": 8, "warmup_days": 1, "drain_days": 0},
        "calendar": {"workdays": WEEK, "hours": ["09:00-12:00", "13:00-17:00"]},
        "hall": {"patience": {"dist": "exponential", "mean": 40}, "renege_return_prob": 0.5},
        "pools": {"front": {"count": 3}, "desk": {"count": 2}, "review": {"count": 2}},
        "matters": [
            {
                "id": "permit",
                "arrivals": {"per_hour": 14},
                "complete_prob": 0.8,
                "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 10}},
                "chain": [{"id": "check", "pool": "review", "time": step, "rework_prob": 0.2}],
                "collection": collection,
            },
            {
                "id": "licence",
                "arrivals": {"per_hour": 8},
                "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 12}},
                "chain": [{"id": "sign", "pool": "review", "time": step}],
                "collection": collection,
            },
        ],
    }


def _hall_tickets(data: dict[str, Any], seed: int, without_chains: bool) -> Any:
    scenario = scenario_from_dict(data)
    if without_chains:
        scenario = hall_only(scenario)
    records = simulate(scenario, seed)
    visits = records._visits.frame()
    hall = {records.pools.index(p) for p in ("front", "desk")}
    visits = visits[visits["pool"].isin(hall)]
    return visits.sort_values(["case", "ticket"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [3, 11])
def test_without_feedback_the_hall_tickets_are_the_same_without_the_chains(seed: int) -> None:
    data = _hall("mail")
    assert feedback(scenario_from_dict(data)) == []
    full, alone = _hall_tickets(data, seed, False), _hall_tickets(data, seed, True)
    assert len(full) > 500 and full.equals(alone)


def test_collections_in_person_feed_the_hall_and_the_tickets_differ() -> None:
    data = _hall("in_person")
    assert any("collected in person" in f for f in feedback(scenario_from_dict(data)))
    full, alone = _hall_tickets(data, 3, False), _hall_tickets(data, 3, True)
    assert not full.equals(alone)  # collections come when the back office decides


SPEC = {
    "optimize": "front and desk windows",
    "seed": 2,
    "replications": {"min": 3, "max": 8},
    "decisions": {"pools.front.count": {"range": [1, 8]}, "pools.desk.count": {"range": [1, 6]}},
    "objective": {"minimize": "officer_hours"},
    "requirements": [{"kpi": "hall_wait_p90_min", "max": 25}, {"kpi": "abandon_rate", "max": 0.1}],
    "confidence": 0.9,
}


def test_the_hall_only_search_gives_the_full_search_s_answer(tmp_path) -> None:
    opt = optimization(tmp_path, _hall("mail"), SPEC)
    alone, full = optimize(opt), optimize(opt, hall_only=False)
    assert alone.evaluator.hall.used and not full.evaluator.hall.used
    assert alone.best == full.best and alone.feasible == full.feasible
    for key, rows in full.evaluator.rows.items():  # every run: the same hall KPIs
        mine = alone.evaluator.rows[key]
        for a, b in zip(mine, rows, strict=True):
            assert a["hall_wait_p90_min"] == b["hall_wait_p90_min"]
            assert a["abandon_rate"] == b["abandon_rate"]
            assert math.isnan(a["lead_time_mean_days"])  # not known without the back office
    in_person = optimization(tmp_path / "p", _hall("in_person"), SPEC)
    assert "collected in person" in plan(in_person, replay=False).why  # the whole model
    assert plan(in_person).replayed == ["permit", "licence"]  # see test_injected_visits.py

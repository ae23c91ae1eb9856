"""Replayed back-office visits (``simlib.engine.injected``) and the hall-only staffing search
that uses them: with today's staffing the hall-only run's tickets are the whole model's,
ticket by ticket; leaving out any part of the replay (the collections, the department visits
before them) changes them; the search's answer is the whole-model search's answer."""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import partial
from typing import Any

import pytest

from simlib.engine import back_office_visits, simulate
from simlib.engine.injected import BackOfficeVisits
from simlib.engine.kernel import choose_engine
from simlib.experiment.store import measure_name
from simlib.files import scenario_from_dict
from simlib.optimize.evaluate import Evaluator, ReplayRun, run_staffing
from simlib.optimize.hall_only import hall_only, plan
from simlib.optimize.output import result_json
from simlib.optimize.search import optimize
from tests.optimize_helpers import optimization
from tests.unit.test_hall_only import SPEC, _hall

MATTERS = ("permit", "licence")


def _with_department_visits(data: dict[str, Any]) -> dict[str, Any]:
    """The licence chain also asks the applicant in, at the department (not a hall ticket),
    so a collection's draws depend on visits the hall-only run does not make."""
    data = copy.deepcopy(data)
    data["matters"][1]["chain"] = [
        {"id": "hear", "pool": "review", "time": {"dist": "exponential", "mean": 15}}
        | {"applicant_visit": True, "rework_prob": 0.3},
        {"id": "sign", "pool": "review", "time": {"dist": "gamma", "mean": 40, "cv": 0.5}},
    ]
    return data


def _tickets(records: Any) -> Any:
    visits = records._visits.frame()
    hall = {records.pools.index(p) for p in ("front", "desk")}
    visits = visits[visits["pool"].isin(hall)]
    return visits.sort_values(["case", "ticket"]).reset_index(drop=True)


def _runs(seed: int) -> tuple[Any, Any, BackOfficeVisits]:
    full = scenario_from_dict(_with_department_visits(_hall("in_person")))
    records, kept = back_office_visits(full, seed, MATTERS, detail="full")
    return hall_only(full), records, kept


@pytest.mark.parametrize("seed", [3, 11])
def test_replayed_visits_give_the_whole_model_s_hall_tickets(seed: int) -> None:
    alone, records, kept = _runs(seed)
    full = _tickets(records)
    replayed = _tickets(simulate(alone, seed, replay=kept))
    collections = (full["kind"] == 2).sum()  # VISIT_KINDS: submit, return, collect, ...
    assert len(full) > 500 and collections > 50 and len(kept.visits) > 50
    assert any(v.department_visits for v in kept.visits)  # department visits came first
    assert full.equals(replayed)


def test_a_wrong_replay_changes_the_tickets() -> None:
    alone, records, kept = _runs(3)
    full = _tickets(records)

    def changed(visits: Any) -> BackOfficeVisits:
        return BackOfficeVisits(3, kept.matters, tuple(visits))

    wrong = {
        "no collections": changed([]),
        "one matter's collections dropped": changed(v for v in kept.visits if v.matter == "permit"),
        "department visits not counted": changed(
            replace(v, department_visits=0) for v in kept.visits
        ),
        "decided an hour later": changed(replace(v, decided=v.decided + 60) for v in kept.visits),
    }
    for what, replay in wrong.items():
        assert not full.equals(_tickets(simulate(alone, 3, replay=replay))), what


def test_replays_are_refused_where_they_cannot_be_right() -> None:
    alone, _, kept = _runs(3)
    with pytest.raises(ValueError, match="seed 3; this run's seed is 4"):
        simulate(alone, 4, replay=kept)
    whole = scenario_from_dict(_hall("in_person"))
    with pytest.raises(ValueError, match="collections would come twice"):
        simulate(whole, 3, replay=kept)
    # the hall kernel does not replay: "auto" takes SimPy, "kernel" says why not
    assert choose_engine(alone) == "kernel"
    assert choose_engine(alone, replayed=True) == "simpy"
    with pytest.raises(ValueError, match="replays hall visits"):
        simulate(alone, 3, engine="kernel", replay=kept)


def test_the_replayed_search_gives_the_whole_model_search_s_answer(tmp_path) -> None:
    opt = optimization(tmp_path, _hall("in_person"), SPEC)
    alone, whole = optimize(opt), optimize(opt, hall_only=False)
    ev = alone.evaluator
    assert ev.hall.used and ev.hall.replayed == list(MATTERS) and not whole.evaluator.hall.used
    assert alone.best == whole.best and alone.feasible == whole.feasible is True
    # the chosen staffing and today were judged on whole-model runs, the same as the whole
    # search's (same seeds, same scenario)
    for c in (alone.best, alone.today):
        assert ev.on_whole_model(c)
        mine, theirs = ev.rows[c.key()], whole.evaluator.rows[c.key()]
        assert len(mine) >= SPEC["replications"]["min"]
        for a, b in zip(mine, theirs, strict=False):
            assert _same({k: v for k, v in a.items() if k != "seconds"}, b)
    # Before its check, the chosen staffing was judged on hall-only runs: the replayed
    # collections came as they did in the whole model (staffing changes move a few).
    hall, checked = ev.hall_rows[alone.best.key()], ev.rows[alone.best.key()]
    for r, row in hall.items():
        assert _tickets_per_day(row) == pytest.approx(_tickets_per_day(checked[r]), rel=0.01)
    model = result_json(alone)["model"]
    assert model["hall_only"] and model["whole_model_check"]["feasible"] is True
    assert model["whole_model_check"]["hall_only_feasible"] is True


def _tickets_per_day(row: dict[str, Any]) -> float:
    return sum(v for k, v in row.items() if k.startswith("tickets_per_day[hour="))


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal rows (NaN equals NaN)."""
    return all(k in b and (a[k] == b[k] or (a[k] != a[k] and b[k] != b[k])) for k in a)


def test_replayed_runs_are_stored_apart_from_other_runs(tmp_path) -> None:
    opt = optimization(tmp_path, _hall("in_person"), SPEC)
    ev = Evaluator(opt)
    assert ev.hall.replayed == list(MATTERS)
    run = ReplayRun(ev._source, MATTERS, {})
    assert run.measure_name != measure_name(partial(run_staffing, daily=()))
    busier = copy.deepcopy(_hall("in_person"))
    busier["pools"]["review"]["count"] = 3  # another back office: other collection times
    assert Evaluator(optimization(tmp_path / "c", busier, SPEC))._source != ev._source
    assert plan(opt, replay=False).used is False

"""Conservation on random small halls: no applicant is lost or duplicated."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simlib.engine import simulate
from simlib.files import scenario_from_dict

POOLS = ["p0", "p1", "p2"]


def _time() -> st.SearchStrategy[dict[str, Any]]:
    mean = st.floats(1, 40)
    return st.one_of(
        mean.map(lambda m: {"dist": "exponential", "mean": m}),
        st.tuples(mean, st.floats(0.1, 1.5)).map(
            lambda t: {"dist": "lognormal", "mean": t[0], "cv": t[1]}
        ),
        mean.map(lambda m: {"dist": "constant", "value": m}),
    )


@st.composite
def _step(draw: st.DrawFn, sid: str) -> dict[str, Any]:
    if draw(st.booleans()) and draw(st.booleans()):
        return {"id": sid, "delay_days": draw(st.floats(0, 2))}
    return {
        "id": sid,
        "pool": draw(st.sampled_from(POOLS)),
        "time": draw(_time()),
        "rework_prob": draw(st.sampled_from([0.0, 0.2])),
        "applicant_visit": draw(st.booleans()),
    }


@st.composite
def halls(draw: st.DrawFn) -> dict[str, Any]:
    matters = []
    for i in range(draw(st.integers(1, 2))):
        chain: list[Any] = []
        for j in range(draw(st.integers(0, 3))):
            if draw(st.booleans()) and draw(st.booleans()):
                chain.append({"parallel": [draw(_step(f"s{j}a")), draw(_step(f"s{j}b"))]})
            else:
                chain.append(draw(_step(f"s{j}")))
        matters.append(
            {
                "id": f"m{i}",
                "arrivals": {"per_hour": draw(st.floats(0.5, 12))},
                "complete_prob": draw(st.sampled_from([1.0, 0.7])),
                "acceptance": {"pool": draw(st.sampled_from(POOLS)), "time": draw(_time())},
                "chain": chain,
                "handoff_days": draw(st.sampled_from([0.0, 0.5])),
                "collection": draw(st.sampled_from(["none", "in_person", "mail"])),
            }
        )
    patience = draw(st.sampled_from([None, {"dist": "exponential", "mean": 20}]))
    return {
        "name": "random hall",
        "horizon": {"days": 6, "warmup_days": 1},
        "hall": {
            "mode": draw(st.sampled_from(["dedicated", "comprehensive"])),
            "at_close": draw(st.sampled_from(["serve_all", "send_home"])),
            "patience": patience,
            "renege_return_prob": draw(st.sampled_from([0.0, 1.0])),
            "return_delay_days": {"dist": "uniform", "min": 0.2, "max": 2},
        },
        "pools": {p: {"count": draw(st.integers(1, 3))} for p in POOLS},
        "matters": matters,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(halls(), st.integers(0, 2**31 - 1))
def test_every_applicant_is_accounted_for(data: dict[str, Any], seed: int) -> None:
    scenario = scenario_from_dict(data)
    records = simulate(scenario, seed)
    cases, visits, steps = records.cases, records.visits, records.steps

    # Every ticket and every piece of work belongs to a recorded case.
    assert len(cases) > 0
    assert set(visits["case"]) <= set(cases.index) and set(steps["case"]) <= set(cases.index)
    decided = cases[cases["status"] == "decided"]
    assert (decided["decision"] >= decided["accepted"]).all()
    assert (decided["accepted"] >= decided["arrival"]).all()

    # Every hall visit counted on a case is in the visits table exactly once.
    per_case = visits.groupby("case").size().reindex(cases.index, fill_value=0)
    assert (per_case == cases["visits"]).all()
    # Nobody is served twice for one ticket, and each case has exactly one first submission.
    first = visits[visits["kind"] == "submit"].groupby("case").size()
    assert (first == 1).all()
    assert set(first.index) == set(cases.index[cases["visits"] > 0])

    # A decided case went through every officer step of its chain.
    # (Joins, not a Python loop per case: same check, a few seconds less of the suite.)
    need = pd.DataFrame(
        [(m.id, s.id) for m in scenario.matters for s in m.steps() if hasattr(s, "pool")],
        columns=["matter", "activity"],
    )
    done = pd.DataFrame(
        {"case": steps["case"].to_numpy(np.int64), "activity": steps["activity"].astype(str)}
    ).drop_duplicates()
    owed = pd.DataFrame(
        {"case": decided.index.to_numpy(np.int64), "matter": decided["matter"].astype(str)}
    ).merge(need, on="matter")
    found = owed.merge(done, on=["case", "activity"], how="left", indicator=True)
    assert (found["_merge"] == "both").all(), found[found["_merge"] != "both"].head()

    # Served tickets have call <= end; waits are never negative; work starts after it is
    # handed over and ends after it starts.
    served = visits[visits["outcome"] == "served"]
    assert (served["wait"] >= 0).all() and (served["end"] >= served["call"]).all()
    assert (steps["start"] >= steps["enqueued"]).all() and (steps["end"] >= steps["start"]).all()

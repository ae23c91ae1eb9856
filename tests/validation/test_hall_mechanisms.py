"""Absences, AB posts, reneging, rework, online channel, collection, commitment:
each against what it must do, quantitatively where theory has the number."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simlib import theory
from simlib.engine import simulate
from simlib.metrics import kpis
from tests.helpers import always_open, assert_in_ci, exp, kpi_samples


def _desk(lam_per_min: float, c: int, mean: float, days: int, **matter: Any) -> dict[str, Any]:
    return {
        "id": "m",
        "arrivals": {"per_hour": lam_per_min * 60},
        "acceptance": {"pool": "desk", "time": exp(mean)},
        **matter,
    }


def test_erlang_a_abandonment_and_wait() -> None:
    lam, mu, theta, c = (
        1.0,
        0.1,
        1 / 20,
        10,
    )  # offered load 10 on 10 officers: only patience keeps it stable
    # 30 days (was 40): half-widths 3.8 % (abandonment) and 3.6 % (wait) of Erlang A's,
    # well inside the 6 % that makes it a test.
    scenario = always_open(
        30,
        2,
        {"desk": {"count": c}},
        [_desk(lam, c, 1 / mu, 30)],
        hall={"patience": exp(1 / theta), "renege_return_prob": 0.0},
    )
    exact = theory.erlang_a(lam, mu, theta, c)
    got = kpi_samples(scenario, 10, 21, "abandon_rate", "hall_wait_mean_min")
    assert_in_ci(got["abandon_rate"], exact["p_abandon"], 0.06)
    assert_in_ci(got["hall_wait_mean_min"], exact["mean_wait_served"], 0.06)


def test_absences_without_backup_remove_capacity() -> None:
    """10 officers each absent 20 % of days: 8 present on average; work and throughput unchanged."""
    lam, mean, c, p = 0.6, 10.0, 10, 0.2  # 6 officers' worth of work
    pools = {"desk": {"count": c, "absence": {"daily_prob": p}}}
    scenario = always_open(60, 2, pools, [_desk(lam, c, mean, 60)])
    got = kpi_samples(scenario, 8, 23, "utilization[desk]", "throughput_per_day")
    assert_in_ci(got["utilization[desk]"], lam * mean / (c * (1 - p)), 0.02)
    assert_in_ci(got["throughput_per_day"], lam * 1440, 0.01)
    present = always_open(60, 2, {"desk": {"count": c}}, [_desk(lam, c, mean, 60)])
    full = kpi_samples(present, 8, 23, "utilization[desk]")
    assert_in_ci(full["utilization[desk]"], lam * mean / c, 0.02)


def _ab(absence: float, backup: bool) -> Any:
    pools = {
        "front": {
            "count": 4,
            "absence": {"daily_prob": absence},
            **({"backup": "other"} if backup else {}),
        },
        "other": {"count": 4},
    }
    matters = [
        {"id": "a", "arrivals": {"per_hour": 18}, "acceptance": {"pool": "front", "time": exp(10)}},
        {"id": "b", "arrivals": {"per_hour": 9}, "acceptance": {"pool": "other", "time": exp(10)}},
    ]
    return always_open(40, 2, pools, matters)


def test_ab_backup_lowers_wait_only_when_officers_are_absent() -> None:
    without = kpi_samples(_ab(0.25, False), 8, 29, "queue_wait_mean_min[front]")[
        "queue_wait_mean_min[front]"
    ]
    with_ab = kpi_samples(_ab(0.25, True), 8, 29, "queue_wait_mean_min[front]")[
        "queue_wait_mean_min[front]"
    ]
    diff = without - with_ab  # paired by seed (common random numbers)
    assert diff.min() > 0, "AB backup must lower the backed-up pool's wait in every replication"
    assert diff.mean() > 0.3 * without.mean()
    # No absences: the backup never steps in, so the run is identical bit for bit.
    a, b = simulate(_ab(0.0, False), 5), simulate(_ab(0.0, True), 5)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    assert kpis(a)["hall_wait_mean_min"] == kpis(b)["hall_wait_mean_min"]


def test_rework_multiplies_step_load() -> None:
    lam, mean, p, c = 0.2, 10.0, 0.3, 4
    scenario = always_open(
        40,
        2,
        {"desk": {"count": 5}, "review": {"count": c}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam * 60},
                "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 1}},
                "chain": [{"id": "review", "pool": "review", "time": exp(mean), "rework_prob": p}],
            }
        ],
        hall={"return_delay_days": exp(0.1)},
    )
    got = kpi_samples(scenario, 8, 31, "utilization[review]")
    assert_in_ci(got["utilization[review]"], lam * mean / (1 - p) / c, 0.03)


def test_online_share_lowers_hall_arrivals_and_online_cases_never_visit() -> None:
    share = 0.4
    scenario = always_open(
        20,
        2,
        {"desk": {"count": 4}},
        [_desk(0.25, 4, 10, 20, online_share=share)],
    )
    records = simulate(scenario, 37)
    cases = records.cases
    online = cases["channel"] == "online"
    n = len(cases)
    half = 3 * np.sqrt(share * (1 - share) / n)
    assert abs(online.mean() - share) < half
    assert (cases.loc[online, "visits"] == 0).all()  # pre-reviewed in the back office
    visits = records.visits
    assert set(visits["case"]) == set(cases.index[~online])
    # The acceptance pool still does the online pre-review: same work, no tickets.
    assert (
        records.steps[records.steps["case"].isin(cases.index[online])]["activity"] == "acceptance"
    ).all()


def test_collection_in_person_adds_exactly_one_visit() -> None:
    def hall(collection: str) -> Any:
        return always_open(
            30,
            2,
            {"desk": {"count": 4}},
            [_desk(0.2, 4, 10, 30, complete_prob=0.7, collection=collection)],
            hall={"return_delay_days": exp(0.2)},
        )

    none, in_person = simulate(hall("none"), 41), simulate(hall("in_person"), 41)
    both = none.cases.merge(in_person.cases, left_index=True, right_index=True, suffixes=("", "_p"))
    both = both[(both["status"] == "decided") & (both["status_p"] == "decided")]
    collected = set(in_person.visits.loc[in_person.visits["kind"] == "collect", "case"])
    extra = both["visits_p"] - both["visits"]
    assert len(both) > 1000
    assert (extra[both.index.isin(collected)] == 1).all()
    assert (extra[~both.index.isin(collected)] == 0).all()  # collection still to come at the end


def test_commitment_decides_at_acceptance_and_verifies_after() -> None:
    scenario = always_open(
        30,
        2,
        {"desk": {"count": 4}, "check": {"count": 2}},
        [
            _desk(
                0.2,
                4,
                10,
                30,
                chain=[{"id": "verify", "pool": "check", "time": exp(8)}],
                commitment={"eligible": True, "verify": ["verify"], "fail_rate": 0.1},
            )
        ],
    )
    records = simulate(scenario, 43)
    decided = records.cases[records.cases["status"] == "decided"]
    assert (decided["decision"] == decided["accepted"]).all()  # lead time ends at acceptance
    steps = records.steps
    acceptance_end = steps[steps["activity"] == "acceptance"].groupby("case")["end"].max()
    np.testing.assert_allclose(decided["decision"], acceptance_end[decided.index])
    verify = steps[steps["activity"] == "verify"].set_index("case")
    assert (verify["start"] >= decided.loc[verify.index, "decision"]).all()  # after the decision
    revoked = decided["revoked"].mean()
    n = len(decided)
    assert abs(revoked - 0.1) < 3 * np.sqrt(0.09 / n)
    assert 0 < kpis(records)["revoked_rate"] < 0.2

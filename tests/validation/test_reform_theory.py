"""Reforms do what queueing theory says, applied through the reform catalogue."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simlib import reforms as R
from simlib import theory
from simlib.engine import simulate
from tests.helpers import always_open, assert_in_ci, exp, kpi_samples, walk_in


def test_comprehensive_windows_turn_two_mm5_into_mm10() -> None:
    matters = [walk_in(m, p, 10, per_hour=27) for m, p in (("a", "desk_a"), ("b", "desk_b"))]
    pools = {"desk_a": {"count": 5}, "desk_b": {"count": 5}}
    pooled = R.comprehensive_windows()(always_open(30, 3, pools, matters))
    # The reform makes exactly the pooled hall whose M/M/10 wait test_networks.py checks
    # against Erlang C (test_dedicated_vs_comprehensive_windows[comprehensive-10], same
    # seed and replications): the same 12 runs are not simulated a second time here.
    hall = always_open(30, 3, pools, matters, hall={"mode": "comprehensive"})
    assert pooled == hall
    assert theory.mmc_mean_wait(0.9, 0.1, 10) < 0.5 * theory.mmc_mean_wait(0.45, 0.1, 5)


def _series(days: int = 40) -> Any:
    steps = [{"id": b, "pool": b, "time": exp(1.0)} for b in ("fire", "env")]
    return always_open(
        days,
        2,
        {"desk": {"count": 1}, "fire": {"count": 1}, "env": {"count": 1}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 30},
                "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 0}},
                "chain": steps,
            }
        ],
    )


def test_parallelize_gives_the_fork_join_time_instead_of_the_series_sum() -> None:
    from tests.validation.test_networks import _fork_join

    # The reform makes exactly the fork-join hall whose mean response test_networks.py
    # checks against Flatto-Hahn (and against the series sum) with the same seed and
    # replications: those 10 runs are not simulated a second time here.
    parallel = R.parallelize(matter="m", steps=["fire", "env"])(_series())
    assert parallel == _fork_join(True) and _series() == _fork_join(False)


def test_remove_steps_removes_that_steps_sojourn() -> None:
    lam, mu = 0.5, 1.0
    cut = R.remove_steps(matter="m", steps=["env"])(_series())
    got = kpi_samples(cut, 10, 9, "lead_time_mean_days")["lead_time_mean_days"] * 1440
    assert_in_ci(got, 1 / (mu - lam), 0.06)  # one M/M/1 sojourn left (of the two)


def test_one_time_notification_gives_visits_one_over_p_plus_collection() -> None:
    base = always_open(
        60,
        3,
        {"desk": {"count": 4}},
        [walk_in("m", "desk", 10, per_hour=6, complete_prob=0.6, collection="in_person")],
        hall={"return_delay_days": exp(0.05)},
    )
    notified = R.one_time_notification(complete_prob=0.9)(base)
    got = kpi_samples(notified, 8, 3, "visits_per_case")
    assert_in_ci(got["visits_per_case"], 1 / 0.9 + 1, 0.01)


def test_ab_reform_lowers_wait_only_with_absences() -> None:
    def hall(p: float) -> Any:
        return always_open(
            30,
            2,
            {"front": {"count": 4, "absence": {"daily_prob": p}}, "other": {"count": 4}},
            [walk_in("a", "front", 10, per_hour=18), walk_in("b", "other", 10, per_hour=9)],
        )

    ab = R.ab_staffing(pairs={"front": "other"})
    key = "queue_wait_mean_min[front]"
    before = kpi_samples(hall(0.25), 6, 2, key)[key]
    after = kpi_samples(ab(hall(0.25)), 6, 2, key)[key]
    assert (after < before).all()
    pd.testing.assert_frame_equal(simulate(hall(0.0), 1).steps, simulate(ab(hall(0.0)), 1).steps)


def test_commitment_makes_lead_time_the_acceptance_time() -> None:
    base = always_open(
        20,
        2,
        {"desk": {"count": 3}, "check": {"count": 2}},
        [
            walk_in(
                "m",
                "desk",
                10,
                per_hour=6,
                chain=[{"id": "verify", "pool": "check", "time": exp(15)}],
            )
        ],
    )
    records = simulate(R.commitment(matters=["m"], fail_rate=0.05)(base), 6)
    cases = records.cases[records.cases["status"] == "decided"]
    acceptance = records.steps[records.steps["activity"] == "acceptance"].set_index("case")
    np.testing.assert_allclose(cases["decision"], acceptance.loc[cases.index, "end"])


def test_online_lowers_hall_arrivals_by_the_share() -> None:
    base = always_open(
        30,
        2,
        {"desk": {"count": 4}},
        [walk_in("m", "desk", 10, per_hour=12)],
    )
    before = simulate(base, 8).visits
    after = simulate(R.online(share=0.4)(base), 8).visits
    ratio = len(after) / len(before)
    n = len(before)
    assert abs(ratio - 0.6) < 3 * np.sqrt(0.24 / n)

"""Balking at the ticket display against queueing theory: a threshold is M/M/c/K (closed
form), a linear curve the birth-death chain solved numerically."""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib import theory
from simlib.engine import simulate
from simlib.metrics import kpi_row
from tests.helpers import always_open, assert_in_ci, exp, kpi_samples

LAM, MEAN, C = 0.3, 10.0, 3  # offered load 3 on 3 officers: only balking keeps it stable


def _hall(balking: dict[str, Any], days: int = 60, **matter: Any) -> Any:
    return always_open(
        days,
        2,
        {"desk": {"count": C}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": LAM * 60},
                "acceptance": {"pool": "desk", "time": exp(MEAN)},
                **matter,
            }
        ],
        hall={"balking": balking},
    )


def test_threshold_balking_is_mmck() -> None:
    # Nobody joins when 5 tickets wait: at most 3 + 5 in the hall.
    scenario = _hall({"curve": "step", "threshold": 5, "per_window": False})
    exact = theory.mmck(LAM, 1 / MEAN, C, C + 5)
    got = kpi_samples(scenario, 10, 41, "balk_rate", "hall_wait_mean_min")
    assert_in_ci(got["balk_rate"], exact["p_block"], 0.08)
    assert_in_ci(got["hall_wait_mean_min"], exact["mean_wait"], 0.05)


def test_linear_balking_per_window_matches_the_birth_death_chain() -> None:
    # Per window on duty: 0 at no one ahead, certain at 3 per window = 9 tickets ahead.
    scenario = _hall({"curve": "linear", "threshold": 0, "full_at": 3})
    chain = theory.balking_chain(LAM, 1 / MEAN, C, lambda q: max(0.0, 1 - q / (3 * C)))
    got = kpi_samples(scenario, 10, 43, "balk_rate", "hall_wait_mean_min")
    assert_in_ci(got["balk_rate"], chain["p_balk"], 0.08)
    assert_in_ci(got["hall_wait_mean_min"], chain["mean_wait"], 0.05)
    # A wrong reading of the curve (per window ignored: certain at 3 ahead) is far off.
    assert (
        chain["mean_wait"]
        > 1.5 * theory.balking_chain(LAM, 1 / MEAN, C, lambda q: max(0.0, 1 - q / 3))["mean_wait"]
    )


def test_balks_are_visits_that_return_or_give_up_and_show_per_matter_and_hour() -> None:
    gone = simulate(_hall({"curve": "step", "threshold": 2, "per_window": False}, days=6), 5)
    visits, cases = gone.visits, gone.cases
    balked = visits[visits["outcome"] == "balked"]
    assert len(balked) > 50
    assert (balked["ticket"] == balked["end"]).all() and balked["call"].isna().all()
    # return_prob 0: every balk ends its case; no balked case has a served visit.
    assert (cases.loc[balked["case"], "status"] == "abandoned").all()
    assert (cases["status"] == "abandoned").sum() == len(balked)
    back = simulate(
        _hall({"curve": "step", "threshold": 2, "per_window": False, "return_prob": 1}, days=6), 5
    )
    again = back.visits[back.visits["outcome"] == "balked"]
    assert (back.cases["status"] == "abandoned").sum() == 0
    later = back.visits[back.visits["case"].isin(again["case"])]
    assert (later.groupby("case").size() > 1).all()  # each came back at least once
    scenario = _hall({"curve": "step", "threshold": 2, "per_window": False}, days=6)
    row = kpi_row(gone, scenario)
    assert row["balk_rate"] == row["balk_rate[matter=m]"]
    hours = [row[k] for k in row if k.startswith("balk_rate[hour=")]
    assert len(hours) == 24 and np.nanmin(hours) > 0
    assert 0 < row["balk_rate"] < 1


def test_no_balking_draws_nothing() -> None:
    # A curve that never fires leaves the run bit-identical to no balking at all.
    never = _hall({"curve": "step", "threshold": 1e9}, days=4)
    plain = always_open(
        4,
        2,
        {"desk": {"count": C}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 12},
                "acceptance": {"pool": "desk", "time": exp(MEAN)},
            }
        ],
    )
    a, b = simulate(never, 3), simulate(plain.model_copy(update={"matters": never.matters}), 3)
    assert a.visits.equals(b.visits)

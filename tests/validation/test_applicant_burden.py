"""The applicant's burden: visits and hours per case, travel included."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import theory
from simlib.engine import simulate
from simlib.metrics import kpi_row
from tests.helpers import always_open, assert_in_ci, exp, kpi_row_samples


def test_hours_per_case_of_an_mmc_hall_are_wait_plus_service_plus_travel() -> None:
    lam, mean, c, travel = 0.9, 10.0, 10, 45.0  # per minute, minutes, officers, minutes
    scenario = always_open(
        20,
        2,
        {"clerk": {"count": c}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam * 60},
                "acceptance": {"pool": "clerk", "time": exp(mean)},
            }
        ],
        hall={"travel_min": travel},
    )
    got = kpi_row_samples(scenario, 6, 4, "applicant_hours_per_case", "visits_per_case")
    expected = (theory.mmc_mean_wait(lam, 1 / mean, c) + mean + travel) / 60
    assert_in_ci(got["applicant_hours_per_case"], expected, 0.03)
    assert (got["visits_per_case"] == 1).all()


def test_returns_collection_and_department_visits_each_cost_a_trip() -> None:
    travel = 30.0
    scenario = always_open(
        12,
        2,
        {"front": {"count": 4}, "dept": {"count": 3}},
        [
            {
                "id": "permit",
                "arrivals": {"per_hour": 6},
                "complete_prob": 0.6,
                "acceptance": {"pool": "front", "time": exp(8)},
                "chain": [{"id": "site", "pool": "dept", "time": exp(20), "applicant_visit": True}],
                "collection": "in_person",
            },
            {
                "id": "quick",
                "arrivals": {"per_hour": 6},
                "acceptance": {"pool": "front", "time": exp(8)},
            },
        ],
        hall={"travel_min": travel, "return_delay_days": {"dist": "constant", "value": 0.2}},
    )
    records = simulate(scenario, 8, detail="kpi")
    row = kpi_row(records, scenario)
    cases, visits = records.cases, records.visits
    cohort = (cases["arrival"] >= records.warmup) & (cases["arrival"] < records.horizon)
    decided = cases[cohort & (cases["status"] == "decided")]
    at_hall = (visits["end"] - visits["ticket"]).groupby(visits["case"]).sum()
    hours = (at_hall.reindex(decided.index, fill_value=0) + travel * decided["visits"]) / 60
    assert row["applicant_hours_per_case"] == pytest.approx(hours.mean())
    permit = decided["matter"] == "permit"
    assert row["applicant_hours_per_case[matter=permit]"] == pytest.approx(hours[permit].mean())
    # A permit: 1/0.6 submissions, a site visit and a collection: about 3.67 trips.
    assert row["visits_per_case[matter=permit]"] == pytest.approx(1 / 0.6 + 2, rel=0.05)
    assert row["visits_per_case[matter=quick]"] == 1
    trips = (
        row["applicant_hours_per_case[matter=permit]"]
        - row["applicant_hours_per_case[matter=quick]"]
    )
    assert trips > 2 * travel / 60  # at least two more trips than a quick matter
    assert np.isfinite(row["applicant_hours_per_case"])

"""Engine behaviour, asserted on the event log and the records of small runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simlib.engine import simulate
from simlib.files import scenario_from_dict
from simlib.timekeeping import DAY, HallCalendar
from tests.helpers import ALL_WEEK, always_open, constant, exp

CONST10 = constant(10)


def _hall(**over: Any) -> Any:
    data: dict[str, Any] = {
        "name": "unit",
        "horizon": {"days": 10, "warmup_days": 0},
        "pools": {"desk": {"count": 1}, "back": {"count": 1}},
        "matters": [
            {
                "id": "m",
                "arrivals": {"per_hour": 4},
                "acceptance": {"pool": "desk", "time": CONST10},
            }
        ],
    }
    for key, value in over.items():
        data[key] = value
    return scenario_from_dict(data)


def test_single_window_is_fifo_lindley_recursion() -> None:
    scenario = always_open(
        5,
        0,
        {"desk": {"count": 1}},
        [{"id": "m", "arrivals": {"per_hour": 5}, "acceptance": {"pool": "desk", "time": CONST10}}],
    )
    steps = simulate(scenario, 3).steps.sort_values("start")
    assert len(steps) > 300  # ~600 arrivals in 5 days: the checks below have rows to check
    assert (steps["start"] > steps["enqueued"]).sum() > 50  # and some waited in the queue
    previous_end = 0.0
    for row in steps.itertuples():
        assert row.start == max(row.enqueued, previous_end)  # FIFO, no idling with work waiting
        assert row.end == row.start + 10
        previous_end = row.end
    assert steps["enqueued"].is_monotonic_increasing


def test_no_service_starts_in_lunch_break_or_before_opening() -> None:
    records = simulate(_hall(), 1)
    assert len(records.steps) > 100 and len(records.visits) > 100
    start_of_day = records.steps["start"] % DAY
    # Work was waiting over lunch (it resumes at 13:00), so the test can see a violation.
    assert ((start_of_day >= 780) & (start_of_day < 781)).any()
    lunch = (start_of_day >= 720) & (start_of_day < 780)
    assert not lunch.any()
    assert (start_of_day >= 540).all()
    # Services may run past 12:00 (non-preemptive) but never start after closing with an empty hall
    visits = records.visits
    assert (visits["ticket"] % DAY < 1020).all()  # tickets only in ticket hours


def test_back_office_work_counts_working_minutes_and_resumes_next_period() -> None:
    scenario = _hall(
        matters=[
            {
                "id": "m",
                "arrivals": {"per_hour": 0.5},
                "acceptance": {"pool": "desk", "time": CONST10},
                "chain": [
                    {"id": "study", "pool": "back", "time": {"dist": "constant", "value": 600}}
                ],
            }
        ],
        horizon={"days": 20, "warmup_days": 0},
    )
    records = simulate(scenario, 2)
    study = records.steps[records.steps["activity"] == "study"]
    assert len(study) > 3
    cal = records.calendar
    worked = cal.open.worked_before_array(study["end"].to_numpy()) - cal.open.worked_before_array(
        study["start"].to_numpy()
    )
    np.testing.assert_allclose(worked, 600)  # exactly the work, across nights and lunch
    assert (study["end"] - study["start"] > 600).all()  # calendar time is longer


def test_holidays_and_weekends_get_no_walk_ins() -> None:
    scenario = _hall(calendar={"start_date": dt.date(2025, 4, 3), "holidays": ["2025-04-04"]})
    records = simulate(scenario, 4)
    days = (records.cases["arrival"] // DAY).astype(int)
    assert set(days) <= {0, 4, 5, 6, 7, 8, 9}  # Thu, then Mon..Fri (Fri 4th is a holiday)
    assert len(set(days)) >= 6 and len(days) > 150  # walk-ins came on the open days


def test_ticket_cutoff() -> None:
    records = simulate(_hall(hall={"ticket_cutoff": "16:00"}), 5)
    arrival = records.cases["arrival"] % DAY
    assert len(arrival) > 150 and (arrival >= 900).sum() > 5  # the last hour before the cut-off
    assert (arrival < 960).all()


def test_send_home_at_close_and_serve_all() -> None:
    busy = {"id": "m", "arrivals": {"per_hour": 9}, "acceptance": {"pool": "desk", "time": CONST10}}
    sent = simulate(_hall(matters=[busy], hall={"at_close": "send_home"}), 6).visits
    home = sent[sent["outcome"] == "sent_home"]
    assert len(home) > 0
    assert set(home["end"] % DAY) == {1020.0}  # sent home exactly at closing
    served = simulate(_hall(matters=[busy], hall={"at_close": "serve_all"}), 6)
    late = served.steps[served.steps["start"] % DAY >= 1020]
    assert len(late) > 0  # leftovers are served after closing
    assert (served.visits["outcome"] != "sent_home").all()


def test_fork_join_decides_when_the_last_branch_ends_and_handoffs_delay() -> None:
    scenario = always_open(
        10,
        0,
        {"desk": {"count": 2}, "fire": {"count": 1}, "env": {"count": 1}, "sign": {"count": 1}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 1},
                "acceptance": {"pool": "desk", "time": CONST10},
                "handoff_days": 0.25,
                "chain": [
                    {
                        "parallel": [
                            {"id": "fire", "pool": "fire", "time": exp(20)},
                            {"id": "env", "pool": "env", "time": exp(20)},
                        ]
                    },
                    {"id": "notice", "delay_days": 1},
                    {"id": "sign", "pool": "sign", "time": exp(5)},
                ],
            }
        ],
    )
    records = simulate(scenario, 8)
    log = records.steps.pivot_table(
        index="case", columns="activity", values=["enqueued", "end"], observed=True
    )
    done = log.dropna()
    assert len(done) > 50
    # Both branches are handed off a quarter day after acceptance (desk -> other pools).
    np.testing.assert_allclose(done["enqueued", "fire"], done["end", "acceptance"] + 360)
    np.testing.assert_allclose(done["enqueued", "env"], done["end", "acceptance"] + 360)
    # Join, the 1-day notice, then a hand-off to the signing pool.
    joined = np.maximum(done["end", "fire"], done["end", "env"])
    np.testing.assert_allclose(done["enqueued", "sign"], joined + DAY + 360)
    decided = records.cases.loc[done.index, "decision"]
    np.testing.assert_allclose(decided, done["end", "sign"])


def test_incomplete_submission_returns_after_the_delay_as_a_new_ticket() -> None:
    scenario = always_open(
        20,
        0,
        {"desk": {"count": 3}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": 2},
                "complete_prob": 0.5,
                "acceptance": {"pool": "desk", "time": CONST10},
            }
        ],
        hall={"return_delay_days": {"dist": "constant", "value": 2}},
    )
    records = simulate(scenario, 9)
    visits = records.visits.sort_values(["case", "ticket"])
    returns = visits[visits["kind"] == "return"]
    assert len(returns) > 50
    previous = visits.groupby("case")["end"].shift()
    np.testing.assert_allclose(returns["ticket"], previous[returns.index] + 2 * DAY)
    cases = records.cases
    decided = cases[cases["status"] == "decided"]
    tickets = visits.groupby("case").size()
    assert (decided["visits"] == tickets[decided.index]).all()


def test_same_seed_same_records_other_seed_differs() -> None:
    scenario = _hall()
    a, b, c = simulate(scenario, 11), simulate(scenario, 11), simulate(scenario, 12)
    for table in ("cases", "visits", "steps"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert not a.cases.equals(c.cases)


def test_records_expose_the_three_tables_with_their_columns() -> None:
    records = simulate(_hall(), 1)
    assert {"matter", "channel", "arrival", "decision", "visits", "status"} <= set(
        records.cases.columns
    )
    assert {"case", "kind", "pool", "ticket", "call", "end", "outcome", "wait"} <= set(
        records.visits.columns
    )
    assert list(records.steps.columns[:3]) == ["case", "activity", "resource"]
    kpi_only = simulate(_hall(), 1, detail="kpi")
    assert kpi_only.nbytes() < records.nbytes()


def test_unused_calendar_days_all_week() -> None:
    hc = HallCalendar(
        always_open(
            3,
            0,
            {"d": {"count": 1}},
            [
                {
                    "id": "m",
                    "arrivals": {"per_hour": 1},
                    "acceptance": {"pool": "d", "time": CONST10},
                }
            ],
        ).calendar,
        3,
    )
    assert hc.workdays() == [0, 1, 2]
    assert ALL_WEEK[hc.weekday[2]] == "wed"


def test_simulate_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        simulate(_hall(), -1)
    with pytest.raises(ValueError, match="detail must be 'full' or 'kpi'"):
        simulate(_hall(), 1, detail="everything")  # type: ignore[arg-type]

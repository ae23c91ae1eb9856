"""Appointments against theory and against their own rules.

A single counter with slots every ``a`` minutes, all booked, punctual applicants who each
fail to show with probability p, exponential service: arrivals form a renewal process with
gaps ``a`` times a geometric number, so the counter is a GI/M/1 queue whose mean wait is
sigma / (mu (1 - sigma)), sigma = A*(mu (1 - sigma)). Then conservation (every booking is
seen, refused, a no-show or sent to the walk-in queue) and the calling rule (no walk-in is
called while an eligible booked applicant waits)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from simlib import theory
from simlib.engine.model import Model
from simlib.files import scenario_from_dict
from tests.helpers import ALL_WEEK, always_open, assert_in_ci, exp, kpi_samples

MEAN = 10.0  # minutes of service


def _counter(rho: float, p: float, days: int = 12) -> Any:
    a = (1 - p) * MEAN / rho  # slot length giving utilisation rho after no-shows
    booking = {"share": 1.0, "slot_min": a, "template": 1, "no_show": p, "max_days_ahead": 365}
    matter = {
        "id": "m",
        "arrivals": {"per_hour": 1.1 * 60 / a},  # more wish to book than there are slots
        "acceptance": {"pool": "desk", "time": exp(MEAN)},
        "appointments": booking,
    }
    return always_open(days, 2, {"desk": {"count": 1}}, [matter])


@pytest.mark.parametrize(("rho", "p"), [(0.7, 0.0), (0.9, 0.0), (0.7, 0.2), (0.9, 0.2)])
def test_slots_with_no_shows_are_gim1(rho: float, p: float) -> None:
    a = (1 - p) * MEAN / rho
    exact = theory.gim1_mean_wait(theory.slots_no_show_lst(a, p), a / (1 - p), 1 / MEAN)
    # Waits near saturation are strongly autocorrelated: longer runs at 0.9.
    days = 150 if rho > 0.8 else 60
    got = kpi_samples(_counter(rho, p, days), 8, 71, "booked_wait_mean_min", "no_show_rate")
    assert_in_ci(got["booked_wait_mean_min"], exact, 0.2 if rho > 0.8 else 0.15)
    if p:
        assert abs(got["no_show_rate"].mean() - p) < 0.02
    # Poisson arrivals at the same load (M/M/1) wait far longer: the test can tell them apart.
    assert theory.mmc_mean_wait(rho / MEAN, 1 / MEAN, 1) > 1.3 * exact


def _mixed(late_rule: str) -> Any:
    """Walk-ins and bookings at one 3-officer window, unpunctual applicants, no-shows."""
    booking = {
        "share": 0.5,
        "slot_min": 10,
        "template": 1,
        "no_show": 0.1,
        "punctuality": {"dist": "triangular", "min": 0, "mode": 20, "max": 45},
        "early_by_min": 25,  # from 25 min early to 20 min late, mostly 5 min early
        "early_window_min": 10,
        "late_window_min": 10,
        "late_rule": late_rule,
        "max_days_ahead": 2,
    }
    matter = {
        "id": "m",
        "arrivals": {"per_hour": 14},
        "acceptance": {"pool": "desk", "time": exp(10)},
        "appointments": booking,
    }
    return always_open(6, 1, {"desk": {"count": 3}}, [matter])


@pytest.mark.parametrize("late_rule", ["walk_in", "refused"])
def test_every_booking_is_seen_refused_a_no_show_or_walks_in(late_rule: str) -> None:
    records = Model(_mixed(late_rule), 13).run()
    st = records.booking["m"]
    assert st["booked_all"] > 300 and st["no_show_all"] > 10 and st["late_all"] > 10
    assert st["booked_all"] == (
        st["seen"]
        + st["no_show_all"]
        + st["refused_all"]
        + st["late_all"] * (late_rule == "walk_in")
        + st["waiting_at_end"]
        + st["not_yet_come"]
    )
    assert st["not_yet_come"] + st["waiting_at_end"] < 0.2 * st["booked_all"]
    v = records.visits
    booked = v[v["kind"] == "booked"]
    outcomes = booked["outcome"].astype(str).value_counts()
    assert outcomes.get("served", 0) == st["seen"]
    assert outcomes.get("no_show", 0) == st["no_show_all"]
    assert outcomes.get("refused", 0) == st["refused_all"]
    if late_rule == "walk_in":
        assert st["refused_all"] == 0
    else:
        # a refused applicant comes back another day as a walk-in
        early = (booked["outcome"] == "refused") & (booked["end"] < records.horizon - 1440)
        refused = booked.loc[early, "case"]
        again = v[v["case"].isin(refused) & (v["kind"] == "return")]
        assert len(refused) > 20 and again["case"].nunique() == len(refused)


def test_no_walk_in_is_called_while_an_eligible_booking_waits() -> None:
    records = Model(_mixed("walk_in"), 17).run()
    steps = records.steps
    steps = steps[steps["activity"] == "acceptance"]
    v = records.visits
    booked_cases = set(v.loc[v["kind"] == "booked", "case"])
    is_booked = steps["case"].isin(booked_cases).to_numpy()
    # Booked: enqueued = when it became eligible; walk-in calls must not fall in between.
    eligible = steps["enqueued"].to_numpy()[is_booked]
    called = steps["start"].to_numpy()[is_booked]
    walk_in_calls = np.sort(steps["start"].to_numpy()[~is_booked])
    jumped = 0
    for e, c in zip(eligible, called, strict=True):
        lo, hi = np.searchsorted(walk_in_calls, [e, c], side="right")
        jumped += int(np.count_nonzero(walk_in_calls[lo:hi] < c - 1e-9))
    assert len(eligible) > 200 and (called > eligible).sum() > 20  # some booked did wait
    assert jumped == 0
    # and booked applicants are called in slot order once eligible
    slots = v[(v["kind"] == "booked") & (v["outcome"] == "served")]
    assert (slots["call"] - slots["ticket"] >= -10 - 1e-9).all()  # never before the window


def test_a_booked_ticket_sent_home_at_closing_keeps_its_slot_as_ticket_time() -> None:
    """Booked applicants come 10 min early and become eligible 7 min before their slot; sent home at closing,
    their visit must still record the slot (the wait is measured from it), not eligibility."""
    booking = {
        "share": 1.0,
        "slot_min": 15,
        "template": 3,
        "early_by_min": 10,
        "early_window_min": 7,
    }
    matter = {
        "id": "m",
        "arrivals": {"per_hour": 14},
        "acceptance": {"pool": "desk", "time": exp(10)},  # 6 an hour served, 12 booked
        "appointments": booking,
    }
    data = {
        "name": "sent home",
        "horizon": {"days": 6, "warmup_days": 1},
        "calendar": {"workdays": ALL_WEEK, "hours": ["09:00-12:00"]},
        "hall": {"at_close": "send_home"},
        "pools": {"desk": {"count": 1}},
        "matters": [matter],
    }
    v = Model(scenario_from_dict(data), 5).run().visits
    home = v[(v["kind"] == "booked") & (v["outcome"] == "sent_home")]
    assert len(home) > 20
    minute_of_day = home["ticket"].to_numpy() % 1440
    assert np.all(np.abs((minute_of_day - 540) % 15) < 1e-6)  # on the slot grid

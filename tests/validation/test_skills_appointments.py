"""Appointments and skills on one hall queue: a booked applicant is called ahead of
walk-ins only by officers trained for its matter. Pool ``desk``: two officers for
``plain`` only, one for ``plain`` and ``booked`` (the matter with appointments). The event
log must show (1) booked tickets served only by the trained officer, (2) that officer never
calling a walk-in while an eligible booked ticket waits, (3) the untrained officers calling
walk-ins meanwhile (a queue that held everyone back, or let anyone serve booked tickets,
fails), and (4) every booking seen, a no-show or still in the hall at the end."""

from __future__ import annotations

import numpy as np

from simlib.engine.model import Model
from simlib.files import scenario_from_dict
from tests.helpers import AROUND_THE_CLOCK, booking, hall_data, walk_in


def _hall() -> dict:
    slots = booking(
        share=0.6,
        slot_min=20,
        template=1,
        punctuality={"dist": "uniform", "min": 0, "max": 20},
        early_window_min=10,
        late_window_min=30,
        max_days_ahead=3,
    )
    skills = {
        "groups": [
            {"matters": ["plain"], "count": 2},
            {"matters": ["plain", "booked"], "count": 1},
        ]
    }
    return hall_data(
        "skills and slots",
        6,
        {"desk": {"count": 3, "skills": skills}},
        [
            walk_in("plain", "desk", 12, per_hour=10),
            walk_in("booked", "desk", 12, per_hour=3, appointments=slots),
        ],
        warmup=1,
        calendar=AROUND_THE_CLOCK,
    )


def test_booked_go_first_only_for_officers_with_the_skill() -> None:
    records = Model(scenario_from_dict(_hall()), 3).run()
    st = records.booking["booked"]
    assert st["booked_all"] == (
        st["seen"] + st["no_show_all"] + st["late_all"] + st["waiting_at_end"] + st["not_yet_come"]
    )
    v, s = records.visits, records.steps
    s = s[s["activity"] == "acceptance"]
    booked_cases = set(v.loc[v["kind"] == "booked", "case"])
    is_booked = s["case"].isin(booked_cases).to_numpy()
    officer = s["resource"].astype(str).to_numpy()
    trained = set(officer[is_booked])
    assert len(trained) == 1 and is_booked.sum() > 200  # one officer serves every booking
    me = officer == next(iter(trained))
    eligible, called = s["enqueued"].to_numpy()[is_booked], s["start"].to_numpy()[is_booked]
    mine = np.sort(s["start"].to_numpy()[me & ~is_booked])
    others = np.sort(s["start"].to_numpy()[~me])
    jumped = others_meanwhile = 0
    for e, c in zip(eligible, called, strict=True):
        lo, hi = np.searchsorted(mine, [e, c], side="right")
        jumped += int(np.count_nonzero(mine[lo:hi] < c - 1e-9))
        lo, hi = np.searchsorted(others, [e, c], side="right")
        others_meanwhile += int(np.count_nonzero(others[lo:hi] < c - 1e-9))
    assert (called > eligible + 1e-9).sum() > 50  # bookings did wait for the trained officer
    assert jumped == 0
    assert others_meanwhile > 50

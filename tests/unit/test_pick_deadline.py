"""A back office that picks by deadline (``pools.<id>.pick: {by: deadline, lead_days}``):
a case's first task becomes eligible ``lead_days`` working days before its deadline, and
eligible tasks are taken earliest deadline first. Exact checks on a 24/7 hall (a working
day is 1,440 minutes), each failing on a wrong implementation."""

from __future__ import annotations

import numpy as np
from scipy import stats

from simlib.engine import simulate
from tests.helpers import always_open, constant, desk_matter, exp

DAY = 1440.0


def _hall(back: int, lead: object, limits: dict[str, float], per_hour: float, days: int = 30):
    matters = [
        {
            **desk_matter(per_hour, constant(1.0)),
            "id": mid,
            "time_limit_days": limit,
            "chain": [
                {"id": "first", "pool": "back", "time": exp(30.0)},
                {"id": "second", "pool": "back", "time": constant(5.0)},
            ],
        }
        for mid, limit in limits.items()
    ]
    pools = {
        "desk": {"count": 4},
        "back": {"count": back, "pick": {"by": "deadline", "lead_days": lead}},
    }
    return always_open(days, 0, pools, matters, seed=3)


def _first_tasks(rec) -> tuple[np.ndarray, ...]:
    s, c = rec.steps, rec.cases
    f = s[s["activity"] == "first"].set_index("case")
    c = c.loc[f.index]
    return (
        c["arrival"].to_numpy(),
        f["enqueued"].to_numpy(),
        f["start"].to_numpy(),
        f["end"].to_numpy(),
        c["matter"].astype(str).to_numpy(),
        f.index.to_numpy(),
    )


def test_with_ample_capacity_the_first_task_starts_exactly_lead_days_before_the_deadline() -> None:
    rec = simulate(_hall(60, 3.0, {"m": 10.0}, 2.0), 3)
    arrival, enqueued, start, *_ = _first_tasks(rec)
    assert len(start) > 500
    # deadline = arrival + 10 working days; eligible 3 before it; an officer is always free
    np.testing.assert_allclose(start, arrival + 7 * DAY, rtol=0, atol=1e-6)
    assert (enqueued < arrival + 60).all()  # its wait counts from when it reached the pool
    # a started case's next step is not held back: it follows the first task at once
    s = rec.steps
    second = s[s["activity"] == "second"].set_index("case")["start"]
    first_end = s[s["activity"] == "first"].set_index("case")["end"]
    both = second.index.intersection(first_end.index)
    np.testing.assert_allclose(second[both], first_end[both], atol=1e-6)


def test_the_lead_is_drawn_per_case_from_its_distribution() -> None:
    rec = simulate(_hall(60, {"dist": "uniform", "min": 2.0, "max": 6.0}, {"m": 10.0}, 2.0), 3)
    arrival, _, start, _, _, _ = _first_tasks(rec)
    lead = 10.0 - (start - arrival) / DAY
    assert lead.min() >= 2.0 - 1e-9 and lead.max() <= 6.0 + 1e-9
    # fails on a constant lead or on one draw for every case
    assert stats.kstest(lead, stats.uniform(2.0, 4.0).cdf).pvalue > 1e-3


def test_eligible_tasks_are_taken_earliest_deadline_first_and_wait_for_an_officer() -> None:
    """One officer (utilisation 0.94), two matters of limits 2 and 12 days, constant lead 4
    days: each time the officer starts a first task, no eligible first task still waiting
    has an earlier deadline. Checked on the event log; the pool's queue in arrival order
    (pick not implying deadline order) violates it 413 times."""
    limits = {"m": 2.0, "n": 12.0}  # m: eligible on arrival; n: 8 days after
    rec = simulate(_hall(1, 4.0, limits, 0.8, days=40), 3)
    arrival, enqueued, start, _, matter, _ = _first_tasks(rec)
    deadline = arrival + np.array([limits[m] for m in matter]) * DAY
    eligible = np.maximum(enqueued, deadline - 4.0 * DAY)
    assert (start >= eligible - 1e-6).all()  # never before it is eligible
    contested = violations = 0
    for i in range(len(start)):
        waiting = (eligible <= start[i] + 1e-9) & (start > start[i] + 1e-9)
        if waiting.any():
            contested += 1
            violations += int((deadline[waiting] < deadline[i] - 1e-6).any())
    assert contested > 100, contested  # the officer had a choice often enough to test
    assert violations == 0
    # a queue, not a delay: with one officer the tasks wait after becoming eligible, with
    # a second officer much less
    queued = np.mean(start - eligible)
    arrival2, enq2, start2, _, matter2, _ = _first_tasks(
        simulate(_hall(2, 4.0, limits, 0.8, 40), 3)
    )
    deadline2 = arrival2 + np.array([limits[m] for m in matter2]) * DAY
    queued2 = np.mean(start2 - np.maximum(enq2, deadline2 - 4.0 * DAY))
    assert queued > 60 and queued2 < queued / 3, (queued, queued2)

"""The appointment template decided by ``simlib optimize`` against a known optimum.

One counter, exponential service (mean 5 min), hourly slots all booked, everyone punctual:
places per slot n arrive together, a D^X/M/1 queue whose share called within 15 min of the
slot :func:`simlib.theory.slot_batches_on_time` gives exactly (1.0, 0.975, 0.917, 0.831,
0.734 for n = 1..5). With "booked_on_time_rate >= 0.875" the largest template that meets it
is 3 places per slot, with one officer, the cheapest staffing the range allows. A search
that ignored the booked requirement would keep 5 places; one that did not prefer more
places among equally cheap staffings would stop at 1 or 2; one that ignored cost would pick
2 officers. Walk-ins (those who find no slot) never take a ticket (step balking at 0), so
the counter sees only the slots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simlib import theory
from simlib.optimize.search import optimize
from tests.helpers import AROUND_THE_CLOCK, hall_data, walk_in
from tests.optimize_helpers import optimization

MEAN, SLOT, WITHIN, BOUND = 5.0, 60.0, 15.0, 0.875


def _counter() -> dict[str, Any]:
    slots = {
        "share": 1.0,
        "slot_min": SLOT,
        "template": 5,
        "max_days_ahead": 1000,
        "seen_within_min": WITHIN,
    }
    return hall_data(
        "one counter, booked slots",
        12,
        {"desk": 1},
        # more wish to book than any template offers
        [walk_in("m", "desk", MEAN, per_hour=7, appointments=slots)],
        warmup=2,
        calendar=AROUND_THE_CLOCK,
        hall={"balking": {"threshold": 0}},  # no slot: leave (the counter sees slots only)
    )


def test_the_largest_template_meeting_the_booked_requirement_is_chosen(tmp_path: Path) -> None:
    exact = [theory.slot_batches_on_time(n, SLOT, 1 / MEAN, WITHIN) for n in range(1, 6)]
    best_by_theory = max(n for n in range(1, 6) if exact[n - 1] >= BOUND)
    assert best_by_theory == 3
    opt = optimization(
        tmp_path,
        _counter(),
        {
            "optimize": "slots and officers",
            "seed": 3,
            "replications": {"min": 3, "max": 12},
            "decisions": {
                "pools.desk.count": {"range": [1, 2]},
                "matters.m.appointments.template": {"range": [1, 5]},
            },
            "requirements": [{"kpi": "booked_on_time_rate", "matter": "m", "min": BOUND}],
        },
    )
    result = optimize(opt)
    assert result.best is not None and result.feasible is True
    assert dict(result.best.levels) == {"desk": 1}
    assert dict(result.best.templates) == {"m": 3}
    # the simulated share at the chosen template agrees with the exact one
    got = result.evaluator.mean(result.best, "booked_on_time_rate[matter=m]")
    assert abs(got - exact[2]) < 0.03, (got, exact[2])
    # one place more was judged and shown to miss the requirement
    more = [v for v in result.cheaper if v["change"] == "matters.m.appointments.template = 4"]
    assert more and more[-1]["verdict"] == "infeasible", result.cheaper

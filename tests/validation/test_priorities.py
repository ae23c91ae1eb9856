"""Hall priorities (higher called first, FIFO within a level, non-preemptive) against
Cobham's formulas for the non-preemptive priority queue."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import theory
from simlib.engine import simulate
from simlib.engine.model import Model
from simlib.engine.officers import PriorityQueue
from simlib.experiment import replication_seed
from tests.helpers import always_open, assert_in_ci


def _waits_by_matter(scenario, reps: int, seed: int) -> dict[str, np.ndarray]:
    out: dict[str, list[float]] = {}
    for i in range(reps):
        records = simulate(scenario, replication_seed(seed, i))
        visits = records.visits
        cases = records.cases
        visits = visits[visits["ticket"] >= scenario.horizon.warmup_days * 1440.0]
        matter = cases["matter"].astype(str).to_numpy()[visits["case"].to_numpy()]
        for m, w in visits.groupby(matter)["wait"]:
            out.setdefault(m, []).append(w.mean())
    return {m: np.array(v) for m, v in out.items()}


@pytest.mark.parametrize(
    ("c", "mean", "time", "days"),
    [
        (1, 1.0, {"dist": "gamma", "mean": 1.0, "cv": 0.5}, 30),  # M/G/1, E[S^2] = 1.25
        (3, 3.0, {"dist": "exponential", "mean": 3.0}, 30),  # M/M/3
    ],
)
def test_priority_waits_match_cobham(c: int, mean: float, time: dict, days: int) -> None:
    loads = {"high": 0.3, "mid": 0.2, "low": 0.3}  # shares of capacity, highest first
    lams = [load * c / mean for load in loads.values()]
    matters = [
        {
            "id": m,
            "priority": 2 - k,
            "arrivals": {"per_hour": lam * 60},
            "acceptance": {"pool": "desk", "time": time},
        }
        for k, (m, lam) in enumerate(zip(loads, lams, strict=True))
    ]
    scenario = always_open(days, 2, {"desk": {"count": c}}, matters)
    if c == 1:
        expected = theory.priority_mg1_waits(lams, [mean] * 3, [mean**2 * 1.25] * 3)
    else:
        expected = theory.priority_mmc_waits(lams, 1 / mean, c)
    got = _waits_by_matter(scenario, 8, 3)
    for m, want in zip(loads, expected, strict=True):
        assert_in_ci(got[m], want, 0.12)
    # FIFO would give every class the same wait: the low class must wait far longer.
    assert got["low"].mean() > 3 * got["high"].mean()


def test_equal_priorities_keep_the_fifo_queue() -> None:
    matters = [
        {
            "id": m,
            "priority": 1,
            "arrivals": {"per_hour": 20},
            "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 1.0}},
        }
        for m in ("a", "b")
    ]
    scenario = always_open(3, 0, {"desk": {"count": 1}}, matters)
    model = Model(scenario, 1)
    assert not any(isinstance(q, PriorityQueue) for q in model.hall_queues)

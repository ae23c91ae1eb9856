"""Staff that changes at fixed hours against the Kolmogorov forward equations."""

from __future__ import annotations

import numpy as np

from simlib import theory
from simlib.engine import simulate
from simlib.experiment import replication_seed
from simlib.files import scenario_from_dict
from simlib.timekeeping import DAY
from tests.helpers import ALL_WEEK, assert_in_ci, exp

PER_HOUR = [20, 40, 60, 50, 30, 40, 50, 20]  # 09-17 h, arrivals per hour
SERVERS = [3, 4, 6, 6, 6, 6, 6, 6]  # on duty in each hour: three crews starting 09, 10, 11 h
MEAN = 6.0


def _scenario(days: int):
    return scenario_from_dict(
        {
            "name": "staff rising through the day",
            "horizon": {"days": days, "warmup_days": 0},
            "calendar": {"workdays": ALL_WEEK, "hours": ["09:00-17:00"]},
            "hall": {"at_close": "serve_all"},
            "pools": {
                "desk": {
                    "shifts": [
                        {"hours": ["09:00-17:00"], "count": 3},
                        {"hours": ["10:00-17:00"], "count": 1},
                        {"hours": ["11:00-17:00"], "count": 2},
                    ]
                }
            },
            "matters": [
                {
                    "id": "m",
                    "arrivals": {
                        "per_day": sum(PER_HOUR),
                        "profile": {f"{9 + h:02d}": r for h, r in enumerate(PER_HOUR)},
                    },
                    "acceptance": {"pool": "desk", "time": exp(MEAN)},
                }
            ],
        }
    )


def _busy_by_hour(visits, days: int) -> np.ndarray:
    """Mean busy officers in each open clock hour, from the calls and ends of the tickets."""
    call, end = visits["call"].to_numpy(), visits["end"].to_numpy()
    busy = np.zeros(len(PER_HOUR))
    for h in range(len(PER_HOUR)):
        lo = (np.arange(days) * DAY + (9 + h) * 60)[:, None]
        overlap = np.clip(np.minimum(end, lo + 60) - np.maximum(call, lo), 0, None)
        busy[h] = overlap.sum() / (days * 60)
    return busy


def test_shifts_match_the_forward_equations_in_wait_and_hourly_utilisation() -> None:
    days, reps = 200, 6
    scenario = _scenario(days)
    exact = theory.transient_mmc_staffed([r / 60 for r in PER_HOUR], SERVERS, 60.0, 1 / MEAN)
    waits, utilisation = [], []
    for i in range(reps):
        records = simulate(scenario, replication_seed(7, i), detail="kpi")
        visits = records.visits
        waits.append(float((visits["call"] - visits["ticket"]).mean()))
        utilisation.append(_busy_by_hour(visits, days) / np.array(SERVERS))
    assert_in_ci(np.array(waits), exact["mean_wait"], 0.10)
    by_hour = np.array(utilisation)
    for h, (busy, c) in enumerate(zip(exact["busy"], SERVERS, strict=True)):
        assert_in_ci(by_hour[:, h], busy / c, 0.05)
    # The test can tell: everyone on duty all day, or the shift hours ignored, is far off.
    flat = theory.transient_mmc_staffed([r / 60 for r in PER_HOUR], [6] * 8, 60.0, 1 / MEAN)
    assert abs(flat["mean_wait"] - exact["mean_wait"]) > 0.3 * exact["mean_wait"]
    # Utilisation is the offered load where nobody waits long: hour 1 runs near 2/3 busy.
    assert abs(exact["busy"][0] / SERVERS[0] - 2 / 3) < 0.1

"""MSER-5 finds the end of a transient, and validate/run warn when warm-up is too short."""

from __future__ import annotations

import numpy as np

from simlib.checks import warmup_check
from simlib.experiment import replicate
from simlib.files import scenario_from_dict
from simlib.warmup import mser5


def test_mser5_truncates_a_transient_and_leaves_a_stationary_series() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(200)
    ramp = 100 * (1 - np.exp(-t / 10)) + rng.normal(0, 3, 200)  # settles after ~40 days
    cut, at_edge = mser5(ramp)
    assert 25 <= cut <= 60 and not at_edge
    cut, _ = mser5(rng.normal(50, 3, 200))
    assert cut <= 10
    rising = t + rng.normal(0, 1, 200)  # never settles: MSER-5 runs to the edge
    assert mser5(rising)[1]


def _hall(warmup: int) -> object:
    """A back office whose work arrives only after a 15-day notice: its backlog is empty
    for the first two weeks of a run, and a 0-day warm-up measures that quiet start. It
    works 09:00-10:00, so each evening about 35 files wait for the next morning."""
    return scenario_from_dict(
        {
            "name": "slow start",
            "horizon": {"days": 90, "warmup_days": warmup, "drain_days": 0},
            "pools": {"front": {"count": 2}, "back": {"count": 1, "hours": ["09:00-10:00"]}},
            "matters": [
                {
                    "id": "m",
                    "arrivals": {"per_day": 40},
                    "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 5}},
                    "chain": [
                        {"id": "notice", "delay_days": 15},
                        {"id": "r", "pool": "back", "time": {"dist": "constant", "value": 1}},
                    ],
                }
            ],
        }
    )


def test_validate_and_run_warn_when_the_warm_up_is_too_short() -> None:
    short = warmup_check(_hall(0), seed=2)
    assert len(short) == 1 and "MSER-5" in short[0]
    assert warmup_check(_hall(30), seed=2) == []
    result = replicate(_hall(0), 2, 1)
    assert result.warmup_warning() is not None
    assert any("MSER-5" in w for w in result.to_json()["warnings"])

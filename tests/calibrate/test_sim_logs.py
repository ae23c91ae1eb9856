"""The event-log fit report's simulated logs come from the run core: replication r has the
seed ``replication_seed(seed, r)`` used everywhere else, and a run stored under
``--cache`` is read back as the same log."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib.calibrate.eventcal import simulated_events
from simlib.calibrate.eventcommand import _sim_logs, tidy_simulated
from simlib.experiment.core import replication_seed
from simlib.files import scenario_from_dict

HALL = {
    "name": "small permits",
    "horizon": {"days": 5, "warmup_days": 0},
    "calendar": {"start_date": "2010-10-04", "hours": ["09:00-17:00"]},
    "pools": {"front": {"count": 2}, "back": {"count": 2}},
    "matters": [
        {
            "id": "permit",
            "arrivals": {"per_hour": 6},
            "acceptance": {"pool": "front", "time": {"dist": "exponential", "mean": 10}},
            "chain": [
                {"id": "review", "pool": "back", "time": {"dist": "exponential", "mean": 15}}
            ],
        }
    ],
}


def test_simulated_logs_are_the_run_cores_replications(tmp_path, monkeypatch) -> None:
    scenario = scenario_from_dict(HALL)
    monkeypatch.setenv("SIMLIB_CACHE", str(tmp_path))
    logs = _sim_logs(scenario, 2, 7, 30.0)
    for r, log in enumerate(logs):
        own = tidy_simulated(simulated_events(scenario, replication_seed(7, r)), 30.0)
        pd.testing.assert_frame_equal(own, log)
    assert len(list(tmp_path.rglob("*.json"))) == 2  # both runs stored
    for stored, fresh in zip(_sim_logs(scenario, 2, 7, 30.0), logs, strict=True):
        pd.testing.assert_frame_equal(stored, fresh)
    assert not logs[0].equals(logs[1]) and len(logs[0]) > 200
    with pytest.raises(AssertionError):  # the old seeds (seed + r) give other logs
        pd.testing.assert_frame_equal(tidy_simulated(simulated_events(scenario, 8), 30.0), logs[1])

"""A calibrated scenario's simulated event log, in the real log's language, and the wait
before each case's first task (what the calibration's refinements compare)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["first_task_wait_days", "simulated_events"]


def simulated_events(scenario: Any, seed: int) -> pd.DataFrame:
    """One replication's event log in the real log's language (labels, completion,
    ``case:submitted``), restricted to cases submitted within the horizon, after the
    run-in (``warmup_days``)."""
    from simlib.engine import simulate
    from simlib.eventlog import event_log, step_labels

    records = simulate(scenario, seed)
    log = event_log(records, step_labels(scenario))
    log = log[~log["concept:name"].isin(["acceptance", "collection"])]
    start = pd.Timestamp(scenario.calendar.start_date)
    end = start + pd.Timedelta(days=scenario.horizon.days)
    begin = start + pd.Timedelta(days=scenario.horizon.warmup_days)
    inside = (log["case:submitted"] >= begin) & (log["case:submitted"] < end)
    return log[inside].reset_index(drop=True)


def first_task_wait_days(log: pd.DataFrame) -> np.ndarray:
    """Days from submission to the first completed task, per case of a simulated log."""
    g = log.groupby("case:concept:name")
    return (
        (g["time:timestamp"].min() - g["case:submitted"].first()).dt.total_seconds() / 86400
    ).to_numpy()

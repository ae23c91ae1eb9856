"""The event log for process mining: one row per activity of a case, with the column names
process-mining tools read as they are (XES attribute names, as in PM4Py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.engine.records import Records
from simlib.writing import write_csv

__all__ = ["DEFAULT_START", "event_log", "write_event_log"]

DEFAULT_START = dt.date(2025, 1, 6)  # a Monday, for scenarios without a start_date


def event_log(records: Records, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Activities with real timestamps (minute 0 = the calendar's ``start_date``, 00:00).

    Columns: ``case:concept:name``, ``concept:name`` (activity: the step's ``label`` where
    ``labels`` gives one, e.g. the real log's names in a calibrated scenario, else its id),
    ``org:resource`` (pool#officer), ``time:start_timestamp``, ``time:timestamp``
    (completion), ``matter``, ``channel``, ``case:submitted`` (the case's arrival); sorted
    by case, then start.
    """
    steps = records.steps
    cases = records.cases
    start = records.calendar.start_date or DEFAULT_START
    origin = pd.Timestamp(start)
    activity = steps["activity"].astype(str)
    if labels:
        activity = activity.map(lambda a: labels.get(a, a))
    arrival = cases["arrival"].to_numpy()[steps["case"].to_numpy()]
    log = pd.DataFrame(
        {
            "case:concept:name": steps["case"].astype(str),
            "concept:name": activity,
            "org:resource": steps["resource"].astype(str),
            "time:start_timestamp": origin + pd.to_timedelta(steps["start"], unit="min"),
            "time:timestamp": origin + pd.to_timedelta(steps["end"], unit="min"),
            "matter": cases["matter"].astype(str).to_numpy()[steps["case"].to_numpy()],
            "channel": cases["channel"].astype(str).to_numpy()[steps["case"].to_numpy()],
            "case:submitted": origin + pd.to_timedelta(arrival, unit="min"),
        }
    )
    log["time:start_timestamp"] = log["time:start_timestamp"].dt.round("s")
    log["time:timestamp"] = log["time:timestamp"].dt.round("s")
    log["case:submitted"] = log["case:submitted"].dt.round("s")
    order = (
        steps.assign(_start=steps["start"])
        .sort_values(["case", "_start", "end"], kind="stable")
        .index
    )
    return log.loc[order].reset_index(drop=True)


def step_labels(scenario: Any) -> dict[str, str]:
    """Step id -> the activity label of the step (steps that have one)."""
    return {
        step.id: step.label
        for m in scenario.matters
        for step in m.steps()
        if getattr(step, "label", None)
    }


def write_event_log(records: Records, path: str | Path, scenario: Any = None) -> Path:
    """Write :func:`event_log` as CSV (ISO timestamps), with the scenario's step labels."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = step_labels(scenario) if scenario is not None else None
    write_csv(event_log(records, labels), path, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    return path

"""The hall's ticket log: one row per ticket, as a queue-ticket system would record it.

The counterpart of :mod:`simlib.eventlog` for the hall side, and what
``simlib calibrate`` reads back (with ``simlib/data/calibrate_simlib_tickets.yaml`` as
its map), so that a simulated hall can be calibrated and compared with the truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib.engine.records import Records
from simlib.eventlog import DEFAULT_START
from simlib.writing import write_csv

__all__ = ["MAP_PATH", "ticket_log", "write_ticket_log"]

MAP_PATH = Path(__file__).parent / "data" / "calibrate_simlib_tickets.yaml"


def ticket_log(records: Records, priorities: dict[str, int] | None = None) -> pd.DataFrame:
    """Tickets with real timestamps (minute 0 = the calendar's ``start_date``, 00:00).

    Columns: ``ticket`` (number), ``case``, ``matter``, ``priority``, ``kind`` (submit,
    return, collect, ...), ``ticket_time``, ``call_time``, ``end_time`` (served),
    ``left_time`` (reneged or sent home), ``officer`` (pool#index), ``outcome``, ``booked``
    (1 for an appointment) and ``slot_time`` (its slot; its ``ticket_time`` is the check-in,
    the slot for a no-show).
    """
    visits = records.visits
    # Tickets issued within the horizon: a log covers its days (the drain that runs the
    # cohort on to its decisions is not part of them).
    visits = visits[visits["ticket"] < records.horizon].reset_index(drop=True)
    cases = records.cases
    origin = pd.Timestamp(records.calendar.start_date or DEFAULT_START)
    matter = cases["matter"].astype(str).to_numpy()[visits["case"].to_numpy()]
    officer = np.full(len(visits), "", dtype=object)
    if records.detail == "full":
        steps = records.steps
        hall = steps[steps["activity"].isin(["acceptance", "collection"])]
        key = pd.MultiIndex.from_arrays([hall["case"], hall["start"].round(9)])
        who = pd.Series(hall["resource"].to_numpy(), index=key)
        who = who[~who.index.duplicated()]
        served = visits["outcome"] == "served"
        look = pd.MultiIndex.from_arrays(
            [visits.loc[served, "case"], visits.loc[served, "call"].round(9)]
        )
        officer[served.to_numpy()] = who.reindex(look).fillna("").to_numpy()

    def stamp(minutes: pd.Series) -> pd.Series:
        return (origin + pd.to_timedelta(minutes, unit="min")).dt.round("s")

    served = visits["outcome"] == "served"
    left = visits["outcome"].isin(["reneged", "sent_home"])
    pri = priorities or {}
    # Booked tickets: the slot, and the check-in as the ticket time (a no-show: the slot)
    booked = (visits["kind"] == "booked").to_numpy()
    slot = visits["ticket"].where(booked)
    came = pd.Series(visits["case"].map(records.booked_arrivals), index=visits.index)
    taken = visits["ticket"].where(~booked | came.isna(), came)
    return pd.DataFrame(
        {
            "ticket": np.arange(len(visits)),
            "case": visits["case"].to_numpy(),
            "matter": matter,
            "priority": [pri.get(m, 0) for m in matter],
            "kind": visits["kind"].astype(str).to_numpy(),
            "ticket_time": stamp(taken),
            "call_time": stamp(visits["call"].where(served)),
            "end_time": stamp(visits["end"].where(served)),
            "left_time": stamp(visits["end"].where(left)),
            "officer": officer,
            "outcome": visits["outcome"].astype(str).to_numpy(),
            "booked": np.where(booked, "1", ""),
            "slot_time": stamp(slot),
        }
    )


def write_ticket_log(
    records: Records, path: str | Path, priorities: dict[str, int] | None = None
) -> Path:
    """Write :func:`ticket_log` as CSV (ISO timestamps; empty where a time did not happen)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = ticket_log(records, priorities)
    write_csv(log, path, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    return path

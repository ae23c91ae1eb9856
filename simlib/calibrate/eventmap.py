"""The map of a process-mining event log (``kind: event log``), and reading a log through it.

The map names columns and codes only (case, activity, resource, group, completion time,
start time when the log has one, the case attributes received / deadline / channel /
matter, the activities and cases to ignore, the time zone), so that it reads other months
of the same log. Reading gives one tidy table of events, every time a naive local
timestamp, with the log's mess counted and reported, not fitted: unreadable or impossible
times and duplicated rows are skipped, events before the case was received move the
receipt back to the first event (corrected), and timestamps with and without fractions of
a second or with daylight-saving offsets (+01:00 / +02:00) are read alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.mess import (
    GAP_DAYS,
    RowIssues,
    check_log_file,
    date_outliers,
    duplicate_rows,
    span_message,
)

__all__ = ["EventMap", "read_events"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EventColumns(_Model):
    case: str
    activity: str
    end: str  # completion time
    start: str | None = None  # when the log has start times
    resource: str | None = None
    group: str | None = None
    lifecycle: str | None = None
    received: str | None = None  # case attribute: when the application was received
    deadline: str | None = None  # case attribute: its statutory deadline
    channel: str | None = None  # case attribute: how it was submitted
    matter: str | None = None  # case attribute: department or application type
    closed: str | None = None  # case attribute: when the case was closed (empty: still open)


class EventMap(_Model):
    kind: Literal["event log"]
    calibrate: str = "event log"  # what this map is for (free text)
    name: str = "calibrated approval chain"
    columns: EventColumns
    time_format: str = "ISO8601"
    timezone: str | None = None  # local zone of the offsets in the log (e.g. Europe/Amsterdam)
    complete: list[str] = []  # lifecycle codes of completions (others ignored); [] = all rows
    ignore_activities: list[str] = []
    ignore_cases: list[str] = []
    no_resource: list[str] = []  # resource codes meaning "nobody recorded"
    no_group: list[str] = []  # group codes meaning "no group recorded"
    online_channels: list[str] = []  # channel codes of applications submitted online
    first_activity: str | None = None  # the activity every case starts with (receipt)
    min_activity_share: float = Field(0.01, ge=0, lt=1)  # rarer activities are lumped
    min_group_share: float = Field(0.05, ge=0, lt=1)  # rarer groups join the main pool
    min_matter_share: float = Field(0.05, ge=0, lt=1)  # rarer matters are lumped as other
    batch_gap_min: float = Field(15.0, gt=0)  # a resource's completions this close: batch
    session_gap_min: float = Field(120.0, gt=0)  # longer gaps are not work on one task
    hold_gap_hours: float = Field(24.0, gt=0)  # a step this long after its item's start: held
    warmup_waits: float = Field(6.0, ge=0, le=50)  # run-in before the log: x median first wait
    max_bad_share: float = Field(0.01, ge=0, le=1)
    refine_rounds: int = Field(9, ge=0, le=30)  # simulation rounds fitting the capacity
    refine_reps: int = Field(16, ge=1, le=50)  # replications per round (the same each round)
    # How the availability is spent: "hours" (the effective officers present every working
    # day, for that share of the open hours, in slices spread over the day: the log has
    # someone on this process on most days) or "days" (each officer present on that share
    # of working days, in spells: most days nobody, so a resumed case waits days more).
    availability_as: Literal["days", "hours"] = "hours"
    # With "hours": the pool's capacity by weekday follows its completions per working day
    # of each weekday (simlib.calibrate.weekdays), the same officers on other hours; false:
    # every workday the same share of the open hours.
    capacity_by_weekday: bool = True
    # How the pool takes up a case's first task: "queue" (as soon as an officer is free,
    # the capacity fitted to the first wait) or "deadline" (a fitted lead before the
    # deadline, then earliest deadline first; the capacity fitted to the gaps between a
    # case's steps; see simlib.calibrate.pickfit). "deadline" needs the deadline column.
    pick: Literal["queue", "deadline"] = "queue"


def _times(raw: pd.Series, m: EventMap) -> pd.Series:
    """Local naive timestamps; NaT where unreadable. Offsets (+01:00/+02:00) are taken to
    UTC and then to the map's time zone, so a clock hour means the same all year."""
    text = raw.astype(str).str.strip()
    fmt = "ISO8601" if m.time_format == "ISO8601" else m.time_format
    t = pd.to_datetime(text.where(text != "", None), format=fmt, errors="coerce", utc=True)
    if m.timezone:
        t = t.dt.tz_convert(m.timezone)
    return t.dt.tz_localize(None)


def read_events(path: str | Path, m: EventMap) -> pd.DataFrame:
    """Events: ``case``, ``activity``, ``resource``, ``group``, ``end`` (and ``start`` or
    NaT), ``row``; case attributes ``received``, ``deadline``, ``channel``, ``matter``,
    ``closed``; sorted by case and completion. ``attrs['issues']`` lists the bad rows."""
    source = str(path)
    check_log_file(path, "event log")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise CalibrationError(f"{source}: the event log has no header row") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        raise CalibrationError(f"{source}: cannot read the event log as CSV ({exc})") from None
    if df.empty:
        raise CalibrationError(f"{source}: the event log has no rows")
    c = m.columns
    named = {k: v for k, v in c.model_dump().items() if v is not None}
    missing = {k: v for k, v in named.items() if v not in df.columns}
    if missing:
        what = ", ".join(f"'{v}' (map: columns.{k})" for k, v in missing.items())
        raise CalibrationError(
            f"{source}: the map names column(s) {what} that the log does not have; the "
            f"log's columns are: {', '.join(map(str, df.columns))}"
        )
    rows = np.arange(len(df)) + 2  # the header is row 1
    keep = ~df[c.activity].isin(m.ignore_activities).to_numpy()
    keep &= ~df[c.case].isin(m.ignore_cases).to_numpy()
    if m.complete and c.lifecycle:
        keep &= df[c.lifecycle].isin(m.complete).to_numpy()
    df, rows = df[keep].reset_index(drop=True), rows[keep]
    if df.empty:
        raise CalibrationError(f"{source}: no event is left after the map's ignore rules")
    issues = RowIssues(source, len(df))
    bad: dict[int, str] = {}
    pos, texts = duplicate_rows(df, rows)
    bad.update(zip(pos.tolist(), texts, strict=True))
    end = _times(df[c.end], m)
    for i in np.flatnonzero(end.isna().to_numpy()):
        bad.setdefault(int(i), f"impossible time: column '{c.end}' holds '{df[c.end].iloc[i]}'")
    day = ((end - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    for i in np.flatnonzero(date_outliers(np.floor(day))):
        bad.setdefault(
            int(i),
            f"date far from the rest: column '{c.end}' holds '{df[c.end].iloc[i]}', over "
            f"{GAP_DAYS} days from every other date of the log",
        )
    out = pd.DataFrame(
        {
            "case": df[c.case].astype(str),
            "activity": df[c.activity].astype(str),
            "end": end,
            "row": rows,
        }
    )
    out["start"] = _times(df[c.start], m) if c.start else pd.NaT
    for name, col, none in (
        ("resource", c.resource, m.no_resource),
        ("group", c.group, m.no_group),
    ):
        vals = df[col].astype(str).str.strip() if col else pd.Series([""] * len(df))
        out[name] = vals.where(~vals.isin(none) & (vals != ""), None).to_numpy(dtype=object)
    for name, col in (("received", c.received), ("deadline", c.deadline), ("closed", c.closed)):
        out[name] = _times(df[col], m) if col else pd.NaT
    for name, col in (("channel", c.channel), ("matter", c.matter)):
        out[name] = df[col].astype(str).to_numpy() if col else "all"
    if bad:
        idx = np.array(sorted(bad))
        issues.add(rows[idx], [bad[i] for i in idx])
        ok = np.ones(len(out), dtype=bool)
        ok[idx] = False
        out = out[ok].reset_index(drop=True)
    issues.check(m.max_bad_share)
    span = (out["end"].max() - out["end"].min()) / pd.Timedelta(days=1)
    msg = span_message(float(span) + 1, source)
    if msg is not None:
        raise CalibrationError(msg)
    if out["received"].isna().all():  # no receipt column: the first event stands in
        out["received"] = out.groupby("case")["end"].transform("min")
    else:
        _correct_receipts(out, issues)
    out = out.sort_values(["case", "end", "row"], kind="stable").reset_index(drop=True)
    out.attrs["issues"] = issues
    out.attrs["source"] = source
    out.attrs["log_end"] = out["end"].max()
    return out


def _correct_receipts(out: pd.DataFrame, issues: RowIssues) -> None:
    """An event before its case was received: the receipt moves back to that event (the
    event happened; the receipt date was typed wrong), recorded as corrected."""
    first = out.groupby("case")["end"].transform("min")
    rec = out.groupby("case")["received"].transform("first")
    missing = rec.isna()
    early = (first < rec) & ~missing
    for case in out.loc[early, "case"].unique():
        sub = out[out["case"] == case]
        i = sub["end"].idxmin()
        issues.add(
            np.array([out.at[i, "row"]]),
            f"event before receipt: case {case} received {rec[i]}, event at "
            f"{out.at[i, 'end']}; its receipt is taken as this event",
            action="corrected",
        )
    out["received"] = np.where(missing | early, first, rec)
    out["received"] = pd.to_datetime(out["received"])

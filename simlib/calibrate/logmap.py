"""The calibration map (which column is what in a ticket log) and reading a log through it.

A map is a small YAML file. It names the log's columns (ticket, call and end times, the
matter, the officer, the outcome, priority, applicant), the codes that mean "served" and
"gave up", the rows to ignore, and the time format. Reading a log through it gives one
tidy table of tickets, every time in minutes after ``start_date`` 00:00, so that nothing
downstream depends on the log's own layout. Bad logs get :class:`CalibrationError`
naming the file, the column or the row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.mess import (
    GAP_DAYS,
    RowIssues,
    check_log_file,
    clock_problems,
    date_outliers,
    duplicate_rows,
    span_message,
)
from simlib.files import read_yaml

__all__ = ["LogMap", "load_map", "read_ticket_log"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Columns(_Model):
    date: str | None = None  # date column; None when the times carry their dates
    ticket: str  # time the ticket was taken (joined the queue)
    ticket_fallback: str | None = None  # used where ``ticket`` is the zero time (no queue)
    call: str  # time an officer called the ticket
    end: str  # end of service
    left: str | None = None  # when a holder who gave up left (else their patience is unknown)
    matter: str
    outcome: str
    officer: str | None = None
    priority: str | None = None
    applicant: str | None = None
    booked: str | None = None  # marks an appointment (1/true/yes/booked; empty or 0: walk-in)
    slot: str | None = None  # the booked slot's time (the ticket time is then the check-in)


class Priority(_Model):
    levels: dict[str, int] = {}  # log code -> scenario priority (higher first); default: as is
    names: dict[int, str] = {}  # scenario priority -> suffix of the matter id
    # Are higher levels called first? null: as the log shows (their waits clearly shorter,
    # see simlib.calibrate.hall.served_ahead); false: one FIFO queue, levels kept for
    # patience and names only
    served_ahead: bool | None = None


class LogMap(_Model):
    calibrate: str = "ticket log"  # what this map is for (free text)
    name: str = "calibrated hall"
    columns: Columns
    time_format: str = "%H:%M:%S"  # clock times; with a date column, or full timestamps
    date_format: str = "%Y-%m-%d"
    served: list[str]  # outcome codes of served tickets
    gave_up: list[str]  # outcome codes of tickets whose holder left before a call
    no_show: list[str] = []  # outcome codes of booked applicants who did not come
    balked: list[str] = []  # outcome codes of people who looked at the display and left
    ignore: list[dict[str, Any]] = []  # rows matching every column: value of an entry
    no_officer: list[str] = []  # officer codes meaning "nobody"
    no_applicant: list[str] = []  # applicant codes meaning "not identified"
    zero_time: str | None = "0:00:00"  # a time that means "did not happen"
    priority: Priority = Priority()
    min_matter_share: float = Field(0.02, ge=0, lt=1)  # rarer matters are lumped as "other"
    redial_window_min: float = Field(60.0, gt=0)
    busy_hours: list[int] = [10, 22]  # [from, to) clock hours compared in the fit check
    refine_rounds: int = Field(2, ge=0, le=10)  # simulation rounds refining the officers
    # fit a random daily rate (arrivals.day_factor) to matters whose counts are more
    # variable across weeks than Poisson allows; false: Poisson arrivals throughout
    day_factor: bool = True
    # after the refinement, scale all officers by the factor of a short grid that brings the
    # mean wait, the share who gave up and the share called within 1 min jointly nearest
    settle_scale: bool = True
    # Bad rows (impossible or inconsistent times, duplicates, far-off dates) are skipped and
    # reported; more than this share of them refuses the log (the map is likely wrong).
    max_bad_share: float = Field(0.01, ge=0, le=1)


def load_map(path: str | Path) -> Any:
    """Read and validate a map file: a ticket-log map (:class:`LogMap`), or an event-log
    map (:class:`simlib.calibrate.eventmap.EventMap`) when it says ``kind: event log``."""
    path = Path(path)
    data = read_yaml(path).data  # the file layer: size, aliases, duplicate keys, line numbers
    if not isinstance(data, dict):
        raise CalibrationError(f"{path}: a map is a YAML mapping with 'columns', 'served' ...")
    model: Any = LogMap
    if data.get("kind") == "event log":
        from simlib.calibrate.eventmap import EventMap

        model = EventMap
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise CalibrationError(f"{path}: " + "; ".join(lines)) from None


def _parse_times(
    raw: pd.Series, fmt: str, column: str, source: str, rows: np.ndarray
) -> np.ndarray:
    """Clock times as minutes after midnight, or full timestamps as datetime64; an
    unparsable value names its row (1-based, the header being row 1)."""
    text = raw.astype(str).str.strip()
    empty = (text == "").to_numpy()
    if empty.any():  # no time (e.g. no call for who gave up): NaN, not an error
        out = np.full(len(text), np.nan)
        if (~empty).any():
            out[~empty] = _as_minutes(_parse_times(raw[~empty], fmt, column, source, rows[~empty]))
        return out
    if fmt in ("%H:%M:%S", "%H:%M"):
        parts = text.str.split(":", expand=True)
        ok = parts.notna().all(axis=1) & (parts.shape[1] in (2, 3))
        nums = parts.apply(pd.to_numeric, errors="coerce")
        ok &= nums.notna().all(axis=1)
        if not ok.all():
            bad = int(np.flatnonzero(~ok.to_numpy())[0])
            raise CalibrationError(
                f"{source}: row {rows[bad]}, column '{column}': cannot read time "
                f"'{raw.iloc[bad]}' as {fmt}"
            )
        minutes = nums[0] * 60 + nums[1]
        if nums.shape[1] > 2:
            minutes = minutes + nums[2] / 60
        return minutes.to_numpy(dtype=float)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if parsed.isna().any():
        bad = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise CalibrationError(
            f"{source}: row {rows[bad]}, column '{column}': cannot read time "
            f"'{raw.iloc[bad]}' as {fmt}"
        )
    return parsed.to_numpy()


def _as_minutes(x: np.ndarray) -> np.ndarray:
    if np.issubdtype(x.dtype, np.datetime64):
        return (x - np.datetime64("1970-01-01")) / np.timedelta64(1, "m")
    return x


def _require(df: pd.DataFrame, m: LogMap, source: str) -> None:
    named = {k: v for k, v in m.columns.model_dump().items() if v is not None}
    for entry in m.ignore:
        named.update({f"ignore.{k}": k for k in entry})
    missing = {k: v for k, v in named.items() if v not in df.columns}
    if missing:
        what = ", ".join(f"'{v}' (map: {k})" for k, v in missing.items())
        raise CalibrationError(
            f"{source}: the map names column(s) {what} that the log does not have; "
            f"the log's columns are: {', '.join(map(str, df.columns))}"
        )


def read_ticket_log(path: str | Path, m: LogMap) -> pd.DataFrame:
    """The log as tickets: matter, level, day, weekday (0 = Mon), ``ticket``/``call``/``end``
    (minutes after ``start_date`` 00:00; NaN when it did not happen), ``wait``, ``service``,
    ``served``, ``gave_up``, ``officer``, ``applicant``, ``hour`` (clock hour of the ticket).

    ``df.attrs['start_date']`` and ``df.attrs['days']`` give the days the log covers.
    """
    source = str(path)
    check_log_file(path, "ticket log")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CalibrationError(f"{source}: no such ticket log") from None
    except pd.errors.EmptyDataError:
        raise CalibrationError(f"{source}: the ticket log has no header row") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        raise CalibrationError(f"{source}: cannot read the log as CSV ({exc})") from None
    if df.empty:
        raise CalibrationError(f"{source}: the log has no rows")
    _require(df, m, source)
    rows = np.arange(len(df)) + 2  # the header is row 1
    keep = np.ones(len(df), dtype=bool)
    for entry in m.ignore:
        hit = np.ones(len(df), dtype=bool)
        for col, val in entry.items():
            vals = [str(v) for v in (val if isinstance(val, list) else [val])]
            hit &= df[col].isin(vals).to_numpy()
        keep &= ~hit
    outcome = df[m.columns.outcome]
    no_show = m.no_show if m.columns.booked is not None else []  # only booked ones
    known = outcome.isin(m.served + m.gave_up + no_show + m.balked).to_numpy()
    keep &= known  # other outcomes (e.g. transfers) are not tickets of this hall
    df, rows = df[keep].reset_index(drop=True), rows[keep]
    if df.empty:
        raise CalibrationError(
            f"{source}: no row is left after the map's 'ignore' rules with an outcome in "
            f"served {m.served} or gave_up {m.gave_up}"
        )
    c = m.columns
    issues = RowIssues(source, len(df))
    df, rows = _screen(df, rows, m, issues)
    if c.date is not None:
        dates = pd.to_datetime(df[c.date], format=m.date_format, errors="coerce")
        if dates.isna().any():
            bad = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise CalibrationError(
                f"{source}: row {rows[bad]}, column '{c.date}': cannot read date "
                f"'{df[c.date].iloc[bad]}' as {m.date_format}"
            )
        start = dates.min().date()
        day = (dates - pd.Timestamp(start)).dt.days.to_numpy()

        def clock(col: str) -> np.ndarray:
            return _parse_times(df[col], m.time_format, col, source, rows)

        base = day * 1440.0
    else:
        if (df[c.ticket].astype(str).str.strip() == "").any():
            i = int(np.flatnonzero((df[c.ticket].astype(str).str.strip() == "").to_numpy())[0])
            raise CalibrationError(f"{source}: row {rows[i]}, column '{c.ticket}': no time")
        first = _as_minutes(_parse_times(df[c.ticket], m.time_format, c.ticket, source, rows))
        start = (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=float(np.min(first)))).date()
        origin = (start - dt.date(1970, 1, 1)).days * 1440.0

        def clock(col: str) -> np.ndarray:
            t = _as_minutes(_parse_times(df[col], m.time_format, col, source, rows))
            return t - origin

        base = np.zeros(len(df))
        day = None

    zero = df[c.ticket].astype(str).str.strip() == (m.zero_time or "\0")
    ticket = clock(c.ticket)
    if c.ticket_fallback is not None:
        ticket = np.where(zero, clock(c.ticket_fallback), ticket)
    served = df[c.outcome].isin(m.served).to_numpy()
    call = np.where(served & ~_is_zero(df, c.call, m), clock(c.call), np.nan)
    end = np.where(served & ~_is_zero(df, c.end, m), clock(c.end), np.nan)
    if c.left is not None:  # served without a call time: called when it left the queue
        left = np.where(_is_zero(df, c.left, m), np.nan, clock(c.left))
        call = np.where(served & np.isnan(call), left, call)
    if c.date is not None:
        # Clock times past midnight belong to the next day: unwrap against the ticket time.
        # (A few seconds backwards is clock skew between systems, not a new day.)
        call = np.where(call < ticket - 720, call + 1440.0, call)
        end = np.where(end < call - 720, end + 1440.0, end)
        ticket, call, end = ticket + base, call + base, end + base
    else:
        day = (ticket // 1440).astype(int)
    gave_up = df[c.outcome].isin(m.gave_up).to_numpy()
    out = pd.DataFrame(
        {
            "type": df[c.matter].astype(str).to_numpy(),
            "level": _levels(df, m),
            "day": day.astype(int),
            "ticket": ticket,
            "call": call,
            "end": end,
            "served": served,
            "gave_up": gave_up,
            "row": rows,
        }
    )
    out["weekday"] = (pd.Timestamp(start).weekday() + out["day"]) % 7
    out["hour"] = ((out["ticket"] % 1440) // 60).astype(int)
    out["wait"] = np.where(served, out["call"] - out["ticket"], np.nan)
    out["service"] = out["end"] - out["call"]
    out["officer"] = _codes(df, c.officer, m.no_officer, served)
    out["applicant"] = _codes(df, c.applicant, m.no_applicant, None)
    _left_at(df, m, out, clock, base if c.date is not None else 0.0)
    _booking_columns(df, m, out, clock, base if c.date is not None else 0.0)
    looked = df[c.outcome].isin(m.balked).to_numpy()  # no ticket taken: kept apart below
    skew = 2.0  # minutes: clocks of the queue and the agents' systems disagree a little
    bad = (out["served"] & ((out["wait"] < -skew) | (out["service"] < -skew))).to_numpy()
    if bad.any():
        idx = np.flatnonzero(bad)
        issues.add(
            rows[idx],
            [
                f"inconsistent times: call before the ticket or end before the call (ticket "
                f"{_clock(ticket[i])}, call {_clock(call[i])}, end {_clock(end[i])})"
                for i in idx
            ],
        )
        out = out[~bad].reset_index(drop=True)
        start = _first_date(start, out)
    issues.check(m.max_bad_share)
    if out.empty:
        raise CalibrationError(f"{source}: no usable row is left")
    out["wait"] = out["wait"].clip(lower=0.0)
    out["service"] = out["service"].clip(lower=0.0)
    out["matter"] = _matter_ids(out, m)
    if m.balked:
        gone = out["row"].isin(rows[looked]).to_numpy()
        out.attrs["balked"] = out.loc[gone, ["matter", "ticket", "applicant"]]
        out = out[~gone].reset_index(drop=True)
    if "booked" in out:  # the bookings apart (with their no-shows); no-shows are no tickets
        out.attrs["booking"] = out.loc[out["booked"], ["matter", "ticket", "slot", "call"]].assign(
            no_show=out.loc[out["booked"], "no_show"]
        )
        out = out[~out["no_show"]].reset_index(drop=True)
        out.attrs["no_show_codes"] = bool(m.no_show)
    out.attrs["start_date"] = start
    out.attrs["days"] = int(out["day"].max()) + 1
    out.attrs["source"] = source
    out.attrs["issues"] = issues
    return out


def _booking_columns(df: pd.DataFrame, m: LogMap, out: pd.DataFrame, clock: Any, base: Any) -> None:
    """``booked``, ``slot`` (minutes; NaN for walk-ins) and ``no_show`` when the map names
    a booked column; nothing otherwise."""
    c = m.columns
    if c.booked is None:
        return
    mark = df[c.booked].astype(str).str.strip().str.lower()
    booked = (~mark.isin(["", "0", "false", "no", "n", "nan"])).to_numpy()
    out["no_show"] = df[c.outcome].isin(m.no_show).to_numpy() & booked
    out["booked"] = booked
    slot = np.full(len(df), np.nan)
    if c.slot is not None:  # blank slot times read as NaN
        slot = np.where(booked, np.asarray(clock(c.slot), dtype=float) + base, np.nan)
    out["slot"] = slot


def _clock(minutes: float) -> str:
    if minutes != minutes:
        return "none"
    m = minutes % 1440
    return f"{int(m // 60):02d}:{int(m % 60):02d}:{round(m * 60 % 60) % 60:02d}"


def _first_date(start: dt.date, out: pd.DataFrame) -> dt.date:
    """The first date again after rows were dropped (days renumbered from it)."""
    shift = int(out["day"].min()) if len(out) else 0
    if shift:
        for col in ("ticket", "call", "end"):
            out[col] = out[col] - shift * 1440.0
        out["day"] = out["day"] - shift
    return start + dt.timedelta(days=shift)


def _screen(
    df: pd.DataFrame, rows: np.ndarray, m: LogMap, issues: RowIssues
) -> tuple[pd.DataFrame, np.ndarray]:
    """Skip (and record) duplicated rows, unreadable or impossible dates and times, and
    dates far from the rest of the log; refuse a log whose dates span too many days."""
    c = m.columns
    bad: dict[int, str] = {}
    pos, texts = duplicate_rows(df, rows)
    bad.update(zip(pos.tolist(), texts, strict=True))
    zero = m.zero_time or "\0"
    clock = m.time_format in ("%H:%M:%S", "%H:%M")
    stamps = None
    for col in [c.ticket, c.ticket_fallback, c.call, c.end, c.left]:
        if col is None:
            continue
        text = df[col].astype(str).str.strip()
        used = ((text != "") & (text != zero)).to_numpy()
        if clock:
            wrong = clock_problems(text) & used
        else:
            parsed = pd.to_datetime(text.where(used, None), format=m.time_format, errors="coerce")
            wrong = parsed.isna().to_numpy() & used
            if col == c.ticket:
                stamps = parsed
        for i in np.flatnonzero(wrong):
            bad.setdefault(
                int(i),
                f"impossible time: column '{col}' holds '{df[col].iloc[i]}', not a time "
                f"as {m.time_format}",
            )
    if c.date is not None:
        dates = pd.to_datetime(df[c.date], format=m.date_format, errors="coerce")
        for i in np.flatnonzero(dates.isna().to_numpy()):
            bad.setdefault(
                int(i),
                f"unreadable date: column '{c.date}' holds '{df[c.date].iloc[i]}', not a "
                f"date as {m.date_format}",
            )
        col = c.date
    else:
        dates, col = stamps, c.ticket
    if dates is not None:
        day = (dates - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
        far = date_outliers(day)
        for i in np.flatnonzero(far):
            bad.setdefault(
                int(i),
                f"date far from the rest: column '{col}' holds '{df[col].iloc[i]}', over "
                f"{GAP_DAYS} days from every other date of the log",
            )
        keep_day = day[~far & ~np.isnan(day)]
        if len(keep_day):
            msg = span_message(float(keep_day.max() - keep_day.min() + 1), issues.source)
            if msg is not None:
                raise CalibrationError(msg)
    if bad:
        idx = np.array(sorted(bad))
        issues.add(rows[idx], [bad[i] for i in idx])
        keep = np.ones(len(df), dtype=bool)
        keep[idx] = False
        issues.check(m.max_bad_share)
        df, rows = df[keep].reset_index(drop=True), rows[keep]
    return df, rows


def _left_at(df: pd.DataFrame, m: LogMap, out: pd.DataFrame, clock: Any, base: Any) -> None:
    """The wait of those who gave up (their patience ran out then): the map's ``left``
    column minus the ticket time; unknown (NaN) without one."""
    gave = out["gave_up"].to_numpy()
    col = m.columns.left
    if col is None:
        out.loc[gave, "wait"] = np.nan
        return
    left = clock(col)
    if m.columns.date is not None:
        left = np.where(left < out["ticket"] - base - 720, left + 1440.0, left) + base
    out.loc[gave, "wait"] = np.maximum(left[gave] - out["ticket"].to_numpy()[gave], 0.0)


def _is_zero(df: pd.DataFrame, col: str, m: LogMap) -> np.ndarray:
    if m.zero_time is None:
        return np.zeros(len(df), dtype=bool)
    return (df[col].astype(str).str.strip() == m.zero_time).to_numpy()


def _codes(df: pd.DataFrame, col: str | None, none: list[str], mask: Any) -> np.ndarray:
    if col is None:
        return np.full(len(df), None, dtype=object)
    vals = df[col].astype(str).str.strip()
    vals = vals.where(~vals.isin(none) & (vals != ""), None)
    if mask is not None:
        vals = vals.where(mask, None)
    return vals.to_numpy(dtype=object)


def _levels(df: pd.DataFrame, m: LogMap) -> np.ndarray:
    col = m.columns.priority
    if col is None:
        return np.zeros(len(df), dtype=int)
    codes = df[col].astype(str).str.strip()
    if m.priority.levels:
        unknown = sorted(set(codes) - set(m.priority.levels))
        if unknown:
            raise CalibrationError(
                f"priority code(s) {unknown} in column '{col}' are not in the map's "
                f"priority.levels {sorted(m.priority.levels)}"
            )
        return codes.map(m.priority.levels).to_numpy(dtype=int)
    num = pd.to_numeric(codes, errors="coerce")
    if num.isna().any():
        i = int(np.flatnonzero(num.isna().to_numpy())[0])
        raise CalibrationError(
            f"column '{col}' holds '{codes.iloc[i]}', not a number; map codes to levels "
            "with priority.levels"
        )
    return num.to_numpy(dtype=int)


def _matter_ids(t: pd.DataFrame, m: LogMap) -> np.ndarray:
    """One scenario matter per (type, priority level); rare ones lumped per level."""
    names = m.priority.names
    levels_of = t.groupby("type")["level"].nunique()
    several = t["level"].nunique() > 1

    def ident(kind: str, level: int) -> str:
        base = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in kind) or "matter"
        if not base[0].isalpha():
            base = "m_" + base
        # A suffix where one type comes at several levels (always, when the map names them).
        suffix = several and (bool(names) or levels_of.get(kind, 1) > 1 or kind == "other")
        return f"{base}_{names.get(level, f'p{level}')}" if suffix else base

    share = t.groupby(["type", "level"]).size() / len(t)
    ids = {}
    for (kind, level), s in share.items():
        ids[(kind, level)] = ident(kind if s >= m.min_matter_share else "other", level)
    return np.array([ids[k] for k in zip(t["type"], t["level"], strict=True)], dtype=object)


def log_dates(t: pd.DataFrame) -> list[dt.date]:
    start = t.attrs["start_date"]
    return [start + dt.timedelta(days=d) for d in range(t.attrs["days"])]

"""The directly-follows map of an event log (as process-mining tools draw it).

Each case's events in time order; an edge a -> b counts how often b directly followed a in
a case (and its mean gap: from a's completion to b's start when the log has start times,
else between completions); a node counts the events of its activity (and, with start
times, their mean duration). Cases start at "start" and finish at "end". Column names
default to the XES ones simlib writes (``simlib run --events``); a calibration map's
``events:`` (or ``columns:``) section, or options, can name others.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib.engine.records import Records
from simlib.eventlog import event_log
from simlib.visual.chains import Edge, Node, ProcessMap, duration

__all__ = [
    "LogColumns",
    "columns_from_map",
    "log_from_frame",
    "log_from_records",
    "log_map",
    "read_log",
]


@dataclass(frozen=True)
class LogColumns:
    case: str = "case:concept:name"
    activity: str = "concept:name"
    time: str = "time:timestamp"  # completion
    start: str | None = "time:start_timestamp"  # used when the log has it
    matter: str | None = "matter"  # one map per value, when the log has it


_KEYS = {
    "case": ("case", "case_id", "case:concept:name"),
    "activity": ("activity", "concept:name"),
    "time": ("time", "timestamp", "end", "complete", "time:timestamp"),
    "start": ("start", "start_timestamp", "time:start_timestamp"),
    "matter": ("matter", "case_type"),
}


def columns_from_map(path: str | Path | None, **given: str | None) -> LogColumns:
    """Column names: options (``given``) first, then the map's ``events:`` or ``columns:``
    section (read loosely: the keys of ``_KEYS``), then the XES defaults."""
    found: dict[str, str] = {}
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the map ({exc})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a map is a YAML mapping; got {type(data).__name__}")
        for section in ("events", "event_columns", "columns"):
            part = data.get(section)
            if isinstance(part, dict):
                for field, names in _KEYS.items():
                    for name in names:
                        if isinstance(part.get(name), str) and field not in found:
                            found[field] = part[name]
    found.update({k: v for k, v in given.items() if v})
    return LogColumns(**found)


def read_log(path: str | Path, cols: LogColumns) -> pd.DataFrame:
    """The log as columns case, activity, time, start (NaT without), matter; a ValueError
    naming the file, the column and the row for what cannot be read."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ValueError(f"{path}: no such event log") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the event log as CSV ({exc})") from None
    return log_from_frame(df, cols, str(path))


def log_from_records(records: Records) -> pd.DataFrame:
    """A run's event log (``simlib.eventlog``) in the columns of :func:`read_log`: the
    simulated map to draw beside a real log's."""
    return log_from_frame(event_log(records).astype(str), LogColumns(), "the run's event log")


def log_from_frame(df: pd.DataFrame, cols: LogColumns, path: str) -> pd.DataFrame:
    """Columns case, activity, time, start (NaT without), matter from a table of strings."""
    missing = [c for c in (cols.case, cols.activity, cols.time) if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path}: no column(s) {', '.join(repr(c) for c in missing)} (name them with "
            f"--case/--activity/--time or the map's events: section); the log has "
            f"{', '.join(df.columns)}"
        )
    out = pd.DataFrame({"case": df[cols.case], "activity": df[cols.activity]})
    for name, col in (("time", cols.time), ("start", cols.start)):
        if col is None or col not in df.columns:
            out[name] = pd.NaT
            continue
        t = pd.to_datetime(df[col], errors="coerce", format="ISO8601")
        if t.isna().any():
            i = int(np.flatnonzero(t.isna().to_numpy())[0])
            raise ValueError(
                f"{path}: row {i + 2}, column '{col}': cannot read time {df[col].iloc[i]!r}"
            )
        out[name] = t
    out["matter"] = df[cols.matter] if cols.matter and cols.matter in df.columns else ""
    return out


def log_map(log: pd.DataFrame, title: str = "Process map from the event log") -> ProcessMap:
    """The directly-follows map, one cluster per matter (one cluster if the log has none)."""
    pm = ProcessMap(title)
    has_start = log["start"].notna().all()
    order = ["matter", "case", "start", "time"] if has_start else ["matter", "case", "time"]
    log = log.sort_values(order, kind="stable")
    for matter, g in log.groupby("matter", sort=False):
        prefix = f"{matter}__" if matter else "log__"
        acts = g["activity"].astype(str).to_numpy()
        case = g["case"].to_numpy()
        done = g["time"].to_numpy()
        began = g["start"].to_numpy() if has_start else done
        counts = Counter(acts)
        pairs: Counter = Counter()
        gaps: dict[tuple[str, str], list[float]] = defaultdict(list)
        first = np.r_[True, case[1:] != case[:-1]]
        last = np.r_[case[1:] != case[:-1], True]
        for i in range(len(acts)):
            if first[i]:
                pairs[("start", acts[i])] += 1
            if last[i]:
                pairs[(acts[i], "end")] += 1
            else:
                pairs[(acts[i], acts[i + 1])] += 1
                gap = (began[i + 1] - done[i]) / np.timedelta64(1, "m")
                gaps[(acts[i], acts[i + 1])].append(float(gap))
        nodes = [Node(prefix + "start", matter or "start", "start", count=int(first.sum()))]
        for act, n in counts.most_common():
            lines = []
            if has_start:
                spent = (done - began)[acts == act] / np.timedelta64(1, "m")
                lines.append(f"takes {duration(float(np.mean(spent)))}")
            nodes.append(Node(prefix + act, act, "box", lines, count=n))
        nodes.append(Node(prefix + "end", "end", "end"))
        pm.clusters[matter or "log"] = nodes
        for (a, b), n in pairs.most_common():
            label = f"{duration(float(np.mean(gaps[(a, b)])))}" if (a, b) in gaps else ""
            pm.edges.append(Edge(prefix + a, prefix + b, label, count=n, back=(a == b)))
    return pm

"""Columnar records of one run: what happened, not what it means (that is ``metrics``).

Columns are compact ``array.array`` buffers (8-byte times, small integer codes), turned
into pandas DataFrames on demand. ``detail="kpi"`` keeps the per-case and per-ticket
tables that KPIs need and drops the per-activity event log, so that large sweeps stay small.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "CHANNELS",
    "OUTCOMES",
    "STATUSES",
    "VISIT_KINDS",
    "PoolTally",
    "Records",
]

Detail = Literal["full", "kpi"]

CHANNELS = ("walk_in", "online")
STATUSES = ("in_progress", "decided", "abandoned")
# "booked": an appointment (its ``ticket`` is the slot time, so ``wait`` is from the slot)
VISIT_KINDS = ("submit", "return", "collect", "supplement", "step_visit", "booked")
# "balked": left at the ticket display without a ticket (ticket = end = that instant)
# "no_show": a booked applicant who did not come; "refused": came too late for the slot
OUTCOMES = (
    "served",
    "reneged",
    "sent_home",
    "waiting",
    "in_service",
    "balked",
    "no_show",
    "refused",
)
NAN = float("nan")


@dataclass
class PoolTally:
    """Per-pool sums after warm-up: waits of work items, officer busy and available time."""

    wait_sum: float = 0.0
    wait_n: int = 0
    busy: float = 0.0
    available: float = 0.0


CHUNK = 4096  # rows a table holds as tuples before they join its columns


class _Table:
    """Columns of one table. Rows written one at a time wait in ``rows`` as tuples, a
    chunk at a time, and join the columns packed by ``struct``: one list append per row
    instead of one ``array.append`` per column (each of which parses its item through
    ``PyArg_Parse``). Reading flushes first."""

    def __init__(self, spec: dict[str, str]):
        self.spec = spec
        self.cols = {name: array(code) for name, code in spec.items()}
        self.rows: list[tuple[Any, ...]] = []

    def flush(self) -> None:
        """Append the waiting rows to the columns, in each column's native C type (the
        bytes ``array.append`` writes, its range checks included: ``struct.error``); every
        column is packed before any changes."""
        rows = self.rows
        if not rows:
            return
        n = len(rows)
        cols = self.cols.values()
        packed = [
            struct.pack(f"@{n}{col.typecode}", *values)
            for col, values in zip(cols, zip(*rows, strict=True), strict=True)
        ]
        for col, data in zip(cols, packed, strict=True):
            col.frombytes(data)
        rows.clear()

    def __len__(self) -> int:
        self.flush()
        return len(next(iter(self.cols.values())))

    def nbytes(self) -> int:
        self.flush()
        return sum(c.itemsize * len(c) for c in self.cols.values())

    def arrays(self) -> dict[str, np.ndarray]:
        """Zero-copy numpy views of the columns (columns grown ahead are cut to length)."""
        n = len(self)
        return {k: np.frombuffer(v, dtype=v.typecode)[:n] for k, v in self.cols.items()}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: a.copy() for k, a in self.arrays().items()})


@dataclass
class Records:
    """Everything one run recorded, plus what is needed to read it (codes, calendar)."""

    detail: Detail
    warmup: float
    horizon: float
    matters: list[str]
    pools: list[str]
    activities: list[str] = field(default_factory=list)
    time_limits: dict[str, float | None] = field(default_factory=dict)
    commitment_matters: set[str] = field(default_factory=set)
    calendar: Any = None  # HallCalendar: working-day arithmetic for lead times
    pool_hours: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # daily shifts
    tally: dict[str, PoolTally] = field(default_factory=dict)
    wait_target: float = 15.0  # minutes: hall_service_level counts tickets called within it
    daily_backlog: list[float] = field(default_factory=list)  # back-office work at workdays' end
    backlog_days: list[int] = field(default_factory=list)  # ... sampled at these days' 24:00
    travel: float = 0.0  # minutes of travel per applicant visit (applicant_hours_per_case)
    cap: float = float("inf")  # the latest the run may go on draining the cohort (minutes)
    end: float = float("nan")  # when the run stopped: every cohort case finished, or the cap
    # appointments, per matter id: slots offered and booked in [warm-up, horizon), bookings
    # made then with their days ahead, late arrivals sent to the walk-in queue, ...
    booking: dict[str, dict[str, Any]] = field(default_factory=dict)
    # appointments: when each booked applicant (case id) came to the hall (no-shows: absent)
    booked_arrivals: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cases = _Table(
            {
                "matter": "h",
                "channel": "b",
                "arrival": "d",
                "accepted": "d",
                "decision": "d",
                "visits": "h",
                "status": "b",
                "revoked": "b",
            }
        )
        self._visits = _Table(
            {
                "case": "i",
                "kind": "b",
                "pool": "h",
                "ticket": "d",
                "call": "d",
                "end": "d",
                "outcome": "b",
            }
        )
        self._steps = _Table(
            {
                "case": "i",
                "activity": "h",
                "pool": "h",
                "officer": "h",
                "enqueued": "d",
                "start": "d",
                "end": "d",
            }
        )
        self._activity_code: dict[str, int] = {a: i for i, a in enumerate(self.activities)}
        self.tally = {p: PoolTally() for p in self.pools}
        self.tally_by_code = [self.tally[p] for p in self.pools]
        # The hot path appends through bound methods; the case columns that are filled in
        # later (acceptance, decision, ...) grow in chunks of their start value instead.
        c = self._cases.cols
        self._case_appends = (c["matter"].append, c["channel"].append, c["arrival"].append)
        self._case_later = {
            "accepted": NAN,
            "decision": NAN,
            "visits": 0,
            "status": 0,
            "revoked": 0,
        }
        self._case_room = 0
        self._n_cases = 0
        self._visit_rows = self._visits.rows
        self._step_rows = self._steps.rows

    # --- writing (engine side) -------------------------------------------------------
    def new_case(self, matter: int, channel: int, arrival: float) -> int:
        add_matter, add_channel, add_arrival = self._case_appends
        add_matter(matter)
        add_channel(channel)
        add_arrival(arrival)
        case = self._n_cases
        self._n_cases = case + 1
        if case >= self._case_room:
            cols = self._cases.cols
            for name, start in self._case_later.items():
                cols[name].extend(array(cols[name].typecode, [start]) * 4096)
            self._case_room += 4096
        return case

    def add_cases(
        self,
        matter: list[int],
        arrival: list[float],
        later: dict[str, list[Any]],
        channel: int = 0,
    ) -> None:
        """All the cases of a run at once (the hall kernel keeps them on its own objects
        while it runs): the columns ``new_case`` and then writing the later columns by index
        would have left, chunk padding included. ``later`` gives some of the columns filled
        in later (``accepted``, ``status``, ...), one value per case; the others keep their
        start value."""
        n = len(matter)
        if self._n_cases:
            raise ValueError(f"add_cases writes a run's cases at once: {self._n_cases} exist")
        if len(arrival) != n or any(len(v) != n for v in later.values()):
            raise ValueError("add_cases needs one value per case in every column")
        if unknown := set(later) - set(self._case_later):
            raise ValueError(f"not a column filled in later: {sorted(unknown)}")
        cols = self._cases.cols
        room = -(-n // 4096) * 4096
        given: dict[str, list[Any]] = {"matter": matter, "channel": [channel] * n}
        given["arrival"] = arrival
        given.update(later)
        # Packed in each column's C type (the bytes append writes, its range checks
        # included: struct.error) before any column changes.
        packed = {
            name: struct.pack(f"@{n}{cols[name].typecode}", *values)
            for name, values in given.items()
        }
        for name, col in cols.items():
            if name in packed:
                col.frombytes(packed[name])
            else:
                col.extend(array(col.typecode, [self._case_later[name]]) * n)
            if name in self._case_later:
                col.extend(array(col.typecode, [self._case_later[name]]) * (room - n))
        self._n_cases = n
        self._case_room = room

    def case_cols(self) -> dict[str, array]:
        return self._cases.cols

    def visit(
        self, case: int, kind: int, pool: int, ticket: float, call: float, end: float, outcome: int
    ) -> None:
        rows = self._visit_rows
        rows.append((case, kind, pool, ticket, call, end, outcome))
        if len(rows) >= CHUNK:
            self._visits.flush()

    def row_lists(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Where rows of the visits and of the event log wait: the engine's busiest callers
        append the tuple ``visit`` or ``step`` would (a call less per row), then call
        ``flush_rows`` once a list holds ``CHUNK`` rows."""
        return self._visit_rows, self._step_rows

    def flush_rows(self) -> None:
        """The waiting rows of visits and of the event log join their columns."""
        self._visits.flush()
        self._steps.flush()

    def activity_code(self, name: str) -> int:
        code = self._activity_code.get(name)
        if code is None:
            code = self._activity_code[name] = len(self.activities)
            self.activities.append(name)
        return code

    def step(
        self,
        case: int,
        activity: int,
        pool: int,
        officer: int,
        enqueued: float,
        start: float,
        end: float,
    ) -> None:
        if self.detail != "full":
            return
        rows = self._step_rows
        rows.append((case, activity, pool, officer, enqueued, start, end))
        if len(rows) >= CHUNK:
            self._steps.flush()

    # --- reading ---------------------------------------------------------------------
    def arrays(self, table: Literal["cases", "visits", "steps"]) -> dict[str, np.ndarray]:
        """Raw integer-coded columns of one table as numpy arrays (views, do not modify)."""
        return {"cases": self._cases, "visits": self._visits, "steps": self._steps}[table].arrays()

    def nbytes(self) -> int:
        """Bytes held by the columns (for the memory benchmark)."""
        return self._cases.nbytes() + self._visits.nbytes() + self._steps.nbytes()

    @property
    def cases(self) -> pd.DataFrame:
        """One row per case: matter, channel, arrival, acceptance, decision (minutes), ..."""
        df = self._cases.frame()
        df.index.name = "case"
        df["matter"] = pd.Categorical.from_codes(df["matter"], self.matters)
        df["channel"] = pd.Categorical.from_codes(df["channel"], CHANNELS)
        df["status"] = pd.Categorical.from_codes(df["status"], STATUSES)
        df["revoked"] = df["revoked"].astype(bool)
        return df

    @property
    def visits(self) -> pd.DataFrame:
        """One row per hall ticket: who, what for, at which pool, ticket/call/end times, outcome."""
        df = self._visits.frame()
        df["kind"] = pd.Categorical.from_codes(df["kind"], VISIT_KINDS)
        df["pool"] = pd.Categorical.from_codes(df["pool"], self.pools)
        df["outcome"] = pd.Categorical.from_codes(df["outcome"], OUTCOMES)
        df["wait"] = df["call"] - df["ticket"]
        return df

    @property
    def steps(self) -> pd.DataFrame:
        """The event log: case, activity, resource (pool/officer), enqueued, start, end."""
        if self.detail != "full":
            raise ValueError('the event log was not recorded; run with detail="full"')
        df = self._steps.frame()
        df["activity"] = pd.Categorical.from_codes(df["activity"], self.activities)
        df["pool"] = pd.Categorical.from_codes(df["pool"], self.pools)
        df["resource"] = df["pool"].astype(str) + "#" + df["officer"].astype(str)
        return df[["case", "activity", "resource", "pool", "officer", "enqueued", "start", "end"]]

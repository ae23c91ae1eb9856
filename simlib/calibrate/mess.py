"""Real logs' mess: rows that cannot be used, found before fitting, counted and reported.

A real log has a few rows with impossible times (``25:61:00``), times that contradict each
other (service starting before the ticket), rows written twice, events before the case was
received, or one row dated decades away. Refusing the whole log for one such row helps
nobody, and fitting through it silently is worse (a duplicated log doubles the demand).
So each bad row is skipped (or corrected) and recorded with its row number; the fit report
and the command's warning list them; and a log is refused only when more than the map's
``max_bad_share`` of its rows are bad, because then the map (or the log) is wrong, not a
few rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.calibrate.errors import CalibrationError
from simlib.limits import over

__all__ = ["RowIssue", "RowIssues", "check_log_file", "date_outliers", "duplicate_rows"]

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
GAP_DAYS = 31  # a date further than this from every other date of the log is a typo


@dataclass(frozen=True)
class RowIssue:
    """One bad row: its number in the file (the header is row 1), what is wrong, what was done."""

    row: int
    problem: str
    action: str = "skipped"

    def text(self) -> str:
        return f"row {self.row}: {self.problem} ({self.action})"


@dataclass
class RowIssues:
    """The bad rows of one log, against the rows it had."""

    source: str
    n_rows: int = 0
    items: list[RowIssue] = field(default_factory=list)

    def add(self, rows: np.ndarray, problems: list[str] | str, action: str = "skipped") -> None:
        texts = [problems] * len(rows) if isinstance(problems, str) else problems
        self.items += [RowIssue(int(r), p, action) for r, p in zip(rows, texts, strict=True)]

    @property
    def skipped(self) -> set[int]:
        return {i.row for i in self.items if i.action == "skipped"}

    @property
    def share(self) -> float:
        return len({i.row for i in self.items}) / self.n_rows if self.n_rows else 0.0

    def counts(self) -> dict[str, int]:
        """Number of rows per kind of problem (the text before the first colon)."""
        out: dict[str, int] = {}
        for i in self.items:
            kind = i.problem.split(":")[0]
            out[kind] = out.get(kind, 0) + 1
        return out

    def check(self, max_share: float) -> None:
        """Refuse (CalibrationError) when more than ``max_share`` of the rows are bad."""

        if self.share <= max_share:
            return
        first = "; ".join(i.text() for i in sorted(self.items, key=lambda i: i.row)[:5])
        raise CalibrationError(
            f"{self.source}: {len({i.row for i in self.items})} of {self.n_rows} rows "
            f"({self.share:.1%}) cannot be used, more than the map's max_bad_share "
            f"({max_share:.1%}), so the map or the log is likely wrong, not a few rows. "
            f"First ones: {first}. Fix the log or the map, or raise max_bad_share in the map"
        )

    def summary(self, limit_rows: int = 8) -> str:
        """One line for a warning: how many rows of each kind, and the first row numbers."""
        if not self.items:
            return ""
        kinds = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        rows = sorted(self.items, key=lambda i: i.row)
        shown = "; ".join(i.text() for i in rows[:limit_rows])
        more = f"; and {len(rows) - limit_rows} more" if len(rows) > limit_rows else ""
        return (
            f"{self.source}: {len({i.row for i in self.items})} of {self.n_rows} rows "
            f"({self.share:.2%}) have problems ({kinds}): {shown}{more}"
        )


def check_log_file(path: str | Path, what: str) -> None:
    """Refuse, before reading, a path that is missing, not a regular file (``/dev/zero``,
    a folder), empty, or larger than the ``log_mb`` limit."""

    p = Path(path)
    if not p.exists():
        raise CalibrationError(f"{path}: no such {what}")
    if not p.is_file():
        raise CalibrationError(
            f"{path}: not a regular file; a {what} is a CSV file (optionally .gz) with a "
            "header row and one row per record"
        )
    size = p.stat().st_size
    if size == 0:
        raise CalibrationError(
            f"{path}: the {what} is empty (0 bytes); it needs a header row and one row per record"
        )
    msg = over("log_mb", size / 2**20, f"the size of the {what} in MB")
    if msg is not None:
        raise CalibrationError(f"{path}: {msg}")


def duplicate_rows(df: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Positions of rows identical in every column to an earlier row, and the problem text
    naming that earlier row (a log exported twice, or a row written twice)."""
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    first: dict[int, int] = {}
    pos, texts = [], []
    for i, key in enumerate(h):
        j = first.setdefault(int(key), i)
        if j != i:
            pos.append(i)
            texts.append(f"duplicate: the same as row {rows[j]}")
    return np.asarray(pos, dtype=int), texts


def date_outliers(days: np.ndarray) -> np.ndarray:
    """Mask of entries (day numbers) that lie more than ``GAP_DAYS`` from the main run of
    dates (the largest set of dates with no gap over ``GAP_DAYS``): a row dated 2099 in a
    1999 log. Entries that are NaN are not outliers (they are handled elsewhere)."""
    ok = ~np.isnan(days)
    out = np.zeros(len(days), dtype=bool)
    if not ok.any():
        return out
    uniq, counts = np.unique(days[ok], return_counts=True)
    breaks = np.flatnonzero(np.diff(uniq) > GAP_DAYS) + 1
    runs = np.split(np.arange(len(uniq)), breaks)
    best = max(runs, key=lambda r: counts[r].sum())
    lo, hi = uniq[best[0]], uniq[best[-1]]
    out[ok] = (days[ok] < lo) | (days[ok] > hi)
    return out


def clock_problems(text: pd.Series) -> np.ndarray:
    """Mask of clock times (``h:mm[:ss[.f]]``) that are not times of day: unreadable, or an
    hour over 23, minutes or seconds over 59 (``25:61:00``)."""
    parts = text.str.extract(_CLOCK)
    nums = parts.apply(pd.to_numeric, errors="coerce")
    readable = nums[0].notna() & nums[1].notna()
    sec = nums[2].fillna(0)
    valid = readable & (nums[0] <= 23) & (nums[1] <= 59) & (sec <= 59)
    return ~valid.to_numpy()


def span_message(span_days: float, source: str) -> str | None:
    """An error when the log's dates span more days than the ``days`` limit (checked
    before anything is allocated per day)."""
    msg = over("days", span_days, "the span of the log's dates in days")
    return None if msg is None else f"{source}: {msg}"

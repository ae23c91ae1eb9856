"""``--holdout 25%`` or ``--holdout DATE`` for ticket logs: the log split by day into the
part that is fitted and the later part the fit never sees (event logs split by case, in
:func:`simlib.calibrate.eventcal.split_holdout`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.logmap import LogMap, read_ticket_log

__all__ = ["parse_holdout", "split_ticket_log"]


def parse_holdout(holdout: str) -> float | dt.date:
    """``--holdout``'s value: a share of the log (``"25%"`` → 0.25) or a date; anything else
    is a clear error (shared by ticket logs, split by day, and event logs, split by case)."""
    text = holdout.strip()
    if text.endswith("%"):
        try:
            share = float(text[:-1]) / 100
        except ValueError:
            share = -1.0
        if not 0 < share < 1:
            raise CalibrationError(f"--holdout {holdout}: a share is 1%..99%, or give a date")
        return share
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CalibrationError(
            f"--holdout {holdout}: give a share such as 25% or a date YYYY-MM-DD"
        ) from None


def cut_day(holdout: str, days: int, start: dt.date) -> int:
    """The first held-out day (days after ``start``): the last share of the days, or a date."""
    value = parse_holdout(holdout)
    cut = days - max(1, round(days * value)) if isinstance(value, float) else (value - start).days
    if not 0 < cut < days:
        raise CalibrationError(
            f"--holdout {holdout}: leaves no day on one side (the log runs {start} + {days} days)"
        )
    return cut


def split_ticket_log(
    path: str | Path, m: LogMap, holdout: str, folder: Path
) -> tuple[Path, Path, str]:
    """Write the fitted and the held-out rows of the ticket log at ``path`` as two CSV
    files in ``folder`` (rows the map ignores go with the fitted part); and say which days."""
    t = read_ticket_log(path, m)
    days, start = int(t.attrs["days"]), t.attrs["start_date"]
    cut = cut_day(holdout, days, start)
    held_rows = set(t.loc[t["day"] >= cut, "row"].astype(int))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    held = (pd.RangeIndex(len(raw)) + 2).isin(list(held_rows))
    name = Path(str(path)).name.removesuffix(".gz").removesuffix(".csv")
    fit_path, held_path = folder / f"{name}.fit.csv", folder / f"{name}.holdout.csv"
    raw[~held].to_csv(fit_path, index=False)
    raw[held].to_csv(held_path, index=False)
    first = start + dt.timedelta(days=cut)
    last = start + dt.timedelta(days=days - 1)
    return fit_path, held_path, f"{first} - {last} ({days - cut} of {days} days)"

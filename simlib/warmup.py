"""Is the warm-up long enough? MSER-5 on the daily back-office backlog.

The engine samples, at the end of every working day of the horizon, the work waiting for or
held by back-office officers (``Records.daily_backlog``): the queues that start empty and take
longest to fill. MSER-5 (White 1997; Hoad, Robinson and Davies 2010 found it the most
reliable simple rule) batches the series in fives and truncates where the standard error
of the mean of what remains is smallest, looking in the first half only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["mser5", "suggested_warmup_days", "warmup_warning"]

BATCH = 5


def mser5(series: Sequence[float], batch: int = BATCH) -> tuple[int, bool]:
    """(observations to discard, whether that is at the edge of the search — then the run is
    too short to tell where the transient ends)."""
    x = np.asarray(series, dtype=float)
    k = len(x) // batch
    if k < 4:
        return 0, True
    means = x[: k * batch].reshape(k, batch).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(k // 2 + 1):
        rest = means[d:]
        value = float(((rest - rest.mean()) ** 2).sum()) / len(rest) ** 2
        if value < best * (1 - 1e-12):
            best, best_d = value, d
    return best_d * batch, best_d >= k // 2


def suggested_warmup_days(backlog: Sequence[float], days: Sequence[int]) -> tuple[float, bool]:
    """MSER-5 on a backlog sampled at the end of working days ``days``: the calendar days to
    discard, and whether the search hit its edge."""
    cut, at_edge = mser5(backlog)
    return (float(days[cut - 1]) if cut > 0 else 0.0), at_edge


def warmup_warning(suggested_days: Sequence[float], warmup_days: int) -> str | None:
    """A warning when MSER-5 (per replication) asks for more warm-up than the scenario has."""
    days = np.asarray(suggested_days, dtype=float)
    days = days[np.isfinite(days)]
    if not len(days):
        return None
    need = float(np.mean(days))
    if need <= warmup_days:
        return None
    return (
        f"warm-up may be too short: MSER-5 on the daily back-office backlog suggests "
        f"discarding about {need:.0f} day(s) (mean over {len(days)} run(s)), the scenario "
        f"discards {warmup_days}; raise horizon.warmup_days (and days) so that early cases "
        "do not meet queues emptier than usual."
    )

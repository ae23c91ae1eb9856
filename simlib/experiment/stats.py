"""Summaries across replications: mean and Student-t 95 % confidence intervals."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["CSV_FLOAT", "level_ci", "mean_ci", "summarize", "t_quantile"]

CSV_FLOAT = "%.12g"  # CSV numbers: full precision without float noise (0.1 + 0.2 = 0.3)


@lru_cache(maxsize=256)
def t_quantile(q: float, df: int) -> float:
    """Student-t quantile, remembered: a comparison asks for the same few (level, n) pairs
    tens of thousands of times (one per KPI and arm), and scipy's ``t.ppf`` costs ~80 us
    a call, most of a comparison table's time. ``special.stdtrit`` is what ``t.ppf``
    computes (the same bits), without importing scipy.stats (~0.7 s) with simlib."""
    return float(special.stdtrit(df, q))


def mean_ci(values: np.ndarray | list[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of the t-interval over finite values; NaN bounds when n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan
    half = float(t_quantile(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def level_ci(values: np.ndarray | list[float], level: float = 0.95) -> tuple[float, float, float]:
    """:func:`mean_ci` of a level that cannot be negative (a wait, a backlog, a rate): when
    every value is >= 0 the t-interval's lower end is clipped at 0, since the mean of
    non-negative values cannot be below it (the upper end is left as it is)."""
    m, lo, hi = mean_ci(values, level)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) and (x >= 0).all() and math.isfinite(lo):
        lo = max(lo, 0.0)
    return m, lo, hi


def summarize(runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One row per KPI column: mean, ci95_low, ci95_high, std, n (finite values only)."""
    rows = []
    for col in columns:
        x = runs[col].to_numpy(dtype=float)
        finite = x[np.isfinite(x)]
        m, lo, hi = level_ci(finite)
        rows.append(
            {
                "kpi": col,
                "mean": m,
                "ci95_low": lo,
                "ci95_high": hi,
                "std": float(finite.std(ddof=1)) if len(finite) > 1 else math.nan,
                "n": len(finite),
            }
        )
    return pd.DataFrame(rows).set_index("kpi")

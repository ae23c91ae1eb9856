"""One compare folder's tables, and the one formatting of every number the report prints:
the summary and the tables call the same methods, so a number in the summary is found again,
character for character, in a table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simlib.plots.comparison import level_ci
from simlib.verdict import Material, changes_yardstick, fmt_change, fmt_level, kpi_info, verdict

__all__ = ["HEADLINE", "MORE", "SUMMARY_KPIS", "Study", "half_width"]

HEADLINE = (
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
)
MORE = ("abandon_rate", "throughput_per_day")
SUMMARY_KPIS = ("hall_wait_mean_min", "lead_time_mean_days", "visits_per_case", "on_time_rate")


def half_width(lo: float, hi: float) -> float:
    return (hi - lo) / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan


@dataclass
class Study:
    """The folder's tables, and the one formatting of every number the report prints."""

    table: pd.DataFrame
    stacked: pd.DataFrame
    runs: pd.DataFrame
    meta: dict[str, Any]
    material: Material

    def __post_init__(self) -> None:
        self.variants = list(dict.fromkeys(self.table["variant"]))
        self.yardstick = {n for n, rs in self.meta["variants"].items() if changes_yardstick(rs)}
        self.rows = {(r.variant, r.kpi): r for r in self.table.itertuples()}
        self.kpis = list(dict.fromkeys(self.table["kpi"]))

    def has(self, kpi: str) -> bool:
        return kpi in self.kpis

    def base(self, kpi: str, unit: bool = True) -> str:
        _, lo, hi = level_ci(self.runs, "baseline", "baseline", kpi)
        r = self.rows[(self.variants[0], kpi)]
        return fmt_level(kpi, r.baseline_mean, half_width(lo, hi), unit=unit)

    def level(self, variant: str, kpi: str, unit: bool = True, kind: str = "alone") -> str:
        """A level, with the digits its own CI supports (not the tighter paired one)."""
        m, lo, hi = level_ci(self.runs, kind, variant, kpi)
        if kind == "alone":
            m = self.rows[(variant, kpi)].variant_mean
        return fmt_level(kpi, m, half_width(lo, hi), unit=unit)

    def change(self, variant: str, kpi: str, unit: bool = True) -> str:
        r = self.rows[(variant, kpi)]
        return fmt_change(kpi, r.diff, half_width(r.diff_ci_low, r.diff_ci_high), unit=unit)

    def ci(self, variant: str, kpi: str) -> str:
        r = self.rows[(variant, kpi)]
        if not math.isfinite(r.diff_ci_low):
            return "no CI (one replication)"
        half = half_width(r.diff_ci_low, r.diff_ci_high)
        lo, hi = fmt_change(kpi, r.diff_ci_low, half), fmt_change(kpi, r.diff_ci_high, half)
        return f"[{lo.removesuffix(' pp')}, {hi.removesuffix(' pp')}]"

    def verdict(self, variant: str, kpi: str) -> str:
        r = self.rows[(variant, kpi)]
        return verdict(
            kpi,
            r.diff,
            r.diff_ci_low,
            r.diff_ci_high,
            r.baseline_mean,
            self.material,
            variant in self.yardstick,
        )

    def relative(self, variant: str, kpi: str) -> float:
        """Improvement as a share of the baseline (positive = better)."""
        r = self.rows[(variant, kpi)]
        if not r.baseline_mean:
            return 0.0
        sign = -1.0 if kpi_info(kpi)[2] == "lower" else 1.0
        return sign * r.diff / abs(r.baseline_mean)

    def final(self, kpi: str, unit: bool = True) -> tuple[str, str]:
        """(level with all reforms, change vs baseline) as the stacked table prints them."""
        rows = self.stacked[self.stacked["kpi"] == kpi].sort_values("stage")
        last = rows.iloc[-1]
        _, lo, hi = level_ci(self.runs, "stacked", str(last["variant"]), kpi)
        half = half_width(last["cumulative_ci_low"], last["cumulative_ci_high"])
        return (
            fmt_level(kpi, last["level"], half_width(lo, hi), unit=unit),
            fmt_change(kpi, last["cumulative"], half, unit=unit),
        )

"""One compare folder's tables, and the one formatting of every number the report prints:
the summary and the tables call the same methods, so a number in the summary is found again,
character for character, in a table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simlib.experiment.stats import level_ci
from simlib.reform_verdict import ReformVerdict, reform_verdicts
from simlib.report.names import Names
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
MORE = (
    "applicant_hours_per_case",
    "abandon_rate",
    "revoked_rate",
    "undecided_rate",
    "throughput_per_day",
)
SUMMARY_KPIS = ("hall_wait_mean_min", "lead_time_mean_days", "visits_per_case", "on_time_rate")


def half_width(lo: float, hi: float) -> float:
    return (hi - lo) / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan


def _median(values: list[float]) -> float:
    finite = sorted(v for v in values if math.isfinite(v) and v > 0)
    return finite[len(finite) // 2] if finite else math.nan


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
        self.labels = Names(self.meta.get("baseline_scenario"))
        self.names = {
            m["id"]: m.get("name") or m["id"]
            for m in (self.meta.get("baseline_scenario") or {}).get("matters", [])
        }
        self.touched: dict[str, list[str]] = {v: [] for v in self.variants}
        if "touched" in self.table:
            mine = self.table[self.table["touched"].astype(bool)]
            for v, m in zip(mine["variant"], mine["matter"], strict=True):
                if isinstance(m, str) and m not in self.touched[v]:
                    self.touched[v].append(m)
        self._level_half: dict[tuple[str, str], float] = {}
        # Each arm's runs, grouped once: the report asks for a level CI in hundreds of cells,
        # and filtering the whole runs table for each took most of the report's time.
        self._arms = {
            (str(kind), str(variant)): group
            for (kind, variant), group in self.runs.groupby(["kind", "variant"], sort=False)
        }
        self._change_half: dict[str, float] = {}
        self.verdicts: dict[str, ReformVerdict] = reform_verdicts(
            self.table, self.material, self.yardstick, self.touched
        )

    def level_ci(self, kind: str, variant: str, kpi: str) -> tuple[float, float, float]:
        """(mean, low, high) of one arm's KPI over its replications (a level, not a change);
        NaNs where the arm or the KPI is not in the runs."""
        runs = self._arms.get((kind, variant))
        if runs is None or kpi not in runs:
            return math.nan, math.nan, math.nan
        return level_ci(runs[kpi].to_numpy(float))

    def name(self, matter: str) -> str:
        """A matter's display name."""
        return self.names.get(matter, matter)

    def original_limits_stage(self) -> tuple[int, list[str]]:
        """The last stage of the stack still on the baseline's time limits, and the reforms
        left out of it (a reform that changes the limits, and those stacked after it): totals
        are given on the original yardstick only."""
        stack = list(self.meta.get("stack") or [])
        for i, v in enumerate(stack):
            if v in self.yardstick:
                return i, stack[i:]
        return len(stack), []

    def has(self, kpi: str) -> bool:
        return kpi in self.kpis

    def level_half(self, kpi: str, kind: str = "alone") -> float:
        """The column's half-width for levels: the median of the arms' own CI half-widths
        (the baseline and each reform alone, or each stage of the stack), so that every
        level in a column has the same decimals."""
        if (kind, kpi) not in self._level_half:
            arms = (
                [("baseline", "baseline")] + [("alone", v) for v in self.variants]
                if kind == "alone"
                else [("stacked", v) for v in self.meta.get("stack") or []]
            )
            halves = [half_width(*self.level_ci(k, v, kpi)[1:]) for k, v in arms]
            self._level_half[(kind, kpi)] = _median(halves)
        return self._level_half[(kind, kpi)]

    def change_half(self, kpi: str) -> float:
        """The column's half-width for changes: the median over the reforms (one number of
        decimals per column, from the CIs)."""
        if kpi not in self._change_half:
            halves = [
                half_width(self.rows[(v, kpi)].diff_ci_low, self.rows[(v, kpi)].diff_ci_high)
                for v in self.variants
                if (v, kpi) in self.rows
            ]
            self._change_half[kpi] = _median(halves)
        return self._change_half[kpi]

    def cell_half(self, variant: str, kpi: str) -> float:
        """The column's half-width, unless it would round this change's CI to one number
        ("+1 [+1, +1]"): then the change keeps the digits of its own CI."""
        r = self.rows[(variant, kpi)]
        column = self.change_half(kpi)
        own = half_width(r.diff_ci_low, r.diff_ci_high)
        if math.isfinite(own) and own < column:
            lo = fmt_change(kpi, r.diff_ci_low, column)
            if lo == fmt_change(kpi, r.diff_ci_high, column):
                return own
        return column

    def base(self, kpi: str, unit: bool = True) -> str:
        r = self.rows[(self.variants[0], kpi)]
        return fmt_level(kpi, r.baseline_mean, self.level_half(kpi), unit=unit)

    def level(self, variant: str, kpi: str, unit: bool = True, kind: str = "alone") -> str:
        """A level, with the column's decimals (from the levels' own CIs, not the tighter
        paired ones)."""
        m, _, _ = self.level_ci(kind, variant, kpi)
        if kind == "alone":
            m = self.rows[(variant, kpi)].variant_mean
        return fmt_level(kpi, m, self.level_half(kpi, kind), unit=unit)

    def change(self, variant: str, kpi: str, unit: bool = True) -> str:
        r = self.rows[(variant, kpi)]
        return fmt_change(kpi, r.diff, self.cell_half(variant, kpi), unit=unit)

    def ci(self, variant: str, kpi: str) -> str:
        r = self.rows[(variant, kpi)]
        if not math.isfinite(r.diff_ci_low):
            return "no CI (one replication)"
        half = self.cell_half(variant, kpi)
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

    def final(self, kpi: str, unit: bool = True, stage: int | None = None) -> tuple[str, str]:
        """(level with all reforms — or those up to ``stage`` —, change vs baseline) as the
        stacked table prints them."""
        rows = self.stacked[self.stacked["kpi"] == kpi].sort_values("stage")
        last = rows.iloc[-1] if stage is None else rows[rows["stage"] == stage].iloc[0]
        half = half_width(last["cumulative_ci_low"], last["cumulative_ci_high"])
        # the total keeps the digits of its own CI when the column's would round it away
        _, lo, hi = self.level_ci("stacked", str(last["variant"]), kpi)
        column = self.level_half(kpi, "stacked")
        own = half_width(lo, hi)
        level_half = min(column, own) if math.isfinite(own) else column
        return (
            fmt_level(kpi, last["level"], level_half, unit=unit),
            fmt_change(kpi, last["cumulative"], half, unit=unit),
        )

    def final_ci(self, kpi: str, stage: int) -> str:
        """The 95 % CI of the total change up to ``stage`` (paired with the baseline)."""
        rows = self.stacked[(self.stacked["kpi"] == kpi) & (self.stacked["stage"] == stage)]
        r = rows.iloc[0]
        lo, hi = r["cumulative_ci_low"], r["cumulative_ci_high"]
        if not math.isfinite(lo):
            return "no CI (one replication)"
        half = half_width(lo, hi)
        a, b = fmt_change(kpi, lo, half), fmt_change(kpi, hi, half)
        return f"[{a.removesuffix(' pp')}, {b.removesuffix(' pp')}]"

"""``compare --sensitivity``: how the answer moves with the behaviour a reform *assumes*.

Some reform parameters are not decisions but guesses about applicants: how complete files
are after one-time notification (``complete_prob``), how many apply online once one network
exists (``share``). A ranking that takes them as given only restates them. For each such
parameter this sweeps a range of values on the comparison's own replication seeds (common
random numbers: every value meets the same applicants as the baseline) and measures each
value on one yardstick — **applicant-hours saved per year** (the change of
``applicant_hours_per_case`` times the baseline's cases a year; see
:mod:`simlib.report.money`) — and, where the study gives costs, finds the **break-even**: the
parameter value at which the reform's cost per applicant-hour saved equals the best other
reform's (linear interpolation between the swept values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib.experiment.compare import BASELINE, Comparison, paired, run_arms
from simlib.experiment.core import Progress, replication_seed
from simlib.experiment.runner import ExecutorArg
from simlib.reforms import apply_reforms

__all__ = ["ASSUMED", "Sensitivity", "sensitivity"]

# reform type -> (assumed parameter, values swept)
ASSUMED: dict[str, tuple[str, tuple[float, ...]]] = {
    "one_time_notification": ("complete_prob", (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)),
    "online": ("share", (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)),
}
YARDSTICK = "applicant_hours_per_case"


@dataclass
class Curve:
    """One assumed parameter of one reform: the saving at each swept value."""

    variant: str
    reform: str  # reform type
    parameter: str
    assumed: float
    values: list[float]
    saved: list[tuple[float, float, float]]  # applicant-hours a year: mean, low, high
    cost: float = 0.0
    rival: str | None = None  # the best other costed reform per applicant-hour saved
    rival_ratio: float = math.nan  # its cost per applicant-hour saved
    break_even: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "reform": self.reform,
            "parameter": self.parameter,
            "assumed": self.assumed,
            "values": self.values,
            "applicant_hours_saved_per_year": [list(s) for s in self.saved],
            "cost": self.cost,
            "rival": self.rival,
            "rival_cost_per_hour": None if math.isnan(self.rival_ratio) else self.rival_ratio,
            "break_even": self.break_even,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Curve:
        """The curve back from ``study.json`` (for the report)."""
        ratio = data.get("rival_cost_per_hour")
        return cls(
            data["variant"],
            data["reform"],
            data["parameter"],
            data["assumed"],
            list(data["values"]),
            [(a, b, c) for a, b, c in data["applicant_hours_saved_per_year"]],
            data.get("cost") or 0.0,
            data.get("rival"),
            math.nan if ratio is None else ratio,
            data.get("break_even"),
        )

    def text(self) -> str:
        name = f"{self.variant} ({self.parameter}, assumed {self.assumed:g})"
        low, high = self.saved[0][0], self.saved[-1][0]
        swing = (
            f"saves {_hours(low)} applicant-hours a year at {self.values[0]:g}, "
            f"{_hours(high)} at {self.values[-1]:g}"
        )
        if self.rival is None or not self.cost:
            return f"{name}: {swing}."
        ratio = [self.cost / s[0] if s[0] > 0 else math.inf for s in self.saved]
        best_now = self.cost / _at(self, self.assumed) < self.rival_ratio
        if self.break_even is None:
            where = (
                "over the whole range"
                if all(r < self.rival_ratio for r in ratio)
                else "nowhere in the range"
            )
            verdict = f"better per cost than {self.rival} {where}"
        else:
            side = "at least" if ratio[-1] < ratio[0] else "at most"
            verdict = (
                f"{'stays' if best_now else 'becomes'} better per cost than {self.rival} "
                f"({self.rival_ratio:,.2f} per applicant-hour) while {self.parameter} is "
                f"{side} {self.break_even:.2f}"
            )
        return f"{name}: {swing}; {verdict}."


def _hours(x: float) -> str:
    return f"{x:,.0f}".replace("-", "−") if abs(x) >= 0.5 else "0"


def _at(curve: Curve, x: float) -> float:
    return float(np.interp(x, curve.values, [s[0] for s in curve.saved]))


@dataclass
class Sensitivity:
    curves: list[Curve] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.curves]

    def text(self) -> str:
        if not self.curves:
            return "Sensitivity: no reform of this study has an assumed parameter to sweep."
        lines = [
            "Sensitivity of assumed behaviour (applicant-hours saved a year; common random "
            "numbers):"
        ]
        lines += [f"  {c.text()}" for c in self.curves]
        return "\n".join(lines)


def _cases_a_year(comparison: Comparison) -> float:
    runs = comparison.runs
    base = runs[runs["kind"] == BASELINE]
    h = comparison.baseline.horizon
    return float(base["cases_arrived"].mean()) / max(1, h.days - h.warmup_days) * 365


def _saving(comparison: Comparison, rows: list[dict[str, Any]], per_year: float) -> tuple:
    base = comparison.runs[comparison.runs["kind"] == BASELINE].sort_values("replication")
    mine = sorted(rows, key=lambda r: r["replication"])
    other = np.array([r.get(YARDSTICK, math.nan) for r in mine], dtype=float)
    p = paired(base[YARDSTICK].to_numpy(float)[: len(other)], other)
    return (-p["diff"] * per_year, -p["diff_ci_high"] * per_year, -p["diff_ci_low"] * per_year)


def sensitivity(
    comparison: Comparison,
    executor: ExecutorArg = None,
    on_progress: Progress | None = None,
) -> Sensitivity:
    """Sweep every assumed parameter of the comparison's variants (see ``ASSUMED``)."""
    per_year = _cases_a_year(comparison)
    reps = sorted(comparison.runs.loc[comparison.runs["kind"] == BASELINE, "replication"])
    seeds = [replication_seed(comparison.seed, i) for i in reps]
    table = comparison.table()
    alone = table[table["kpi"] == YARDSTICK].set_index("variant")
    costs = {v: c.cost for v, c in comparison.costs.items() if c.cost > 0}
    ratios = {
        v: costs[v] / (-alone.loc[v, "diff"] * per_year)
        for v in costs
        if v in alone.index and alone.loc[v, "diff_ci_high"] < 0  # a significant saving
    }
    out = Sensitivity()
    for variant, reforms in comparison.variants.items():
        for i, reform in enumerate(reforms):
            if reform.type not in ASSUMED:
                continue
            parameter, values = ASSUMED[reform.type]
            assumed = float(getattr(reform, parameter))
            arms = []
            for x in values:
                changed = list(reforms)
                changed[i] = reform.model_copy(update={parameter: x})
                scenario = apply_reforms(comparison.baseline, changed)
                arms.append(("sensitivity", f"{variant}|{x}", 0, scenario))
            rows = run_arms(arms, seeds, reps, executor, on_progress)
            saved = [
                _saving(comparison, [r for r in rows if r["variant"] == f"{variant}|{x}"], per_year)
                for x in values
            ]
            curve = Curve(variant, reform.type, parameter, assumed, list(values), saved)
            rivals = {v: r for v, r in ratios.items() if v != variant}
            if variant in costs and rivals:
                curve.cost = costs[variant]
                curve.rival = min(rivals, key=lambda v: rivals[v])
                curve.rival_ratio = rivals[curve.rival]
                curve.break_even = _break_even(curve)
            out.curves.append(curve)
    return out


def _break_even(curve: Curve) -> float | None:
    """Where cost / saving crosses the rival's ratio: saving = cost / ratio."""
    need = curve.cost / curve.rival_ratio
    xs, ys = curve.values, [s[0] for s in curve.saved]
    for (x0, y0), (x1, y1) in zip(
        zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True), strict=False
    ):
        if (y0 - need) * (y1 - need) <= 0 and y0 != y1:
            return x0 + (need - y0) * (x1 - x0) / (y1 - y0)
    return None

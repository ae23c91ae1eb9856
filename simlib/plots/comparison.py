"""Comparison charts: each reform alone, the stacked waterfall, visits per case.

Colours mean the same in each: blue = better than before, vermilion = worse, grey =
baseline or no clear change (the 95 % confidence interval includes zero)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simlib.metrics import kpi_info
from simlib.plots.style import PALETTE

__all__ = ["kpi_comparison", "visits_per_case", "waterfall"]

DEFAULT_KPIS = ("hall_wait_mean_min", "lead_time_mean_days", "on_time_rate", "visits_per_case")


def _colour(diff: float, low: float, high: float, better: str) -> str:
    if not (np.isfinite(low) and np.isfinite(high)) or (low <= 0 <= high):
        return PALETTE["neutral"]
    improves = diff < 0 if better == "lower" else diff > 0
    return PALETTE["better"] if improves else PALETTE["worse"]


def _errors(mid: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.vstack([mid - low, high - mid]), nan=0.0)


def kpi_comparison(
    table: pd.DataFrame, kpis: Sequence[str] = DEFAULT_KPIS, title: str = ""
) -> Figure:
    """Change of each KPI under each reform alone vs the baseline, with 95 % CI error bars
    (``Comparison.table()``)."""
    kpis = [k for k in kpis if k in set(table["kpi"])]
    variants = list(dict.fromkeys(table["variant"]))
    fig = Figure(figsize=(5.2 * len(kpis), 0.45 * len(variants) + 2.2), layout="constrained")
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    y = np.arange(len(variants))
    for ax, kpi in zip(axes, kpis, strict=True):
        label, unit, better = kpi_info(kpi)
        rows = table[table["kpi"] == kpi].set_index("variant").loc[variants]
        diff = rows["diff"].to_numpy(float)
        colours = [
            _colour(d, lo, hi, better)
            for d, lo, hi in zip(diff, rows["diff_ci_low"], rows["diff_ci_high"], strict=True)
        ]
        ax.barh(y, diff, color=colours)
        ax.errorbar(
            diff,
            y,
            xerr=_errors(
                diff, rows["diff_ci_low"].to_numpy(float), rows["diff_ci_high"].to_numpy(float)
            ),
            fmt="none",
            ecolor="black",
            capsize=3,
            linewidth=1,
        )
        ax.axvline(0, color=PALETTE["baseline"], linewidth=1)
        base = rows["baseline_mean"].iloc[0]
        ax.set_title(f"{label}\n(baseline {base:.3g} {unit}; {better} is better)", fontsize=10)
        ax.set_xlabel(f"change vs baseline [{unit}]")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, variants)
    axes[0].invert_yaxis()
    axes[0].set_ylabel("reform (alone)")
    fig.suptitle(
        title or "Each reform alone vs the baseline (mean change, 95 % CI, common random numbers)"
    )
    return fig


def waterfall(stacked: pd.DataFrame, kpi: str, title: str = "") -> Figure:
    """Reforms applied one after another (``Comparison.stacked()``): the baseline, each
    reform's marginal contribution with its 95 % CI, and the full package."""
    label, unit, better = kpi_info(kpi)
    rows = stacked[stacked["kpi"] == kpi].sort_values("stage")
    base = float(rows["baseline_mean"].iloc[0])
    names = ["baseline", *rows["variant"], "full package"]
    fig = Figure(figsize=(max(7.0, 0.8 * len(names) + 2), 4.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(0, base, color=PALETTE["baseline"])
    level = base
    for i, row in enumerate(rows.itertuples(), start=1):
        colour = _colour(
            row.contribution, row.contribution_ci_low, row.contribution_ci_high, better
        )
        ax.bar(i, row.contribution, bottom=level, color=colour)
        mid = level + row.contribution
        ax.errorbar(
            i,
            mid,
            yerr=[
                [row.contribution - row.contribution_ci_low],
                [row.contribution_ci_high - row.contribution],
            ],
            fmt="none",
            ecolor="black",
            capsize=3,
            linewidth=1,
        )
        ax.plot([i - 1.4, i + 0.4], [level, level], color="black", linewidth=0.5, alpha=0.5)
        level = mid
    last = rows.iloc[-1]
    ax.bar(len(names) - 1, level, color=PALETTE["total"])
    ax.errorbar(
        len(names) - 1,
        level,
        yerr=[
            [last["cumulative"] - last["cumulative_ci_low"]],
            [last["cumulative_ci_high"] - last["cumulative"]],
        ],
        fmt="none",
        ecolor="black",
        capsize=3,
        linewidth=1,
    )
    change = level - base
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel(f"{label} [{unit}]")
    ax.set_xlabel("reforms added in order (each bar: its contribution, 95 % CI)")
    ax.grid(axis="y", alpha=0.3)
    if not title:
        relative = f", {change / base:+.0%}" if base else ""
        title = (
            f"{label}: {base:.3g} → {level:.3g} {unit} ({change:+.3g}{relative}) with all reforms"
        )
    ax.set_title(title)
    return fig


def visits_per_case(table: pd.DataFrame, title: str = "") -> Figure:
    """Hall visits per decided case: the baseline and each reform alone, with 95 % CIs."""
    rows = table[table["kpi"] == "visits_per_case"]
    names = ["baseline", *rows["variant"]]
    means = np.array([rows["baseline_mean"].iloc[0], *rows["variant_mean"]])
    half = np.array([0.0, *((rows["diff_ci_high"] - rows["diff_ci_low"]) / 2)])
    colours = [PALETTE["baseline"]] + [
        _colour(r.diff, r.diff_ci_low, r.diff_ci_high, "lower") for r in rows.itertuples()
    ]
    fig = Figure(figsize=(max(7.0, 0.7 * len(names) + 2), 4.6), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(x, means, color=colours)
    ax.errorbar(
        x, means, yerr=np.nan_to_num(half), fmt="none", ecolor="black", capsize=3, linewidth=1
    )
    ax.axhline(means[0], color=PALETTE["baseline"], linestyle="--", linewidth=1)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("hall visits per decided case [visits]")
    ax.set_xlabel("reform (alone); error bars: 95 % CI of the change vs baseline")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or "How many times an applicant comes to the hall")
    return fig

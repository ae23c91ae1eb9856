"""Sweep charts: a KPI over two parameters (heatmap), and against one (lines, CI bands)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simlib.metrics import kpi_info
from simlib.plots.style import SEQUENCE, caption, figure, styled
from simlib.verdict import digits_from_ci

__all__ = ["sweep_heatmap", "sweep_lines"]


def _is_count(name: str) -> bool:
    return name.endswith(".count")


def _levels(values: pd.Series, bins: int, name: str = "") -> pd.Series:
    """A parameter's levels: its own values when few, else quantile bins (for LHS designs);
    officer counts stay whole numbers."""
    if values.nunique() <= bins:
        return values
    mids = pd.qcut(values, bins, duplicates="drop").map(lambda iv: round(float(iv.mid), 3))
    return mids.astype(float).round().astype(int) if _is_count(name) else mids


def _param_label(name: str) -> str:
    """``pools.front.count`` -> "officers in front"; other paths made readable."""
    if name.startswith("pools.") and name.endswith(".count"):
        return f"officers in {name[6:-6]}"
    if name == "demand_factor":
        return "demand (× the scenario's)"
    return name.replace("matters[*].", "every matter's ").replace("_", " ")


@styled
def sweep_heatmap(
    summary: pd.DataFrame,
    x: str,
    y: str,
    kpi: str,
    bins: int = 6,
    title: str = "",
    note: str = "",
) -> Figure:
    """Mean KPI over two sweep parameters (other parameters averaged; continuous ones binned),
    from a sweep's per-point summary."""
    label, unit, better = kpi_info(kpi)
    levels = pd.DataFrame(
        {"_x": _levels(summary[x], bins, x), "_y": _levels(summary[y], bins, y)},
        index=summary.index,
    )
    data = pd.concat([summary, levels], axis=1)  # one concat: summaries have many KPI columns
    grid = data.pivot_table(index="_y", columns="_x", values=kpi, aggfunc="mean", observed=True)
    fig = figure(4.6)
    ax = fig.subplots()
    cmap = "viridis_r" if better == "lower" else "viridis"
    image = ax.imshow(grid.to_numpy(float), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index])
    for (i, j), value in np.ndenumerate(grid.to_numpy(float)):
        if np.isfinite(value):
            r, g, b, _ = image.cmap(image.norm(value))
            ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"  # readable
            text = f"{value:,.{digits_from_ci(float('nan'), value)}f}"
            ax.text(j, i, text, ha="center", va="center", color=ink, fontsize=8)
    ax.set_xlabel(_param_label(x))
    ax.set_ylabel(_param_label(y))
    fig.colorbar(image, ax=ax, label=f"{label} [{unit}]")
    ax.set_title(title or f"{label} [{unit}]\nby {_param_label(x)} and {_param_label(y)}")
    caption(fig, note)
    return fig


@styled
def sweep_lines(
    summary: pd.DataFrame,
    x: str,
    kpi: str,
    group: str | None = None,
    bins: int = 5,
    title: str = "",
    note: str = "",
) -> Figure:
    """KPI against one sweep parameter with its 95 % CI band, one line per level of ``group``."""
    label, unit, _ = kpi_info(kpi)
    fig = figure(4.0)
    ax = fig.subplots()
    groups = (
        [(None, summary)]
        if group is None
        else list(summary.groupby(_levels(summary[group], bins, group), observed=True))
    )
    for k, (level, rows) in enumerate(groups):
        rows = rows.sort_values(x)
        xs = rows[x].to_numpy(float)
        colour = SEQUENCE[k % len(SEQUENCE)]
        name = None if group is None else f"{_param_label(group)} = {level:g}"
        ax.plot(xs, rows[kpi], marker="o", color=colour, label=name)
        low = rows[f"{kpi}_ci_low"].clip(lower=0)  # KPIs are never negative: neither is a band
        ax.fill_between(xs, low, rows[f"{kpi}_ci_high"], color=colour, alpha=0.2, linewidth=0)
    ax.set_xlabel(_param_label(x))
    ax.set_ylabel(f"{label} [{unit}]")
    ax.grid(alpha=0.3)
    if _is_count(x):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if group is not None:
        ax.legend(fontsize=8)
    ax.set_title(title or f"{label} against {_param_label(x)}\n(mean, 95 % CI band)")
    caption(fig, note)
    return fig

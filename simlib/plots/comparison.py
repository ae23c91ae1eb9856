"""Comparison charts: each reform alone, the stacked waterfall, visits per case.

Colours mean the same in each and are explained in each legend: blue = better, vermilion =
worse, both only when the change is significant (its 95 % CI excludes zero) AND material
(at least the threshold, by default 5 % of the baseline); light grey = no material change
(the whole CI within ± the threshold); dotted white = not known (the CI crosses ± the
threshold, e.g. it includes zero and reaches a material change); hatched = the on-time rate
of a variant that changed the time limits (another yardstick, not comparable). Change bars
carry the CI of the change; level bars carry the CI of the level."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simlib.experiment.stats import level_ci as _level_ci
from simlib.plots.style import (
    PALETTE,
    bar_style,
    caption,
    errors,
    figure,
    share_axis,
    styled,
    verdict_handles,
)
from simlib.verdict import Material, fmt_change, fmt_level, is_share, kpi_info, verdict_shown

__all__ = ["kpi_comparison", "level_ci", "visits_per_case", "waterfall"]

DEFAULT_KPIS = ("hall_wait_mean_min", "lead_time_mean_days", "on_time_rate", "visits_per_case")
_CI = Line2D([], [], color="black", marker="|", linestyle="-", linewidth=1, label="95 % CI")


def _order(rows: pd.DataFrame, kpi: str) -> list[str]:
    """Variants from the largest improvement of ``kpi`` to the largest deterioration."""
    sign = -1.0 if kpi_info(kpi)[2] == "lower" else 1.0
    return list(rows.assign(_k=-sign * rows["diff"]).sort_values("_k", kind="stable")["variant"])


def level_ci(runs: pd.DataFrame, kind: str, variant: str, kpi: str) -> tuple[float, float, float]:
    """(mean, low, high) of one variant's KPI over its replications (a level, not a change)."""
    rows = runs[(runs["kind"] == kind) & (runs["variant"] == variant)]
    if kpi not in rows:
        return float("nan"), float("nan"), float("nan")
    return _level_ci(rows[kpi].to_numpy(float))


@styled
def kpi_comparison(
    table: pd.DataFrame,
    kpis: Sequence[str] = DEFAULT_KPIS,
    title: str = "",
    material: Material | None = None,
    note: str = "",
    yardstick: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Change of each KPI under each reform alone vs the baseline, with the 95 % CI of the
    change (``Comparison.table()``), one panel per KPI, reforms sorted by their effect on the
    first KPI. ``yardstick``: variants that change time limits; ``note``: the caption line;
    ``names``: display names of matters and pools in per-matter or per-pool KPIs."""
    material = material or Material()
    kpis = [k for k in kpis if k in set(table["kpi"])]
    first = table[table["kpi"] == kpis[0]]
    variants = _order(first, kpis[0])
    cols = 2 if len(kpis) > 1 else 1
    nrows = -(-len(kpis) // cols)
    fig = figure(nrows * (0.2 * len(variants) + 1.2) + 1.0)
    axes = fig.subplots(nrows, cols, sharey=True, squeeze=False).ravel()
    y = np.arange(len(variants))
    used: set[str] = set()
    for ax, kpi in zip(axes, kpis, strict=False):
        label, unit, better = kpi_info(kpi, names)
        rows = table[table["kpi"] == kpi].set_index("variant").loc[variants]
        diff = rows["diff"].to_numpy(float)
        low, high = rows["diff_ci_low"].to_numpy(float), rows["diff_ci_high"].to_numpy(float)
        base = float(rows["baseline_mean"].iloc[0])
        keys = [
            verdict_shown(kpi, d, lo, hi, base, material, v in yardstick)
            for v, d, lo, hi in zip(variants, diff, low, high, strict=True)
        ]
        used.update(keys)
        for i, key in enumerate(keys):
            ax.barh(y[i], diff[i], height=0.7, **bar_style(key))
        ax.errorbar(
            diff, y, xerr=errors(diff, low, high), fmt="none", ecolor="black", capsize=2, lw=1
        )
        ax.axvline(0, color=PALETTE["baseline"], linewidth=0.8)
        if is_share(kpi):
            share_axis(ax.xaxis, change=True)
        ax.set_title(
            f"{label}\nbaseline {fmt_level(kpi, base, unit=True)}\n({better} is better)",
            fontsize=9,
        )
        ax.set_xlabel("change in percentage points" if is_share(kpi) else f"change [{unit}]")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    axes[0].set_yticks(y, variants)
    axes[0].invert_yaxis()
    effect_on = kpi_info(kpis[0], names)[0].lower()
    fig.suptitle(title or f"Each reform alone vs the baseline (sorted by effect on {effect_on})")
    caption(fig, note, [*verdict_handles(used, material.describe(kpis[0])), _CI])
    return fig


@styled
def waterfall(
    stacked: pd.DataFrame,
    kpi: str,
    title: str = "",
    runs: pd.DataFrame | None = None,
    material: Material | None = None,
    note: str = "",
) -> Figure:
    """Reforms applied one after another (``Comparison.stacked()``): the baseline level,
    each reform's contribution (a change, with the 95 % CI of that change) and the level with
    the full package. Level bars carry the CI of the level, computed from ``runs`` (the
    comparison's per-run rows); without ``runs`` level bars have no error bar."""
    material = material or Material()
    label, unit, _better = kpi_info(kpi)
    rows = stacked[stacked["kpi"] == kpi].sort_values("stage")
    base = float(rows["baseline_mean"].iloc[0])
    names = ["baseline", *rows["variant"], "full package"]
    fig = figure(0.24 * len(names) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(names))
    nan3 = (float("nan"),) * 3
    base_ci = level_ci(runs, "baseline", "baseline", kpi) if runs is not None else nan3
    last_name = str(rows["variant"].iloc[-1])
    last_ci = level_ci(runs, "stacked", last_name, kpi) if runs is not None else nan3
    ax.barh(0, base, color=PALETTE["baseline"], height=0.7)
    level = base
    used: set[str] = set()
    for i, row in enumerate(rows.itertuples(), start=1):
        key = verdict_shown(
            kpi, row.contribution, row.contribution_ci_low, row.contribution_ci_high, base, material
        )
        used.add(key)
        ax.barh(i, row.contribution, left=level, height=0.7, **bar_style(key))
        end = level + row.contribution
        ax.errorbar(
            end,
            i,
            xerr=[
                [row.contribution - row.contribution_ci_low],
                [row.contribution_ci_high - row.contribution],
            ],
            fmt="none",
            ecolor="black",
            capsize=2,
            lw=1,
        )
        ax.plot([end, end], [i + 0.35, i + 0.65], color="black", linewidth=0.5)
        level = end
    final = float(rows["level"].iloc[-1])
    ax.barh(len(names) - 1, final, color=PALETTE["total"], height=0.7)
    for pos, (m, lo, hi) in ((0, base_ci), (len(names) - 1, last_ci)):
        lo = max(lo, 0.0) if np.isfinite(lo) else lo  # a level is never negative
        ax.errorbar(
            m,
            pos,
            xerr=errors(np.array([m]), np.array([lo]), np.array([hi])),
            fmt="none",
            ecolor="black",
            capsize=2,
            lw=1,
        )
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    if is_share(kpi):
        share_axis(ax.xaxis)
    ax.set_xlabel(f"{label} [{'%' if is_share(kpi) else unit}]")
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(left=0)
    handles = [
        *[
            h
            for h in [
                _patch(PALETTE["baseline"], "baseline level"),
                _patch(PALETTE["total"], "level with all reforms"),
            ]
        ],
        *verdict_handles(used, material.describe(kpi)),
        _CI,
    ]
    change = final - base
    relative = (
        f", {change / base * 100:+.0f} %".replace("-", "−") if base and not is_share(kpi) else ""
    )
    fig.suptitle(
        title
        or f"{label}: {fmt_level(kpi, base, unit=True)} → {fmt_level(kpi, final, unit=True)} "
        f"with all reforms\n({fmt_change(kpi, change)}{relative}; reforms added in order, top down)"
    )
    caption(fig, note, handles)
    return fig


def _patch(colour: str, label: str):
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


@styled
def visits_per_case(
    table: pd.DataFrame,
    title: str = "",
    runs: pd.DataFrame | None = None,
    material: Material | None = None,
    note: str = "",
) -> Figure:
    """Hall visits per decided case: the baseline and each reform alone (levels, sorted),
    each with the 95 % CI of its level (from ``runs``); colours judge the change."""
    material = material or Material()
    kpi = "visits_per_case"
    rows = table[table["kpi"] == kpi]
    base = float(rows["baseline_mean"].iloc[0])
    order = rows.sort_values("variant_mean", kind="stable")
    names = ["baseline", *order["variant"]]
    means = np.array([base, *order["variant_mean"]], dtype=float)
    nan3 = (float("nan"),) * 3
    cis = [
        level_ci(runs, "baseline" if n == "baseline" else "alone", n, kpi)
        if runs is not None
        else nan3
        for n in names
    ]
    low = np.array([c[1] for c in cis])
    high = np.array([c[2] for c in cis])
    keys = ["baseline"] + [
        verdict_shown(kpi, r.diff, r.diff_ci_low, r.diff_ci_high, base, material)
        for r in order.itertuples()
    ]
    fig = figure(0.24 * len(names) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(names))
    for i, key in enumerate(keys):
        ax.barh(y[i], means[i], height=0.7, **bar_style(key))
    if runs is not None:
        ax.errorbar(
            means, y, xerr=errors(means, low, high), fmt="none", ecolor="black", capsize=2, lw=1
        )
    ax.axvline(base, color=PALETTE["baseline"], linestyle="--", linewidth=1)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("hall visits per decided case [visits]")
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    handles = [
        _patch(PALETTE["baseline"], "baseline"),
        *verdict_handles(set(keys[1:]), material.describe(kpi)),
        Line2D(
            [],
            [],
            color=PALETTE["baseline"],
            linestyle="--",
            label=f"baseline: {fmt_level(kpi, base)} visits",
        ),
    ]
    if runs is not None:
        handles.append(
            Line2D([], [], color="black", marker="|", lw=1, label="95 % CI of the level")
        )
    fig.suptitle(title or "How many times an applicant comes to the hall (each reform alone)")
    caption(fig, note, handles)
    return fig

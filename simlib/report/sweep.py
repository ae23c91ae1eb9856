"""The report of a ``simlib sweep`` folder: the design, charts over the parameters, every
point's means (formatted for people) and the method."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from simlib import plots
from simlib.outputs import SCREEN_KPIS
from simlib.plots.style import run_caption
from simlib.report.assumptions import readable
from simlib.report.html import e, figure, table
from simlib.verdict import fmt_level, is_share, kpi_info

__all__ = ["sweep_body"]


def _param(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return e(value)


def _summary(summary: pd.DataFrame, params: list[str]) -> str:
    """Question and answer: over which range the headline KPIs move, and where they are best
    and worst."""
    lines = []
    for kpi in ("hall_wait_mean_min", "lead_time_mean_days", "on_time_rate"):
        if kpi not in summary or summary[kpi].isna().all():
            continue
        lower = kpi_info(kpi)[2] == "lower"
        best = summary.loc[summary[kpi].idxmin() if lower else summary[kpi].idxmax()]
        worst = summary.loc[summary[kpi].idxmax() if lower else summary[kpi].idxmin()]

        def where(row: pd.Series) -> str:
            return ", ".join(f"{p} = {_param(row[p])}" for p in params)

        lines.append(
            f"<li>{e(kpi_info(kpi)[0])}: best {e(fmt_level(kpi, float(best[kpi]), unit=True))} "
            f"({e(where(best))}), worst {e(fmt_level(kpi, float(worst[kpi]), unit=True))} "
            f"({e(where(worst))}).</li>"
        )
    return (
        "<h2>Executive summary</h2><div class=summary><p><b>Question.</b> How do the results "
        f"change over {e(', '.join(params))}?</p><p><b>Answer.</b></p><ul>"
        + "".join(lines)
        + "</ul></div>"
    )


def sweep_body(out: Path, spec: dict[str, Any]) -> str:
    """Everything below the title of a sweep report."""
    summary = pd.read_csv(out / "summary.csv")
    params = list(spec["parameters"])
    reps, seed = spec.get("replications", 5), spec.get("seed", 0)
    note = run_caption(reps, seed=seed, per="point")
    grid = (spec.get("design") or {}).get("type", "grid") == "grid"
    figures = []
    # Charts need numbers on their axes; text levels (e.g. an order) are read in the table.
    charted = [p for p in params if pd.api.types.is_numeric_dtype(summary[p])]
    if len(charted) < len(params):
        text = ", ".join(p for p in params if p not in charted)
        figures.append(
            f"<p class=note>No charts over {e(text)}: its levels are text; the "
            "table below has every point.</p>"
        )
    for kpi in ("hall_wait_mean_min", "lead_time_mean_days"):
        if kpi not in summary or not charted:
            continue
        if len(charted) >= 2:
            figures.append(
                figure(
                    plots.sweep_heatmap(summary, charted[0], charted[1], kpi, note=note),
                    f"{kpi_info(kpi)[0]} over {charted[0]} and {charted[1]}"
                    + ("" if grid else " (points binned; other parameters averaged)")
                    + ".",
                )
            )
        if grid or len(charted) == 1:
            group = charted[1] if len(charted) >= 2 else None
            figures.append(
                figure(
                    plots.sweep_lines(summary, charted[0], kpi, group=group, note=note),
                    f"{kpi_info(kpi)[0]} against {charted[0]}"
                    + (f", one line per value of {group}" if group else "")
                    + "; 95 % CI band.",
                )
            )
    if not grid and len(params) >= 2:
        figures.append(
            "<p class=note>No line charts: in a Latin hypercube every parameter varies from "
            "point to point, so a line along one parameter would mix the effects of the others. "
            "Run a grid to read slices.</p>"
        )
    summary_text = _summary(summary, params)
    kpis = [k for k in SCREEN_KPIS if k in summary]
    head = (
        [e(p) for p in params]
        + ["runs", "failures"]
        + [f"{e(kpi_info(k)[0])} [{'%' if is_share(k) else e(kpi_info(k)[1])}]" for k in kpis]
    )
    rows = []
    for _, r in summary.iterrows():
        cells = [_param(r[p]) for p in params] + [str(int(r["runs"])), str(int(r["failures"]))]
        for k in kpis:
            lo, hi = r.get(f"{k}_ci_low", math.nan), r.get(f"{k}_ci_high", math.nan)
            half = (hi - lo) / 2 if pd.notna(lo) and pd.notna(hi) else math.nan
            cells.append(e(fmt_level(k, float(r[k]), half)))
        rows.append(cells)
    levels = "".join(
        f"<li><code>{e(p)}</code>: {e(readable(v))}</li>" for p, v in spec["parameters"].items()
    )
    design = readable(spec.get("design") or {"type": "grid"})
    return (
        summary_text + f"<h2>The sweep</h2><p>{e(spec.get('description', ''))}</p><p>Scenario "
        f"<code>{e(spec['scenario'])}</code>, design {e(design)}, "
        f"{len(summary)} points × {reps} replications. Parameters:</p><ul>{levels}</ul>"
        + "".join(figures)
        + "<h2>Every point</h2>"
        + table(head, rows, left=len(params), columns=4)  # split to fit A4 portrait
        + "<h2>Method</h2><p>Each point was run with the same replication seeds (derived from base "
        f"seed {seed}), so neighbouring points are compared on the same applicants. Means over "
        "replications with Student-t 95 % confidence intervals (in <code>summary.csv</code>).</p>"
    )

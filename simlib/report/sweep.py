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


def sweep_body(out: Path, spec: dict[str, Any]) -> str:
    """Everything below the title of a sweep report."""
    summary = pd.read_csv(out / "summary.csv")
    params = list(spec["parameters"])
    reps, seed = spec.get("replications", 5), spec.get("seed", 0)
    note = run_caption(reps, seed=seed)
    figures = []
    for kpi in ("hall_wait_mean_min", "lead_time_mean_days"):
        if kpi not in summary:
            continue
        if len(params) >= 2:
            figures.append(
                figure(
                    plots.sweep_heatmap(summary, params[0], params[1], kpi, note=note),
                    f"{kpi_info(kpi)[0]} over {params[0]} and {params[1]}.",
                )
            )
        figures.append(
            figure(
                plots.sweep_lines(summary, params[0], kpi, note=note),
                f"{kpi_info(kpi)[0]} against {params[0]}, 95 % CI band.",
            )
        )
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
        f"<h2>The sweep</h2><p>{e(spec.get('description', ''))}</p><p>Scenario "
        f"<code>{e(spec['scenario'])}</code>, design {e(design)}, "
        f"{len(summary)} points × {reps} replications. Parameters:</p><ul>{levels}</ul>"
        + "".join(figures)
        + "<h2>Every point</h2>"
        + table(head, rows, left=0)
        + "<h2>Method</h2><p>Each point was run with the same replication seeds (derived from base "
        f"seed {seed}), so neighbouring points are compared on the same applicants. Means over "
        "replications with Student-t 95 % confidence intervals (in <code>summary.csv</code>).</p>"
    )

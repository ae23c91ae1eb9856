"""What a comparison leaves behind: the table on screen, and an output folder with the
tables (CSV and Parquet), every run's KPIs, the charts (PNG and SVG) and ``study.json``
(what was run, so that a reviewer can reproduce it)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from simlib import plots
from simlib.experiment.compare import Comparison
from simlib.experiment.replicate import Replications
from simlib.metrics import CASE_KPIS, KPI_INFO, POOL_KPIS, kpi_info

__all__ = ["SCREEN_KPIS", "comparison_text", "kpi_table", "write_comparison"]

SCREEN_KPIS = (
    "hall_wait_mean_min",
    "lead_time_mean_days",
    "on_time_rate",
    "visits_per_case",
    "throughput_per_day",
    "abandon_rate",
)


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def comparison_text(comparison: Comparison, kpis: tuple[str, ...] = SCREEN_KPIS) -> str:
    """Each reform alone, then the stacked waterfall, as aligned text."""
    table = comparison.table()
    reps = comparison.runs["replication"].nunique()
    lines = [
        f"{comparison.name}: {reps} replication(s), seed {comparison.seed}, common random numbers",
        "",
    ]
    for kpi in kpis:
        label, unit, better = kpi_info(kpi)
        rows = table[table["kpi"] == kpi]
        if rows.empty:
            continue
        lines.append(
            f"{label} [{unit}], {better} is better — baseline {_num(rows['baseline_mean'].iloc[0])}"
        )
        for r in rows.itertuples():
            ci = f"[{_num(r.diff_ci_low)}, {_num(r.diff_ci_high)}]"
            rel = f"{r.rel_change:+.0%}" if math.isfinite(r.rel_change) else "-"
            mark = "*" if r.significant else " "
            lines.append(
                f"  {r.variant:<28} {_num(r.variant_mean):>9}  change {_num(r.diff):>9} "
                f"{ci:<22} {rel:>6} {mark}"
            )
        lines.append("")
    stacked = comparison.stacked()
    if not stacked.empty:
        lines.append("Stacked in order (each reform's contribution on top of the ones before it):")
        for kpi in ("lead_time_mean_days", "hall_wait_mean_min"):
            label, unit, _ = kpi_info(kpi)
            rows = stacked[stacked["kpi"] == kpi]
            lines.append(f"  {label} [{unit}]: baseline {_num(rows['baseline_mean'].iloc[0])}")
            for r in rows.itertuples():
                ci = f"[{_num(r.contribution_ci_low)}, {_num(r.contribution_ci_high)}]"
                lines.append(
                    f"    +{r.variant:<27} {_num(r.contribution):>9} {ci:<22} -> {_num(r.level)}"
                )
        lines.append("")
    lines += _cost_lines(comparison, table)
    lines.append("* the 95 % confidence interval of the change excludes zero")
    return "\n".join(lines)


def _cost_lines(comparison: Comparison, table: pd.DataFrame) -> list[str]:
    """Costs and effect per unit of cost, when the study gives any."""
    costs = comparison.costs
    if not any(c.cost or c.officer_hours for c in costs.values()):
        return []
    lines = ["Costs (one-off; officer-hours per working day) and change per 100,000 spent:"]
    for name, c in costs.items():
        per = []
        for kpi in ("lead_time_mean_days", "hall_wait_mean_min"):
            rows = table[(table["variant"] == name) & (table["kpi"] == kpi)]
            if not rows.empty and c.cost > 0:
                per.append(f"{kpi} {_num(rows['diff'].iloc[0] / c.cost * 1e5)}")
        hours = f"{c.officer_hours:+.1f} h/day ({c.officer_hours_source})"
        lines.append(f"  {name:<28} {_num(c.cost):>9}  {hours:<40} {'; '.join(per)}")
    lines.append("")
    return lines


def write_comparison(comparison: Comparison, out: str | Path, source: str = "") -> list[Path]:
    """Write the comparison's tables, runs, charts and ``study.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    frames = {
        "comparison": comparison.table(),
        "stacked": comparison.stacked(),
        "runs": comparison.runs,
    }
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False)
        frame.to_parquet(out / f"{name}.parquet", index=False)
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
    table, stacked = frames["comparison"], frames["stacked"]
    charts = {
        "kpi_comparison": plots.kpi_comparison(table),
        "visits_per_case": plots.visits_per_case(table),
    }
    if not stacked.empty:
        charts["waterfall_lead_time"] = plots.waterfall(stacked, "lead_time_mean_days")
        charts["waterfall_hall_wait"] = plots.waterfall(stacked, "hall_wait_mean_min")
    for name, fig in charts.items():
        written += plots.save(fig, out, name)
    meta = {
        "study": comparison.name,
        "source": source,
        "baseline": comparison.baseline.name,
        "replications": int(comparison.runs["replication"].nunique()),
        "seed": comparison.seed,
        "common_random_numbers": True,
        "warmup_days": comparison.baseline.horizon.warmup_days,
        "horizon_days": comparison.baseline.horizon.days,
        "variants": {
            n: [r.model_dump(mode="json") for r in rs] for n, rs in comparison.variants.items()
        },
        "stack": comparison.stack,
        "costs": {n: c.as_row() for n, c in comparison.costs.items()},
        "baseline_scenario": comparison.baseline.model_dump(mode="json"),
    }
    (out / "study.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    written.append(out / "study.json")
    return written


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def kpi_table(result: Replications) -> str:
    """The KPI summary as aligned text: KPI, mean, 95 % CI, unit."""
    summary = result.summary()
    lines = []
    header = f"{'KPI':<40} {'mean':>10}  {'95% CI':<23} unit"
    lines.append(header)
    lines.append("-" * len(header))

    def row(label: str, key: str, unit: str) -> None:
        s = summary.loc[key]
        ci = (
            "n/a" if not math.isfinite(s.ci95_low) else f"[{_fmt(s.ci95_low)}, {_fmt(s.ci95_high)}]"
        )
        lines.append(f"{label:<40} {_fmt(s['mean']):>10}  {ci:<23} {unit}")

    for name in CASE_KPIS:
        row(name, name, KPI_INFO[name][1])
    for name in POOL_KPIS:
        for pool in result.scenario.pools:
            row(f"{name}[{pool}]", f"{name}[{pool}]", KPI_INFO[name][1])
    n = len(result.runs)
    lines.append(f"\n{n} replication(s), seed {result.seed}; means over runs, Student-t 95% CI.")
    return "\n".join(lines)

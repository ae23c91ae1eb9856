"""What a comparison leaves behind: the table on screen, and an output folder with the
tables (CSV and Parquet), every run's KPIs, the charts (PNG and SVG) and ``study.json``
(what was run, so that a reviewer can reproduce it)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiment.compare import Comparison
from simlib.experiment.replicate import Replications
from simlib.experiment.stats import CSV_FLOAT
from simlib.experiment.touched import ordered_table, touched_matters
from simlib.metrics import CASE_KPIS, KPI_INFO, POOL_KPIS, kpi_info, overload_warning
from simlib.reform_verdict import VERDICT_WORDS, ReformVerdict, reform_verdicts, verdict_words
from simlib.reforms import apply_reforms
from simlib.verdict import Material, changes_yardstick, fmt_change, fmt_level, verdict
from simlib.warmup import warmup_warning
from simlib.writing import write_csv

__all__ = [
    "MATTER_SCREEN_KPIS",
    "SCREEN_KPIS",
    "comparison_text",
    "comparison_touched",
    "comparison_verdicts",
    "kpi_table",
    "write_comparison",
]

SCREEN_KPIS = (
    "hall_wait_mean_min",
    "lead_time_mean_days",
    "on_time_rate",
    "visits_per_case",
    "throughput_per_day",
    "abandon_rate",
)


MATTER_SCREEN_KPIS = (
    ("lead_time_mean_days", "lead time"),
    ("on_time_rate", "on time"),
    ("visits_per_case", "visits"),
    ("hall_wait_mean_min", "hall wait"),
)


def comparison_touched(comparison: Comparison) -> dict[str, list[str]]:
    """Variant -> the matters its reforms touch (see :mod:`simlib.experiment.touched`)."""
    return {
        name: touched_matters(comparison.baseline, apply_reforms(comparison.baseline, reforms))
        for name, reforms in comparison.variants.items()
    }


def yardstick_variants(comparison: Comparison) -> set[str]:
    """Variants that change the time limits (their on-time rate is on another yardstick)."""
    return {
        n
        for n, rs in comparison.variants.items()
        if changes_yardstick([r.model_dump(mode="json") for r in rs])
    }


def comparison_verdicts(
    comparison: Comparison, material: Material | None = None, table: pd.DataFrame | None = None
) -> dict[str, ReformVerdict]:
    """Each reform's verdict from the pooled KPIs and every matter it touches
    (:mod:`simlib.reform_verdict`)."""
    return reform_verdicts(
        comparison.table() if table is None else table,
        material,
        yardstick_variants(comparison),
        comparison_touched(comparison),
    )


def matter_names(scenario: Any) -> dict[str, str]:
    """Matter id -> the name planners know it by (the id where the file gives none)."""
    return {m.id: m.name or m.id for m in scenario.matters}


def _verdict_lines(comparison: Comparison, verdicts: dict[str, ReformVerdict]) -> list[str]:
    names = matter_names(comparison.baseline)
    lines = [
        "Verdicts: each reform judged on the pooled KPIs and on every matter it touches "
        "(better = helps somewhere, harms nowhere; inconclusive = a CI still reaches a "
        "material change)"
    ]
    for name, v in verdicts.items():
        lines.append(f"  {name:<26} {VERDICT_WORDS[v.verdict].upper():<20}")
        lines.append(f"      {verdict_words(v, names)}")
    lines.append("")
    return lines


def _matter_lines(comparison: Comparison, table: Any) -> list[str]:
    """Per variant, the paired changes on the matters it touches."""
    touched = comparison_touched(comparison)
    n_matters = len(comparison.baseline.matters)
    lines = [
        "By matter: each reform on the matters it touches "
        "(paired change, 95 % CI; * the CI excludes zero)"
    ]
    rows = table.set_index(["variant", "kpi"])
    for variant, matters in touched.items():
        lines.append(f"  {variant}: touches {len(matters)} of {n_matters} matter(s)")
        for matter in matters:
            parts = []
            for kpi, label in MATTER_SCREEN_KPIS:
                key = (variant, f"{kpi}[matter={matter}]")
                if key not in rows.index or not math.isfinite(rows.loc[key, "diff"]):
                    continue
                r = rows.loc[key]
                mark = "*" if r["significant"] else ""
                parts.append(
                    f"{label} {_num(r['baseline_mean'])}->{_num(r['variant_mean'])} "
                    f"[{_num(r['diff_ci_low'])}, {_num(r['diff_ci_high'])}]{mark}"
                )
            lines.append(f"    {matter:<26} " + "  ".join(parts))
    lines.append("")
    return lines


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def comparison_text(
    comparison: Comparison,
    kpis: tuple[str, ...] = SCREEN_KPIS,
    material: Material | None = None,
) -> str:
    """Each reform alone, then the stacked waterfall, as aligned text (shares in %, their
    changes in percentage points; digits from the confidence interval)."""
    material = material or Material()
    table = comparison.table()
    reps = comparison.runs["replication"].nunique()
    h = comparison.baseline.horizon
    yardstick = {
        n
        for n, rs in comparison.variants.items()
        if changes_yardstick([r.model_dump(mode="json") for r in rs])
    }
    lines = [
        f"{comparison.name}: {reps} replication(s), seed {comparison.seed}, {h.days} simulated "
        f"days ({h.warmup_days} warm-up), common random numbers",
        "",
    ]
    for warning in comparison_warnings(comparison):
        lines += [warning, ""]
    if comparison.meta.get("precision") is not None:
        lines += [comparison.meta["precision"].text(), ""]
    if comparison.meta.get("decide") is not None:
        lines += [comparison.meta["decide"].text(), ""]
    lines += _verdict_lines(comparison, comparison_verdicts(comparison, material, table))
    for kpi in kpis:
        label, unit, better = kpi_info(kpi)
        rows = table[table["kpi"] == kpi]
        if rows.empty:
            continue
        base = rows["baseline_mean"].iloc[0]
        lines.append(
            f"{label} [{'%' if unit == 'share' else unit}], {better} is better — baseline "
            f"{fmt_level(kpi, base)}"
        )
        for r in rows.itertuples():
            half = (r.diff_ci_high - r.diff_ci_low) / 2
            ci = (
                f"[{fmt_change(kpi, r.diff_ci_low, half)}, {fmt_change(kpi, r.diff_ci_high, half)}]"
            )
            rel = f"{r.rel_change * 100:+.0f} %" if math.isfinite(r.rel_change) else "-"
            judged = verdict(
                kpi, r.diff, r.diff_ci_low, r.diff_ci_high, base, material, r.variant in yardstick
            )
            mark = {"better": "better", "worse": "WORSE", "yardstick": "(other yardstick)"}.get(
                judged, ""
            )
            lines.append(
                f"  {r.variant:<26} {fmt_level(kpi, r.variant_mean, half):>9}  change "
                f"{fmt_change(kpi, r.diff, half):>9} {ci:<24} {rel:>6} {mark}"
            )
        lines.append("")
    if any("[matter=" in k for k in table["kpi"]):
        lines += _matter_lines(comparison, table)
    stacked = comparison.stacked()
    if not stacked.empty:
        lines.append("Stacked in order (each reform's contribution on top of the ones before it):")
        for kpi in ("lead_time_mean_days", "hall_wait_mean_min"):
            label, unit, _ = kpi_info(kpi)
            rows = stacked[stacked["kpi"] == kpi]
            lines.append(
                f"  {label} [{unit}]: baseline {fmt_level(kpi, rows['baseline_mean'].iloc[0])}"
            )
            for r in rows.itertuples():
                half = (r.contribution_ci_high - r.contribution_ci_low) / 2
                lo = fmt_change(kpi, r.contribution_ci_low, half)
                hi = fmt_change(kpi, r.contribution_ci_high, half)
                lines.append(
                    f"    + {r.variant:<26} {fmt_change(kpi, r.contribution, half):>9} "
                    f"[{lo}, {hi}]".ljust(60)
                    + f" -> {fmt_level(kpi, r.level, half)}"
                )
        lines.append("")
    lines += _cost_lines(comparison, table)
    lines.append(
        "better/WORSE: the 95 % confidence interval of the change excludes zero and the change "
        f"is material (at least {material.describe()})"
    )
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
                r = rows.iloc[0]
                scale = 1e5 / c.cost  # the change and its CI, per 100,000
                half = (r["diff_ci_high"] - r["diff_ci_low"]) / 2 * scale
                label, unit, _ = kpi_info(kpi)
                per.append(f"{label} {fmt_change(kpi, r['diff'] * scale, half)} {unit}")
        hours = f"{c.officer_hours:+.1f} h/day ({c.officer_hours_source})"
        lines.append(f"  {name:<28} {_num(c.cost):>9}  {hours:<40} {'; '.join(per)}")
    lines.append("")
    return lines


def comparison_warnings(comparison: Comparison) -> list[str]:
    """Everything the reader must know before trusting the numbers: failed runs, MSER-5's
    verdict on the warm-up (from the baseline's runs) and an overload warning for each arm
    of the comparison (baseline, variants alone, stages)."""
    out = []
    failed = comparison.failures
    if len(failed):
        out.append(
            f"{len(failed)} run(s) failed and are left out of the tables (first: "
            f"{failed['variant'].iloc[0]}, replication {failed['replication'].iloc[0]}: "
            f"{failed['error'].iloc[0]})"
        )
    base = comparison.runs[comparison.runs["kind"] == "baseline"]
    if "warmup_mser5_days" in base:
        warning = warmup_warning(base["warmup_mser5_days"], comparison.baseline.horizon.warmup_days)
        if warning:
            out.append(warning[0].upper() + warning[1:])
    for (kind, variant), rows in comparison.runs.groupby(["kind", "variant"], sort=False):
        what = " of the baseline" if kind == "baseline" else f" of '{variant}' ({kind})"
        warning = overload_warning(rows, what, comparison.baseline.horizon.drain_days > 0)
        if warning:
            out.append(warning)
    return out


def write_comparison(
    comparison: Comparison,
    out: str | Path,
    source: str = "",
    material: Material | None = None,
    command: str = "",
) -> list[Path]:
    """Write the comparison's tables, runs, charts and ``study.json`` into ``out``.

    ``command`` is the command line that reproduces the folder (kept in ``study.json`` for
    the report); ``material`` the threshold that decides which changes are coloured."""
    from simlib import plots  # here: `simlib run` without charts should not pay for matplotlib

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    frames = {
        "comparison": ordered_table(comparison.table(), comparison_touched(comparison)),
        "stacked": comparison.stacked(),
        "runs": comparison.runs,
    }
    for name, frame in frames.items():
        write_csv(frame, out / f"{name}.csv", index=False, float_format=CSV_FLOAT)
        frame.to_parquet(out / f"{name}.parquet", index=False)
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
    table, stacked, runs = frames["comparison"], frames["stacked"], frames["runs"]
    material = material or Material()
    horizon = comparison.baseline.horizon
    note = plots.run_caption(
        int(runs["replication"].nunique()),
        horizon.days,
        horizon.warmup_days,
        comparison.seed,
        "common random numbers",
    )
    yardstick = [
        n
        for n, rs in comparison.variants.items()
        if changes_yardstick([r.model_dump(mode="json") for r in rs])
    ]
    charts = {
        "kpi_comparison": plots.kpi_comparison(
            table, material=material, note=note, yardstick=yardstick
        ),
        "visits_per_case": plots.visits_per_case(table, runs=runs, material=material, note=note),
    }
    if not stacked.empty:
        for name, kpi in (
            ("lead_time", "lead_time_mean_days"),
            ("hall_wait", "hall_wait_mean_min"),
        ):
            charts[f"waterfall_{name}"] = plots.waterfall(
                stacked, kpi, runs=runs, material=material, note=note
            )
    sens = comparison.meta.get("sensitivity")
    if sens is not None and sens.curves:
        from simlib.plots.sensitivity import tornado

        charts["tornado"] = tornado(sens.curves, note=note)
    for name, fig in charts.items():
        written += plots.save(fig, out, name)
    meta = comparison_meta(comparison, source, material, command)
    (out / "study.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    written.append(out / "study.json")
    return written


def comparison_meta(
    comparison: Comparison,
    source: str = "",
    material: Material | None = None,
    command: str = "",
) -> dict[str, Any]:
    """What ``study.json`` holds (and ``simlib compare --json`` prints): the question, the
    verdicts and the precision or decision procedure, without the per-run rows."""
    material = material or Material()
    return {
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
        "description": str(comparison.meta.get("description", "")),
        "costs": {n: c.as_row() for n, c in comparison.costs.items()},
        "warnings": comparison_warnings(comparison),
        "verdicts": {n: v.to_json() for n, v in comparison_verdicts(comparison, material).items()},
        **(
            {"sensitivity": comparison.meta["sensitivity"].to_json()}
            if comparison.meta.get("sensitivity") is not None
            else {}
        ),
        **(
            {"decide": comparison.meta["decide"].to_json()}
            if comparison.meta.get("decide") is not None
            else {}
        ),
        **(
            {"precision": comparison.meta["precision"].to_json()}
            if comparison.meta.get("precision") is not None
            else {}
        ),
        "baseline_scenario": comparison.baseline.model_dump(mode="json"),
        "baseline_path": str(comparison.meta.get("baseline_path", "")),
        "material": material.as_text(),
        "command": command,
    }


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


BY_MATTER_COLUMNS = (
    ("cases_arrived", "cases"),
    ("hall_wait_mean_min", "wait min"),
    ("lead_time_mean_days", "lead days"),
    ("lead_time_p90_days", "p90 days"),
    ("on_time_rate", "on time"),
    ("visits_per_case", "visits"),
    ("applicant_hours_per_case", "appl. h"),
    ("undecided_rate", "undecided"),
)
BY_HOUR_COLUMNS = (
    ("tickets_per_day", "tickets/day"),
    ("hall_wait_mean_min", "wait min"),
    ("hall_wait_p90_min", "p90 min"),
    ("hall_service_level", "in target"),
    ("abandon_rate", "abandoned"),
)


def _breakdown(
    result: Replications,
    title: str,
    keys: list[str],
    kind: str,
    columns: tuple[tuple[str, str], ...],
    labels: dict[str, str] | None = None,
) -> list[str]:
    """A table of means: one line per matter (or hour), one column per KPI; ``labels``:
    what each key is shown as (a matter's name, an hour as "09:00–10:00")."""
    runs = result.runs
    present = [(k, label) for k, label in columns if any(f"{k}[{kind}=" in c for c in runs)]
    if not keys or not present:
        return []
    labels = labels or {}
    width = max(len(labels.get(k, k)) for k in keys) + 2
    head = f"{'':<{width}}" + "".join(f"{label:>12}" for _, label in present)
    lines = ["", f"{title}:", head]
    for key in keys:
        cells = []
        for kpi, _ in present:
            col = f"{kpi}[{kind}={key}]"
            x = runs[col].to_numpy(dtype=float) if col in runs else []
            x = x[np.isfinite(x)] if len(x) else x
            cells.append(f"{_fmt(float(np.mean(x))) if len(x) else '-':>12}")
        lines.append(f"{labels.get(key, key):<{width}}" + "".join(cells))
    return lines


def hour_label(hour: str) -> str:
    """``"09"`` -> ``"09:00–10:00"``."""
    return f"{int(hour):02d}:00–{(int(hour) + 1) % 24:02d}:00"


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
    lines += _breakdown(
        result,
        "By matter (means over runs)",
        [m.id for m in result.scenario.matters],
        "matter",
        BY_MATTER_COLUMNS,
        matter_names(result.scenario),
    )
    hours = sorted({c[-3:-1] for c in result.runs.columns if "[hour=" in c})
    lines += _breakdown(
        result,
        "By clock hour of the ticket",
        hours,
        "hour",
        BY_HOUR_COLUMNS,
        {h: hour_label(h) for h in hours},
    )
    n = len(result.runs)
    lines.append(f"\n{n} replication(s), seed {result.seed}; means over runs, Student-t 95% CI.")
    lines.append(
        "queue_wait_mean_min counts calendar minutes, nights and weekends included: a file "
        "handed to a back office in the\nevening waits until the next morning, so 1,000+ min "
        "means about a working day of waiting, not 17 hours of queueing."
    )
    if result.precision is not None:
        lines.append(result.precision.text())
    warning = overload_warning(result.runs, drained=result.scenario.horizon.drain_days > 0)
    if warning:
        lines = [warning, "", *lines]
    return "\n".join(lines)

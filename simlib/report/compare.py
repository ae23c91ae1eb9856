"""The report of a ``simlib compare`` folder: executive summary first (question, answer in
three sentences, reforms ranked), then the results, per-matter tables, the stacked table,
charts, assumptions and how to reproduce it.

Every number in the summary is produced by the same formatting call as the table cell it
comes from, so a reader finds it again in the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simlib.experiment.replicate import replication_seed
from simlib.reform_verdict import MATTER_VERDICT_KPIS
from simlib.report.assumptions import assumptions_section, readable
from simlib.report.html import e, figure, table
from simlib.report.names import Names
from simlib.report.study import HEADLINE, MORE, SUMMARY_KPIS, Study, half_width
from simlib.report.summary import ranked, summary
from simlib.verdict import (
    Material,
    fmt_change,
    fmt_level,
    is_share,
    kpi_info,
)

__all__ = ["compare_body"]


def _cell(s: Study, variant: str, kpi: str) -> str:
    v = s.verdict(variant, kpi)
    cls = f" class={v}" if v in ("better", "worse") else ""
    mark = " †" if v == "yardstick" else ""
    level = s.level(variant, kpi, unit=False)
    if cls and level == s.base(kpi, unit=False):  # a marked change must show: "5 → 5" won't do
        r = s.rows[(variant, kpi)]
        level = fmt_level(kpi, r.variant_mean, s.change_half(kpi))
    return (
        f"<span{cls}>{e(level)}{mark}</span><br>"
        f"<span class=ci>{e(s.change(variant, kpi, unit=False))}<br>{e(s.ci(variant, kpi))}</span>"
    )


def _results(s: Study) -> str:
    return _results_table(s, [k for k in HEADLINE if s.has(k)], True) + _results_table(
        s, [k for k in MORE if s.has(k)], False
    )


def _results_table(s: Study, kpis: list[str], first: bool) -> str:
    if not kpis:
        return ""
    head = ["reform (alone)"] + [
        f"{e(kpi_info(k)[0])}<br><span class=muted>[{'%' if is_share(k) else e(kpi_info(k)[1])}]"
        "</span>"
        for k in kpis
    ]
    rows = [["<b>baseline</b>"] + [e(s.base(k, unit=False)) for k in kpis]]
    rows += [[e(v)] + [_cell(s, v, k) for k in kpis] for v in ranked(s)]
    if not first:
        return "<h3>Other results</h3>" + table(head, rows, columns=COLUMNS)
    return (
        "<h2>Each reform alone</h2><p>Mean over replications; under it, the change against the "
        "baseline and its 95 % confidence interval (shares in %, their changes in percentage "
        "points, pp). <span class=better>Blue</span>: better, <span class=worse>vermilion</span>: "
        "worse, both only when significant and material. Reforms in the order of the ranking."
        "</p>" + table(head, rows, columns=COLUMNS)
    )


COLUMNS = 4  # result columns per table: wider tables are split to fit A4 portrait


def _unit_head(k: str) -> str:
    unit = "%" if is_share(k) else kpi_info(k)[1]
    return f"{e(kpi_info(k)[0])}<br><span class=muted>[{e(unit)}]</span>"


def _per_matter(s: Study) -> str:
    """One table per matter: the reforms that touch it (rows) and its results (columns);
    the reforms that do not touch it are named under the table ("—": not touched)."""
    matters = [m for m in s.names if any(k.endswith(f"[matter={m}]") for k in s.kpis)]
    if not matters:
        return (
            "<h2>Per matter</h2><p class=note>This comparison has no per-matter KPIs "
            "(columns named <code>KPI[matter=ID]</code>).</p>"
        )
    parts = []
    order = ranked(s)
    for m in matters:
        cols = [f"{k}[matter={m}]" for k in MATTER_VERDICT_KPIS if s.has(f"{k}[matter={m}]")]
        touching = [v for v in order if m in s.touched.get(v, [])]
        head = ["reform"] + [_unit_head(c.split("[")[0]) for c in cols]
        rows = [["<b>baseline</b>"] + [e(s.base(c, unit=False)) for c in cols]]
        rows += [[e(v)] + [_cell(s, v, c) for c in cols] for v in touching]
        others = [v for v in order if v not in touching]
        note = f"<p class=note>— not touched by: {e(', '.join(others))}.</p>" if others else ""
        if not touching:
            note = "<p class=note>— no reform touches this matter.</p>"
        parts.append(f"<h3>{e(s.name(m))}</h3>" + table(head, rows) + note)
    return (
        "<h2>Per matter</h2><p>Each matter with the reforms that touch it (its own steps, "
        "the pools its cases pass through, or the hall it is served in): mean over "
        "replications, under it the change and its 95 % CI. Colours as above.</p>" + "".join(parts)
    )


def _stacked(s: Study) -> str:
    if s.stacked.empty:
        return ""
    kpis = [k for k in SUMMARY_KPIS if s.has(k)]
    head = ["stage", "reform added"] + [
        f"{e(kpi_info(k)[0])}<br><span class=muted>[{'%' if is_share(k) else e(kpi_info(k)[1])}]"
        "</span>"
        for k in kpis
    ]
    rows = [["0", "<b>baseline</b>"] + [e(s.base(k, unit=False)) for k in kpis]]
    by = {(r.variant, r.kpi): r for r in s.stacked.itertuples()}
    for stage, v in enumerate(s.meta["stack"], start=1):
        cells = []
        for k in kpis:
            r = by[(v, k)]
            half = half_width(r.contribution_ci_low, r.contribution_ci_high)
            lo = fmt_change(k, r.contribution_ci_low, half)
            hi = fmt_change(k, r.contribution_ci_high, half)
            level = s.level(v, k, unit=False, kind="stacked")
            lo, hi = lo.removesuffix(" pp"), hi.removesuffix(" pp")
            cells.append(
                f"{e(level)}<br><span class=ci>{e(fmt_change(k, r.contribution, half))}"
                f"<br>[{e(lo)}, {e(hi)}]</span>"
            )
        rows.append([str(stage), e(v), *cells])
    stage, left_out = s.original_limits_stage()
    if stage:
        label = "all reforms" + (
            f" on the original time limits (stages 1–{stage})" if left_out else ""
        )
        rows.append(
            ["", f"<b>{e(label)}</b>"]
            + [
                f"<b>{e(s.final(k, False, stage)[0])}</b><br><span class=ci>"
                f"{e(s.final(k, False, stage)[1])}<br>{e(s.final_ci(k, stage))}</span>"
                for k in kpis
            ]
        )
    why = (
        f" Totals stop before {e(', '.join(left_out))}: it changes the time limits, so on-time "
        "decisions after it are on another yardstick."
        if left_out
        else ""
    )
    return (
        "<h2>Stacked: each reform on top of the ones before</h2><p>The level after each stage; "
        "under it, that reform's contribution with its 95 % CI. The last row: all reforms, "
        f"the total change against the baseline and its 95 % CI.{why}</p>"
        + table(head, rows, left=2)
    )


def _sensitivity(meta: dict[str, Any]) -> str:
    """Break-even of the assumed behaviour (``compare --sensitivity``), when it was run."""
    curves = meta.get("sensitivity")
    if not curves:
        return ""
    from simlib.experiment.sensitivity import Curve

    items = "".join(f"<li>{e(Curve.from_json(c).text())}</li>" for c in curves)
    return (
        "<h2>How the answer depends on assumed behaviour</h2><p>Reform parameters that are "
        "guesses about applicants were swept over a range on the same applicants (common "
        "random numbers); the saving is applicant-hours a year, the break-even the value at "
        "which the reform's cost per applicant-hour saved equals the best other reform's. "
        "The tornado chart is under Charts.</p><ul>" + items + "</ul>"
    )


def _reforms(meta: dict[str, Any], names: Names) -> str:
    items = []
    for name, reforms in meta["variants"].items():
        described = []
        for r in reforms:
            params = ", ".join(
                f"{k.replace('_', ' ')} {names.text(readable(v))}"
                for k, v in r.items()
                if k != "type" and v not in (None, [], {})
            )
            described.append(f"{r['type'].replace('_', ' ')}" + (f" ({params})" if params else ""))
        items.append(f"<li><b>{e(name)}</b>: {e('; '.join(described)) or 'no change'}</li>")
    return (
        "<h2>The reforms</h2><ul>" + "".join(items) + "</ul>"
        f"<p>Stacked in this order: {e(' → '.join(meta['stack']))}.</p>"
    )


CHARTS = (
    (
        "kpi_comparison.png",
        "Each reform alone: change against the baseline, 95 % CI of the change.",
    ),
    ("waterfall_lead_time.png", "Reforms added one after another: mean lead time."),
    (
        "tornado.png",
        "Assumed behaviour: applicant-hours saved a year at the low and high ends of each "
        "assumed parameter's range (the tick: at the assumed value).",
    ),
    ("waterfall_hall_wait.png", "Reforms added one after another: mean hall wait."),
    (
        "visits_per_case.png",
        "Hall visits per decided case under each reform (95 % CI of the level).",
    ),
)


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:  # a comparison without stacking
        return pd.DataFrame()


def compare_body(out: Path, meta: dict[str, Any], material: Material) -> str:
    """Everything below the title of a compare report."""
    s = Study(
        pd.read_csv(out / "comparison.csv"),
        _read(out / "stacked.csv"),
        pd.read_csv(out / "runs.csv"),
        meta,
        material,
    )
    reps, seed = meta["replications"], meta["seed"]
    seeds = ", ".join(str(replication_seed(seed, i)) for i in range(reps))
    figures = "".join(figure(out / f, c) for f, c in CHARTS if (out / f).exists())
    scenario = meta["baseline_scenario"]
    settings = {
        "baseline scenario": scenario["name"],
        "simulated days": f"{meta['horizon_days']} (the first {meta['warmup_days']} discarded "
        "as warm-up)",
        "replications": f"{reps} per variant",
        "base seed": str(seed),
        "material change": material.describe(),
    }
    command = meta.get("command") or ""
    reproduce = (
        f"<p>To reproduce every number in this report:</p><p><code>{e(command)}</code></p>"
        if command
        else "<p class=note>This folder does not record the command that made it.</p>"
    )
    return (
        summary(s)
        + _results(s)
        + _per_matter(s)
        + _stacked(s)
        + _sensitivity(meta)
        + "<h2>Charts</h2>"
        + figures
        + _reforms(meta, s.labels)
        + "<h2>Method</h2>"
        f"<p>Discrete-event simulation (simlib) of the hall and its approval chains. Each variant "
        f"was run {reps} times with the seeds {seeds} (derived from base seed {seed}); replication "
        "i of every variant uses the same seed, and every applicant's needs are indexed by "
        "applicant, so all variants see the same applicants (<i>common random numbers</i>): "
        "differences are the reforms' effects, not luck. Confidence intervals are Student-t "
        "intervals over replications (of the paired differences for changes, of the values for "
        "levels); a level that cannot be negative (a wait, a lead time, a rate) has its "
        "interval's lower end clipped at 0, since a mean of non-negative values cannot be "
        "below it. CSV files keep 12 significant digits. "
        f"The first {meta['warmup_days']} of {meta['horizon_days']} simulated days are "
        "discarded as warm-up.</p>"
        + reproduce
        + assumptions_section(meta.get("baseline_path") or None, settings, s.labels)
    )

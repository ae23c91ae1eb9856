"""The report of a ``simlib compare`` folder: executive summary first (question, answer in
three sentences, reforms ranked), then the results, per-matter tables, the stacked table,
charts, assumptions and how to reproduce it.

Every number in the summary is produced by the same formatting call as the table cell it
comes from, so a reader finds it again in the tables."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.experiment.replicate import replication_seed
from simlib.plots.comparison import level_ci
from simlib.report.assumptions import assumptions_section, readable
from simlib.report.html import e, figure, table
from simlib.verdict import (
    Material,
    changes_yardstick,
    fmt_change,
    fmt_level,
    is_share,
    kpi_info,
    verdict,
)

__all__ = ["HEADLINE", "compare_body"]

HEADLINE = (
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
)
MORE = ("abandon_rate", "throughput_per_day")
SUMMARY_KPIS = ("hall_wait_mean_min", "lead_time_mean_days", "visits_per_case", "on_time_rate")


def _half(lo: float, hi: float) -> float:
    return (hi - lo) / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan


@dataclass
class _Study:
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

    def has(self, kpi: str) -> bool:
        return kpi in self.kpis

    def base(self, kpi: str, unit: bool = True) -> str:
        _, lo, hi = level_ci(self.runs, "baseline", "baseline", kpi)
        r = self.rows[(self.variants[0], kpi)]
        return fmt_level(kpi, r.baseline_mean, _half(lo, hi), unit=unit)

    def level(self, variant: str, kpi: str, unit: bool = True, kind: str = "alone") -> str:
        """A level, with the digits its own CI supports (not the tighter paired one)."""
        m, lo, hi = level_ci(self.runs, kind, variant, kpi)
        if kind == "alone":
            m = self.rows[(variant, kpi)].variant_mean
        return fmt_level(kpi, m, _half(lo, hi), unit=unit)

    def change(self, variant: str, kpi: str, unit: bool = True) -> str:
        r = self.rows[(variant, kpi)]
        return fmt_change(kpi, r.diff, _half(r.diff_ci_low, r.diff_ci_high), unit=unit)

    def ci(self, variant: str, kpi: str) -> str:
        r = self.rows[(variant, kpi)]
        if not math.isfinite(r.diff_ci_low):
            return "no CI (one replication)"
        half = _half(r.diff_ci_low, r.diff_ci_high)
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

    def final(self, kpi: str, unit: bool = True) -> tuple[str, str]:
        """(level with all reforms, change vs baseline) as the stacked table prints them."""
        rows = self.stacked[self.stacked["kpi"] == kpi].sort_values("stage")
        last = rows.iloc[-1]
        _, lo, hi = level_ci(self.runs, "stacked", str(last["variant"]), kpi)
        half = _half(last["cumulative_ci_low"], last["cumulative_ci_high"])
        return (
            fmt_level(kpi, last["level"], _half(lo, hi), unit=unit),
            fmt_change(kpi, last["cumulative"], half, unit=unit),
        )


def _cell(s: _Study, variant: str, kpi: str) -> str:
    v = s.verdict(variant, kpi)
    cls = f" class={v}" if v in ("better", "worse") else ""
    mark = " †" if v == "yardstick" else ""
    return (
        f"<span{cls}>{e(s.level(variant, kpi, unit=False))}{mark}</span><br>"
        f"<span class=ci>{e(s.change(variant, kpi, unit=False))}<br>{e(s.ci(variant, kpi))}</span>"
    )


def _ranking(s: _Study) -> tuple[list[tuple[str, float, str]], list[str], list[str]]:
    """Recommended (variant, score, KPI of its best effect), those with no material effect,
    and those that make a headline KPI worse."""
    recommended, nothing, harmful = [], [], []
    for v in s.variants:
        kpis = [k for k in HEADLINE if s.has(k)]
        verdicts = {k: s.verdict(v, k) for k in kpis}
        better = [k for k in kpis if verdicts[k] == "better"]
        if any(x == "worse" for x in verdicts.values()):
            harmful.append(v)
        if better:
            best = max(better, key=lambda k: s.relative(v, k))
            recommended.append((v, s.relative(v, best), best))
        elif v not in harmful:
            nothing.append(v)
    recommended.sort(key=lambda t: -t[1])
    return recommended, nothing, harmful


def _matter_columns(s: _Study, kpi: str) -> list[str]:
    return [k for k in s.kpis if k.startswith(f"{kpi}[matter=")]


def _matter_effects(s: _Study, variant: str, limit: int = 3) -> list[str]:
    """The per-matter changes that are significant and material, largest first."""
    found = []
    for kpi in SUMMARY_KPIS:
        for col in _matter_columns(s, kpi):
            v = s.verdict(variant, col)
            if v in ("better", "worse"):
                matter = col.split("=", 1)[1][:-1]
                found.append(
                    (
                        abs(s.relative(variant, col)),
                        f"{matter}: {kpi_info(kpi)[0].lower()} {s.change(variant, col)} ({v})",
                    )
                )
    return [t for _, t in sorted(found, reverse=True)[:limit]]


def _costs(s: _Study) -> dict[str, float]:
    costs = s.meta.get("costs") or {}
    return {v: float(c.get("cost", 0) or 0) for v, c in costs.items() if isinstance(c, dict)}


def _summary(s: _Study) -> str:
    recommended, nothing, harmful = _ranking(s)
    n = len(s.variants)
    question = (
        f"Which of the {n} reforms of '{s.meta['study']}' should the hall adopt: what does each "
        "change for applicants (waits, days to a decision, visits, on-time decisions), and what "
        "do they achieve together?"
    )
    context = s.meta.get("description") or ""
    sentences = []
    if recommended:
        top, _, kpi = recommended[0]
        sentences.append(
            f"{len(recommended)} of the {n} reforms improve at least one headline result "
            f"significantly and materially; the strongest is <b>{e(top)}</b>: "
            f"{e(kpi_info(kpi)[0].lower())} {e(s.base(kpi))} → {e(s.level(top, kpi))} "
            f"({e(s.change(top, kpi))})."
        )
    else:
        sentences.append(
            f"None of the {n} reforms changes a headline result both significantly and "
            f"materially (threshold: {e(s.material.describe())})."
        )
    if not s.stacked.empty:
        parts = []
        for kpi in SUMMARY_KPIS:
            if s.has(kpi):
                level, _ = s.final(kpi)
                parts.append(f"{kpi_info(kpi)[0].lower()} from {s.base(kpi)} to {level}")
        sentences.append("All reforms together take the " + e("; ".join(parts)) + ".")
    rest = []
    if nothing:
        rest.append(f"{len(nothing)} make no material difference ({', '.join(nothing)})")
    if harmful:
        worse = [
            f"{v}: {kpi_info(k)[0].lower()} {s.change(v, k)}"
            for v in harmful
            for k in HEADLINE
            if s.has(k) and s.verdict(v, k) == "worse"
        ]
        rest.append(f"{len(harmful)} make a headline result worse ({'; '.join(worse)})")
    if rest:
        sentences.append(e("; ".join(rest)).capitalize() + ".")
    elif s.yardstick:
        sentences.append("No reform makes a headline result worse.")
    answer = " ".join(sentences)

    costs = _costs(s)
    head = ["rank", "reform", "strongest effect", "change [95 % CI]", "per matter (material)"]
    if costs:
        head += ["one-off cost", "effect per 100,000"]
    rows = []
    for i, (v, score, kpi) in enumerate(recommended, start=1):
        cells = [
            str(i),
            f"<b>{e(v)}</b>",
            e(kpi_info(kpi)[0]),
            f"{e(s.change(v, kpi))} {e(s.ci(v, kpi))} ({score * 100:.0f} % better)",
            e("; ".join(_matter_effects(s, v))) or "<span class=muted>–</span>",
        ]
        if costs:
            cost = costs.get(v, 0.0)
            per = f"{score * 100 / cost * 100_000:,.1f} % per 100,000" if cost else "no cost"
            cells += [f"{cost:,.0f}" if cost else "–", per]
        rows.append(cells)
    ranked = (
        table(head, rows, left=3) if rows else "<p>No reform to recommend on these results.</p>"
    )
    by_cost = ""
    if costs and recommended:
        order = sorted(recommended, key=lambda t: -(t[1] / costs[t[0]]) if costs.get(t[0]) else 0.0)
        by_cost = "<p>Ranked by effect per cost: " + e(" → ".join(v for v, _, _ in order)) + ".</p>"
    elif not costs:
        by_cost = (
            "<p class=note>The study file gives no costs, so reforms are ranked by effect only "
            "(give each variant a <code>cost</code> to rank by effect per cost).</p>"
        )
    yard = (
        "<p class=note>† "
        + e(", ".join(sorted(s.yardstick)))
        + " changes the time limits themselves: its on-time rate is measured against another "
        "yardstick and is not comparable with the baseline's (not counted as worse).</p>"
        if s.yardstick
        else ""
    )
    return (
        "<h2>Executive summary</h2><div class=summary>"
        f"<p><b>Question.</b> {e(question)}</p>"
        + (f"<p class=note>{e(context)}</p>" if context else "")
        + f"<p><b>Answer.</b> {answer}</p></div>"
        f"<p>A change counts as an improvement (or a deterioration) only when it is significant "
        f"(its 95 % confidence interval excludes zero) <i>and</i> material: at least "
        f"<b>{e(s.material.describe())}</b>. Recommended reforms, ranked by the largest "
        "material improvement of a headline result (as a share of the baseline):</p>"
        + ranked
        + by_cost
        + yard
    )


def _results(s: _Study) -> str:
    return _results_table(s, [k for k in HEADLINE if s.has(k)], True) + _results_table(
        s, [k for k in MORE if s.has(k)], False
    )


def _results_table(s: _Study, kpis: list[str], first: bool) -> str:
    if not kpis:
        return ""
    head = ["reform (alone)"] + [
        f"{e(kpi_info(k)[0])}<br><span class=muted>[{'%' if is_share(k) else e(kpi_info(k)[1])}]"
        "</span>"
        for k in kpis
    ]
    rows = [["<b>baseline</b>"] + [e(s.base(k, unit=False)) for k in kpis]]
    recommended = [v for v, _, _ in _ranking(s)[0]]
    order = recommended + [v for v in s.variants if v not in recommended]
    rows += [[e(v)] + [_cell(s, v, k) for k in kpis] for v in order]
    if not first:
        return "<h3>Other results</h3>" + table(head, rows)
    return (
        "<h2>Each reform alone</h2><p>Mean over replications; under it, the change against the "
        "baseline and its 95 % confidence interval (shares in %, their changes in percentage "
        "points, pp). <span class=better>Blue</span>: better, <span class=worse>vermilion</span>: "
        "worse, both only when significant and material. Reforms in the order of the ranking."
        "</p>" + table(head, rows)
    )


def _per_matter(s: _Study) -> str:
    parts = []
    for kpi in (*HEADLINE,):
        cols = _matter_columns(s, kpi)
        if not cols:
            continue
        shown = [v for v in s.variants if any(s.verdict(v, c) in ("better", "worse") for c in cols)]
        head = ["matter", "baseline"] + [e(v) for v in shown]
        rows = []
        for c in cols:
            matter = c.split("=", 1)[1][:-1]
            rows.append([e(matter), e(s.base(c, unit=False))] + [_cell(s, v, c) for v in shown])
        note = (
            ""
            if shown
            else "<p class=note>No reform changes this result materially for any matter.</p>"
        )
        parts.append(f"<h3>{e(kpi_info(kpi)[0])}</h3>" + table(head, rows) + note)
    if not parts:
        return (
            "<h2>Per matter</h2><p class=note>This comparison has no per-matter KPIs "
            "(columns named <code>KPI[matter=ID]</code>).</p>"
        )
    return (
        "<h2>Per matter</h2><p>Only reforms that change the result materially for at least one "
        "matter are shown.</p>" + "".join(parts)
    )


def _stacked(s: _Study) -> str:
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
            half = _half(r.contribution_ci_low, r.contribution_ci_high)
            lo = fmt_change(k, r.contribution_ci_low, half)
            hi = fmt_change(k, r.contribution_ci_high, half)
            level = s.level(v, k, unit=False, kind="stacked")
            lo, hi = lo.removesuffix(" pp"), hi.removesuffix(" pp")
            cells.append(
                f"{e(level)}<br><span class=ci>{e(fmt_change(k, r.contribution, half))}"
                f"<br>[{e(lo)}, {e(hi)}]</span>"
            )
        rows.append([str(stage), e(v), *cells])
    rows.append(
        ["", "<b>all reforms</b>"]
        + [
            f"<b>{e(s.final(k, False)[0])}</b><br><span class=ci>{e(s.final(k, False)[1])}</span>"
            for k in kpis
        ]
    )
    return (
        "<h2>Stacked: each reform on top of the ones before</h2><p>The level after each stage; "
        "under it, that reform's contribution with its 95 % CI. The last row: all reforms, and "
        "the total change against the baseline.</p>" + table(head, rows, left=2)
    )


def _reforms(meta: dict[str, Any]) -> str:
    items = []
    for name, reforms in meta["variants"].items():
        described = []
        for r in reforms:
            params = ", ".join(
                f"{k.replace('_', ' ')} {readable(v)}"
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
    s = _Study(
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
        _summary(s)
        + _results(s)
        + _per_matter(s)
        + _stacked(s)
        + "<h2>Charts</h2>"
        + figures
        + _reforms(meta)
        + "<h2>Method</h2>"
        f"<p>Discrete-event simulation (simlib) of the hall and its approval chains. Each variant "
        f"was run {reps} times with the seeds {seeds} (derived from base seed {seed}); replication "
        "i of every variant uses the same seed, and every applicant's needs are indexed by "
        "applicant, so all variants see the same applicants (<i>common random numbers</i>): "
        "differences are the reforms' effects, not luck. Confidence intervals are Student-t "
        "intervals over replications (of the paired differences for changes, of the values for "
        f"levels). The first {meta['warmup_days']} of {meta['horizon_days']} simulated days are "
        "discarded as warm-up.</p>"
        + reproduce
        + assumptions_section(meta.get("baseline_path") or None, settings)
    )

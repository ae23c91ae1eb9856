"""The executive summary of a compare report: the question, the answer in three sentences,
and the reforms ranked by effect (and by effect per cost when the study gives costs), with the
per-matter effects that matter."""

from __future__ import annotations

from simlib.report.html import e, table
from simlib.report.study import HEADLINE, SUMMARY_KPIS, Study
from simlib.verdict import kpi_info

__all__ = ["matter_columns", "ranking", "summary"]


def ranking(s: Study) -> tuple[list[tuple[str, float, str]], list[str], list[str]]:
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


def matter_columns(s: Study, kpi: str) -> list[str]:
    return [k for k in s.kpis if k.startswith(f"{kpi}[matter=")]


def _matter_effects(s: Study, variant: str, limit: int = 3) -> list[str]:
    """The per-matter changes that are significant and material, largest first."""
    found = []
    for kpi in SUMMARY_KPIS:
        for col in matter_columns(s, kpi):
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


def _trade_off(s: Study, variant: str) -> str:
    worse = [
        f"{kpi_info(k)[0].lower()} {s.change(variant, k)}"
        for k in HEADLINE
        if s.has(k) and s.verdict(variant, k) == "worse"
    ]
    return f"<br><span class=worse>trade-off: {e('; '.join(worse))}</span>" if worse else ""


def _costs(s: Study) -> dict[str, float]:
    """One-off cost per variant: ``study.json`` ``costs: {variant: {cost, officer_hours}}``."""
    costs = s.meta.get("costs") or {}
    return {v: float(c.get("cost", 0) or 0) for v, c in costs.items() if isinstance(c, dict)}


def summary(s: Study) -> str:
    recommended, nothing, harmful = ranking(s)
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
        verb = "makes" if len(nothing) == 1 else "make"
        rest.append(f"{len(nothing)} {verb} no material difference ({', '.join(nothing)})")
    if harmful:
        worse = [
            f"{v}: {kpi_info(k)[0].lower()} {s.change(v, k)}"
            for v in harmful
            for k in HEADLINE
            if s.has(k) and s.verdict(v, k) == "worse"
        ]
        verb = "makes" if len(harmful) == 1 else "make"
        rest.append(f"{len(harmful)} {verb} a headline result worse ({'; '.join(worse)})")
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
            f"<b>{e(v)}</b>" + _trade_off(s, v),
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

        def per_cost(item: tuple[str, float, str]) -> float:
            cost = costs.get(item[0], 0.0)
            return -item[1] / cost if cost else -float("inf")  # free reforms first

        order = sorted(recommended, key=per_cost)
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

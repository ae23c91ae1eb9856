"""The executive summary of a compare report: the question, the Answer, and the reforms
ranked by their verdict (:mod:`simlib.reform_verdict`) with what each helps and harms in
words.

The Answer judges each reform on the pooled KPIs *and* on every matter it touches, so a
reform aimed at a small matter is not dropped because the hall's average hardly moves, and a
reform that harms one matter says so. "Not known" (inconclusive) is kept apart from "no
material change". Totals of all reforms are given on the baseline's time limits only: a
reform that changes the limits measures on-time decisions on another yardstick."""

from __future__ import annotations

from simlib.reform_verdict import VERDICT_WORDS, ReformVerdict, change_words
from simlib.report.html import e, table
from simlib.report.money import Money, money, money_section, payback_words
from simlib.report.study import SUMMARY_KPIS, Study
from simlib.verdict import kpi_info

__all__ = ["matter_columns", "ranked", "summary"]

ORDER = {"better": 0, "mixed": 1, "inconclusive": 2, "no_material_change": 3, "worse": 4}


def score(v: ReformVerdict) -> float:
    """The largest material improvement, as a share of its baseline (0 when none)."""
    return max((abs(c.change) / abs(c.baseline) for c in v.helps if c.baseline), default=0.0)


def ranked(s: Study) -> list[str]:
    """Reforms by verdict (better, mixed, inconclusive, no material change, worse), then by
    their largest material improvement as a share of the baseline."""
    return sorted(s.variants, key=lambda v: (ORDER[s.verdicts[v].verdict], -score(s.verdicts[v])))


def matter_columns(s: Study, kpi: str) -> list[str]:
    return [k for k in s.kpis if k.startswith(f"{kpi}[matter=")]


def _listed(s: Study, variant: str, items: list, limit: int = 3) -> str:
    shown = "; ".join(
        change_words(c, s.names, half=s.cell_half(variant, c.column)) for c in items[:limit]
    )
    more = len(items) - limit
    return shown + (f"; and {more} more (see the tables)" if more > 0 else "")


def _counts(s: Study) -> str:
    groups: dict[str, list[str]] = {k: [] for k in ORDER}
    for v in ranked(s):
        groups[s.verdicts[v].verdict].append(v)
    parts = []
    for verdict, names in groups.items():
        if not names:
            continue
        what = VERDICT_WORDS[verdict]
        if verdict == "inconclusive":
            need = [s.verdicts[v].to_decide for v in names]
            known = [x for x in need if x is not None]
            what += (
                f" (not known yet; about {max(known)} replications would decide "
                f"{'it' if len(names) == 1 else 'them'}: <code>simlib compare --decide</code>)"
                if known
                else " (not known yet)"
            )
        parts.append(f"{len(names)} {what}: {e(', '.join(names))}")
    return f"Of the {len(s.variants)} reforms, " + "; ".join(parts) + "."


def _totals(s: Study) -> str:
    if s.stacked.empty:
        return ""
    stage, left_out = s.original_limits_stage()
    if stage == 0:
        return (
            "The stack starts with a reform that changes the time limits, so no total is given "
            "on the baseline's yardstick."
        )
    parts = []
    for kpi in SUMMARY_KPIS:
        if s.has(kpi):
            level, change = s.final(kpi, stage=stage)
            parts.append(
                f"{kpi_info(kpi)[0].lower()} from {s.base(kpi)} to {level} "
                f"({change} {s.final_ci(kpi, stage)})"
            )
    scope = (
        f"All reforms together on the baseline's time limits (the stack without "
        f"{', '.join(left_out)}, which {'changes' if len(left_out) == 1 else 'change'} the "
        "yardstick)"
        if left_out
        else "All reforms together"
    )
    return e(
        scope + " take the " + "; the ".join(parts) + " (total change, its confidence interval "
        "in brackets)."
    )


def _cost_cell(m: Money) -> str:
    """One-off and running cost, the payback where officer-hours are saved, and the
    [illustrative] mark of an assumed cost."""
    words = m.cost_words()
    payback = payback_words(m)
    text = e(words.removesuffix(" [illustrative]"))
    if payback != "—":
        text += f"<br>pays back in {e(payback)}"
    if m.illustrative:
        text += "<br><span class=muted>[illustrative]</span>"
    return text


def _warnings(s: Study) -> str:
    warnings = [w for w in s.meta.get("warnings") or [] if w]
    if not warnings:
        return ""
    items = "".join(f"<li>{e(w)}</li>" for w in warnings)
    return f"<div class=warn><b>Warnings about these results</b><ul>{items}</ul></div>"


def _verdict_cell(v: ReformVerdict) -> str:
    word = VERDICT_WORDS[v.verdict]
    cls = {"better": "better", "worse": "worse", "mixed": "worse"}.get(v.verdict, "muted")
    extra = ""
    if v.verdict == "inconclusive":
        extra = (
            f"<br><span class=muted>~{v.to_decide} reps decide</span>"
            if v.to_decide is not None
            else ""
        )
    return f"<span class={cls}>{e(word)}</span>{extra}"


def summary(s: Study) -> str:
    n = len(s.variants)
    question = (
        f"Which of the {n} reforms of '{s.meta['study']}' should the hall adopt: what does each "
        "change for applicants (waits, days to a decision, visits, on-time decisions) in each "
        "matter it touches, and what do they achieve together?"
    )
    context = s.meta.get("description") or ""
    order = ranked(s)
    sentences = [_counts(s)]
    best = [v for v in order if s.verdicts[v].verdict == "better"]
    if best:
        top = s.verdicts[best[0]]
        sentences.append(
            f"The strongest is <b>{e(best[0])}</b>: it helps "
            f"{e(_listed(s, best[0], top.helps, 2))}; harms nothing."
        )
    for v in order:
        x = s.verdicts[v]
        if x.verdict in ("mixed", "worse"):
            helps = f"helps {_listed(s, v, x.helps, 2)} but " if x.helps else ""
            sentences.append(f"<b>{e(v)}</b> {e(helps)}harms {e(_listed(s, v, x.harms, 2))}.")
    sentences.append(_totals(s))
    answer = " ".join(t for t in sentences if t)

    costs = {m.variant: m for m in money(s) if m.one_off or m.officer_hours}
    head = ["rank", "reform", "verdict", "helps (95 % CI)", "harms; not known"]
    if costs:
        head.append("cost (payback)")
    rows = []
    for i, v in enumerate(order, start=1):
        x = s.verdicts[v]
        harms = _listed(s, v, x.harms) if x.harms else "nothing"
        unknown = f"{len(x.unknown)} change(s) not known" if x.unknown else ""
        cells = [
            str(i),
            f"<b>{e(v)}</b>",
            _verdict_cell(x),
            e(_listed(s, v, x.helps)) if x.helps else "<span class=muted>nothing material</span>",
            (f"<span class=worse>{e(harms)}</span>" if x.harms else e(harms))
            + (f"<br><span class=muted>{e(unknown)}</span>" if unknown else ""),
        ]
        if costs:
            cells.append(_cost_cell(costs[v]) if v in costs else "–")
        rows.append(cells)
    yard = (
        "<p class=note>† "
        + e(", ".join(sorted(s.yardstick)))
        + " changes the time limits themselves: its on-time rate is measured against another "
        "yardstick, is not judged, and is left out of the totals.</p>"
        if s.yardstick
        else ""
    )
    return (
        "<h2>Executive summary</h2>" + _warnings(s) + "<div class=summary>"
        f"<p><b>Question.</b> {e(question)}</p>"
        + (f"<p class=note>{e(context)}</p>" if context else "")
        + f"<p><b>Answer.</b> {answer}</p></div>"
        "<p>Each reform is judged on the hall's pooled results <i>and</i> on every matter it "
        "touches. A change counts when it is significant (its 95 % confidence interval excludes "
        f"zero) <i>and</i> material: at least <b>{e(s.material.describe())}</b>. "
        "<b>Better</b>: helps somewhere, harms nowhere; <b>mixed</b>: helps and harms; "
        "<b>no material change</b>: every confidence interval lies within the material "
        "threshold; <b>inconclusive</b>: some interval still reaches a material change. "
        "Ranked by verdict, then by the largest material improvement as a share of its "
        "baseline:</p>" + table(head, rows, left=5, cls="ranked") + yard + money_section(s)
    )

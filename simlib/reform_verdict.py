"""A verdict per reform, built from every matter and KPI it touches.

:func:`simlib.verdict.verdict` judges one change. A director needs one word per reform, and
a pooled KPI is dominated by the big matters: a reform that takes planning permits from
7 to 5.7 days reads as "no change" on the hall's average. So a reform is judged on the pooled
KPIs *and* on each matter it touches (:mod:`simlib.experiment.touched`), and every change
falls in one of four bins:

* **helps** / **harms**: significant (the 95 % CI excludes zero) and material (at least the
  threshold of :class:`~simlib.verdict.Material`), in the KPI's good / bad direction;
* **no material change**: the whole CI lies inside ±material (not listed);
* **unknown**: anything else — the CI still reaches a material change.

The reform is ``better`` when it helps somewhere and harms nowhere, ``worse`` when it harms
and helps nowhere, ``mixed`` when it does both, ``no_material_change`` only when *every* CI
lies inside ±material, and ``inconclusive`` otherwise. "Not known" is never written as "no
difference". For an unknown change, the replications that would decide it are estimated
from its CI half-width (the standard deviation of the paired differences is taken as known;
the Student-t quantile follows the replication count).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from scipy import special

from simlib.verdict import Material, fmt_change, kpi_info

__all__ = [
    "MATTER_VERDICT_KPIS",
    "POOLED_VERDICT_KPIS",
    "VERDICTS",
    "Change",
    "ReformVerdict",
    "judge",
    "reform_verdicts",
    "replications_to_decide",
]

VERDICTS = ("better", "mixed", "inconclusive", "no_material_change", "worse")
# What an applicant or the hall feels; counts, utilisation and backlog are causes, not outcomes.
POOLED_VERDICT_KPIS = (
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
    "applicant_hours_per_case",
    "abandon_rate",
    "revoked_rate",
    "undecided_rate",
)
MATTER_VERDICT_KPIS = (
    "hall_wait_mean_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
)
MAX_REPS = 10_000  # beyond this, "cannot be decided by replications" (an effect at the threshold)


@dataclass(frozen=True)
class Change:
    """One KPI's paired change under a reform: pooled (``matter`` None) or for one matter."""

    kpi: str
    matter: str | None
    change: float
    ci: tuple[float, float]
    baseline: float
    threshold: float
    replications: int
    to_decide: int | None = None  # for an unknown change: replications that would decide it

    @property
    def column(self) -> str:
        return self.kpi if self.matter is None else f"{self.kpi}[matter={self.matter}]"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kpi": self.kpi,
            "matter": self.matter,
            "change": _num(self.change),
            "ci": [_num(self.ci[0]), _num(self.ci[1])],
            "baseline": _num(self.baseline),
            "material": _num(self.threshold),
        }
        if self.to_decide is not None or not self.is_decided_by_ci:
            out["replications_to_decide"] = self.to_decide
        return out

    @property
    def is_decided_by_ci(self) -> bool:
        return math.isfinite(self.ci[0]) and math.isfinite(self.ci[1])


@dataclass
class ReformVerdict:
    """One reform's verdict and the changes behind it."""

    variant: str
    verdict: str
    helps: list[Change] = field(default_factory=list)
    harms: list[Change] = field(default_factory=list)
    unknown: list[Change] = field(default_factory=list)
    replications: int = 0
    to_decide: int | None = None  # inconclusive: replications that would likely decide it

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "helps": [c.to_json() for c in self.helps],
            "harms": [c.to_json() for c in self.harms],
            "unknown": [c.to_json() for c in self.unknown],
            "replications": self.replications,
            "replications_to_decide": self.to_decide,
        }


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def judge(kpi: str, diff: float, low: float, high: float, threshold: float) -> str:
    """``"helps"``, ``"harms"``, ``"none"`` (CI inside ±threshold) or ``"unknown"``; a KPI
    without a good direction is always ``"none"``."""
    better = kpi_info(kpi)[2]
    if not better:
        return "none"
    if not (math.isfinite(low) and math.isfinite(high)):
        return "unknown"
    significant = low > 0 or high < 0
    if significant and abs(diff) >= threshold:
        improves = diff < 0 if better == "lower" else diff > 0
        return "helps" if improves else "harms"
    if -threshold <= low and high <= threshold:
        return "none"
    return "unknown"


def replications_to_decide(
    diff: float, low: float, high: float, threshold: float, n: int
) -> int | None:
    """Replications at which the CI would, at the same spread, either exclude zero (a change
    at least material) or lie inside ±threshold (a smaller one); None when not estimable
    (fewer than 2 replications) or beyond ``MAX_REPS`` (the change sits on the threshold)."""
    if n < 2 or not (math.isfinite(low) and math.isfinite(high)):
        return None
    half = (high - low) / 2
    if half <= 0:
        return n
    # stdtrit is the Student-t quantile (what stats.t.ppf computes) without scipy.stats
    sd = half * math.sqrt(n) / float(special.stdtrit(n - 1, 0.975))
    target = abs(diff) if abs(diff) >= threshold else threshold - abs(diff)
    if target <= 0:
        return None
    # smallest N with t(N-1) sd / sqrt(N) < target: the normal bound, then the t steps up
    guess = max(n + 1, math.ceil((1.96 * sd / target) ** 2))
    if guess > MAX_REPS:
        return None
    while guess <= MAX_REPS:
        if float(special.stdtrit(guess - 1, 0.975)) * sd / math.sqrt(guess) < target:
            return guess
        guess += max(1, guess // 20)
    return None


def _changes(
    rows: pd.DataFrame, material: Material, yardstick: bool, touched: Iterable[str]
) -> Iterable[Change]:
    judged: dict[str, str | None] = {k: None for k in POOLED_VERDICT_KPIS}
    judged.update({f"{k}[matter={m}]": m for m in touched for k in MATTER_VERDICT_KPIS})
    for r in rows.itertuples():
        if r.kpi not in judged:
            continue
        base = r.kpi.split("[")[0]
        if yardstick and base == "on_time_rate":
            continue  # measured against other time limits: not comparable
        if not math.isfinite(r.diff):
            continue  # not applicable (no such cases)
        baseline = r.baseline_mean if math.isfinite(r.baseline_mean) else 0.0
        yield Change(
            base,
            judged[r.kpi],
            float(r.diff),
            (float(r.diff_ci_low), float(r.diff_ci_high)),
            float(r.baseline_mean),
            material.threshold(r.kpi, baseline),
            int(r.n),
        )


def reform_verdict(
    variant: str,
    rows: pd.DataFrame,
    material: Material | None = None,
    yardstick: bool = False,
    touched: Iterable[str] = (),
) -> ReformVerdict:
    """The verdict of one reform from its rows of a comparison table (``Comparison.table()``:
    ``kpi, diff, diff_ci_low, diff_ci_high, baseline_mean, n``)."""
    material = material or Material()
    out = ReformVerdict(variant, "no_material_change")
    toward_effect: list[int | None] = []
    toward_none: list[int | None] = []
    for c in _changes(rows, material, yardstick, list(touched)):
        out.replications = max(out.replications, c.replications)
        bin_ = judge(c.column, c.change, c.ci[0], c.ci[1], c.threshold)
        if bin_ == "helps":
            out.helps.append(c)
        elif bin_ == "harms":
            out.harms.append(c)
        elif bin_ == "unknown":
            need = replications_to_decide(c.change, *c.ci, c.threshold, c.replications)
            out.unknown.append(replace(c, to_decide=need))
            (toward_effect if abs(c.change) >= c.threshold else toward_none).append(need)
    if out.helps and out.harms:
        out.verdict = "mixed"
    elif out.helps:
        out.verdict = "better"
    elif out.harms:
        out.verdict = "worse"
    elif out.unknown:
        out.verdict = "inconclusive"
        # one material change made significant decides it; otherwise every CI must shrink
        known = [x for x in toward_effect if x is not None]
        if known:
            out.to_decide = min(known)
        elif toward_none and None not in toward_none:
            out.to_decide = max(x for x in toward_none if x is not None)
    for items in (out.helps, out.harms):  # means before percentiles, largest share first
        items.sort(key=lambda c: ("p90" in c.kpi, -abs(c.change) / (abs(c.baseline) or 1.0)))
    return out


def reform_verdicts(
    table: pd.DataFrame,
    material: Material | None = None,
    yardstick: Iterable[str] = (),
    touched: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, ReformVerdict]:
    """Every variant's verdict from a comparison table (one row per variant and KPI)."""
    yard = set(yardstick)
    touched = touched or {}
    return {
        str(v): reform_verdict(str(v), rows, material, v in yard, touched.get(str(v), ()))
        for v, rows in table.groupby("variant", sort=False)
    }


# --- in words -------------------------------------------------------------------------

SHORT_LABELS = {
    "hall_wait_mean_min": "hall wait",
    "hall_wait_p90_min": "90th-percentile hall wait",
    "lead_time_mean_days": "lead time",
    "lead_time_p90_days": "90th-percentile lead time",
    "on_time_rate": "on time",
    "visits_per_case": "visits",
    "applicant_hours_per_case": "applicant's hours",
    "abandon_rate": "abandoned tickets",
    "revoked_rate": "revoked decisions",
    "undecided_rate": "undecided cases",
}
VERDICT_WORDS = {
    "better": "better",
    "worse": "worse",
    "mixed": "mixed",
    "no_material_change": "no material change",
    "inconclusive": "inconclusive",
}


def change_words(
    c: Change,
    names: Mapping[str, str] | None = None,
    ci: bool = True,
    half: float | None = None,
) -> str:
    """``"Planning permit: lead time −1.0 working days [−1.2, −0.7]"`` (pooled: ``"all
    matters: ..."``); digits from the CI."""
    names = names or {}
    if half is None:  # digits from this change's own CI (a table passes its column's)
        half = (c.ci[1] - c.ci[0]) / 2 if c.is_decided_by_ci else math.nan
    col = c.column
    label = SHORT_LABELS.get(c.kpi, kpi_info(c.kpi)[0].lower())
    text = f"{label} {fmt_change(col, c.change, half, unit=True)}"
    if ci and c.is_decided_by_ci:
        lo, hi = (fmt_change(col, x, half).removesuffix(" pp") for x in c.ci)
        text += f" [{lo}, {hi}]"
    where = "all matters" if c.matter is None else names.get(c.matter, c.matter)
    return f"{where}: {text}"


def verdict_words(v: ReformVerdict, names: Mapping[str, str] | None = None, limit: int = 4) -> str:
    """What a reform helps and harms, in words: ``"helps A: lead time −1.0 working days [..];
    harms nothing"``; for a reform with neither, what is still open."""

    def listed(items: list[Change]) -> str:
        shown = "; ".join(change_words(c, names) for c in items[:limit])
        more = len(items) - limit
        return shown + (f"; and {more} more" if more > 0 else "")

    parts = []
    if v.helps:
        parts.append("helps " + listed(v.helps))
    if v.harms:
        parts.append("harms " + listed(v.harms))
    elif v.helps:
        parts.append("harms nothing")
    if v.verdict == "no_material_change":
        parts.append("every change lies within the material threshold")
    if v.unknown and v.verdict == "inconclusive":
        widest = sorted(
            v.unknown, key=lambda c: -max(abs(c.ci[0]), abs(c.ci[1])) / (c.threshold or 1)
        )
        need = (
            f"about {v.to_decide} replications would decide it"
            if v.to_decide is not None
            else "replications alone are unlikely to decide it"
        )
        parts.append(
            f"not known yet ({need}): "
            + "; ".join(change_words(c, names) for c in widest[:2])
            + (f"; and {len(widest) - 2} more" if len(widest) > 2 else "")
        )
    elif v.unknown:
        parts.append(f"{len(v.unknown)} other change(s) not known yet")
    return "; ".join(parts)

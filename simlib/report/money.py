"""Money on one yardstick: what a reform costs per hour of applicants' time saved, and per
working day of lead time saved, over a year.

Dividing a percentage change of one KPI by cost and comparing it with another KPI's is
comparing unlike things. Here every reform is put on the same two yardsticks:

* **cost per applicant-hour saved**: the first year's cost (one-off + running officer-hours
  priced at ``cost_per_hour``) over the applicant-hours saved in a year (the change of
  ``applicant_hours_per_case`` — hall waits, service and travel, DESIGN §7 — times the
  cases a year);
* **cost per case-day saved**: the same cost over the working days of lead time saved in a
  year (change of ``lead_time_mean_days`` times the cases a year).

Cases a year = the baseline's cases arrived per simulated day after warm-up x 365. The
range in brackets comes from the 95 % CI of the change; a reform whose saving is not
significant gets no figure. Running costs without a price are named, not guessed.

A reform that *saves* officer-hours (negative running cost) pays back its one-off cost in
one-off / yearly running saving years. A cost the study file marks ``[illustrative]`` (in
its own comment, its variant's, or the file's rule) is printed with that mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simlib.report.assumptions import assumptions
from simlib.report.html import e, table

__all__ = ["Money", "illustrative_costs", "money", "money_section", "payback_words"]

WORKDAYS_A_YEAR = 250  # running officer-hours are given per working day


@dataclass(frozen=True)
class Money:
    variant: str
    one_off: float
    running_a_year: float | None  # None: officer-hours without a price
    hours_saved: tuple[float, float, float]  # applicant-hours a year: mean, low, high
    days_saved: tuple[float, float, float]  # case working days a year: mean, low, high
    illustrative: bool = False  # the study file marks the cost [illustrative]
    officer_hours: float = 0.0  # running officer-hours per working day (negative: saved)

    @property
    def first_year(self) -> float | None:
        return None if self.running_a_year is None else self.one_off + self.running_a_year

    @property
    def payback_years(self) -> float | None:
        """Years until the yearly running saving repays the one-off cost (None: the reform
        saves no priced officer-hours)."""
        if self.running_a_year is None or self.running_a_year >= 0:
            return None
        return self.one_off / -self.running_a_year

    def cost_words(self) -> str:
        """ "50,000 one-off; running −12,500 a year [illustrative]", as the summary prints."""
        parts = [f"{self.one_off:,.0f} one-off"] if self.one_off else []
        if self.running_a_year is None:
            hours = f"{self.officer_hours:+,.1f}".replace("-", "−")
            parts.append(f"{hours} officer-hours a day, not priced")
        elif self.running_a_year:
            parts.append(f"running {self.running_a_year:+,.0f} a year".replace("-", "−"))
        words = "; ".join(parts) or "no cost"
        return words + (" [illustrative]" if self.illustrative else "")


def _saved(s: Any, variant: str, kpi: str, per_year: float) -> tuple[float, float, float]:
    r = s.rows.get((variant, kpi))
    if r is None:
        return (math.nan, math.nan, math.nan)
    # a saving is a fall of the KPI: mean, and the CI turned round
    return (-r.diff * per_year, -r.diff_ci_high * per_year, -r.diff_ci_low * per_year)


def illustrative_costs(study_file: str | Path | None) -> set[str]:
    """The variants whose cost or officer-hours the study file marks [illustrative]."""
    if not study_file or not Path(study_file).is_file():
        return set()
    try:
        rows = assumptions(study_file)
    except (OSError, ValueError, yaml.YAMLError):
        return set()
    marked = set()
    for r in rows:
        head, _, leaf = r.path.rpartition(".")
        cost = head.startswith("variants.") and leaf in ("cost", "officer_hours")
        if cost and r.basis.startswith("illustrative"):
            marked.add(head.removeprefix("variants."))
    return marked


def money(s: Any) -> list[Money]:
    """Each costed reform on the two yardsticks (``s``: a :class:`~simlib.report.study.Study`)."""
    costs = s.meta.get("costs") or {}
    marked = illustrative_costs(s.meta.get("source"))
    base = s.runs[s.runs["kind"] == "baseline"]
    days = max(1, int(s.meta["horizon_days"]) - int(s.meta["warmup_days"]))
    cases = float(base["cases_arrived"].mean()) / days * 365 if "cases_arrived" in base else 0.0
    out = []
    for v in s.variants:
        c = costs.get(v) or {}
        if not isinstance(c, dict):
            continue
        hours = float(c.get("officer_hours") or 0.0)
        price = c.get("running_cost_per_day")
        running = 0.0 if hours == 0 else None if price is None else float(price) * WORKDAYS_A_YEAR
        out.append(
            Money(
                v,
                float(c.get("cost") or 0.0),
                running,
                _saved(s, v, "applicant_hours_per_case", cases),
                _saved(s, v, "lead_time_mean_days", cases),
                v in marked,
                hours,
            )
        )
    return out


def _per(cost: float | None, saved: tuple[float, float, float]) -> str:
    mean, low, high = saved
    if cost is None:
        return "running cost not priced"
    if not (math.isfinite(low) and low > 0):
        return "no saving shown"
    if cost == 0:
        return "free"
    if cost < 0:
        return "saves money"
    return f"{cost / mean:,.2f} [{cost / high:,.2f}, {cost / low:,.2f}]"


def payback_words(m: Money) -> str:
    """ "2.5 years", "at once", or "—" (no priced saving of officer-hours)."""
    years = m.payback_years
    if years is None:
        return "—"
    return "at once" if years == 0 else f"{years:,.1f} years"


def _amount(saved: tuple[float, float, float]) -> str:
    mean, low, high = saved
    if not math.isfinite(mean):
        return "–"
    return f"{mean:,.0f} [{low:,.0f}, {high:,.0f}]".replace("-", "−")


def money_section(s: Any) -> str:
    rows_ = money(s)
    if not rows_ or not any(m.one_off or m.running_a_year for m in rows_):
        return (
            "<p class=note>The study file gives no costs, so reforms are not put on a money "
            "yardstick (give each variant a <code>cost</code> and, where staff change, "
            "<code>officer_hours</code>).</p>"
        )
    head = [
        "reform",
        "cost: one-off; running / year",
        "payback",
        "applicant-hours saved / year",
        "cost per applicant-hour saved",
        "case-days of lead time saved / year",
        "cost per case-day saved",
    ]
    body = []
    for m in sorted(rows_, key=lambda m: m.first_year or math.inf):
        running = "not priced" if m.running_a_year is None else f"{m.running_a_year:,.0f}"
        mark = "<br><span class=muted>[illustrative]</span>" if m.illustrative else ""
        body.append(
            [
                e(m.variant),
                f"{m.one_off:,.0f}; {running}".replace("-", "−") + mark,
                payback_words(m),
                _amount(m.hours_saved),
                _per(m.first_year, m.hours_saved),
                _amount(m.days_saved),
                _per(m.first_year, m.days_saved),
            ]
        )
    return (
        "<h3>Money on one yardstick</h3><p>Each reform's first-year cost (one-off + running "
        f"officer-hours priced at the pools' <code>cost_per_hour</code>, {WORKDAYS_A_YEAR} "
        "working days) per hour of applicants' time saved (hall waits, service and travel) and "
        "per working day of lead time saved, over the baseline's cases of a year; in brackets "
        "the range from the 95 % CI of the saving. No figure where the saving is not "
        "significant. A reform that saves officer-hours (a negative running cost) pays back "
        "its one-off cost in one-off / yearly saving years. [illustrative]: the study file "
        "marks the cost as an assumption, not a quote.</p>" + table(head, body)
    )

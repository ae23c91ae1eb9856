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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from simlib.report.html import e, table

__all__ = ["Money", "money", "money_section"]

WORKDAYS_A_YEAR = 250  # running officer-hours are given per working day


@dataclass(frozen=True)
class Money:
    variant: str
    one_off: float
    running_a_year: float | None  # None: officer-hours without a price
    hours_saved: tuple[float, float, float]  # applicant-hours a year: mean, low, high
    days_saved: tuple[float, float, float]  # case working days a year: mean, low, high

    @property
    def first_year(self) -> float | None:
        return None if self.running_a_year is None else self.one_off + self.running_a_year


def _saved(s: Any, variant: str, kpi: str, per_year: float) -> tuple[float, float, float]:
    r = s.rows.get((variant, kpi))
    if r is None:
        return (math.nan, math.nan, math.nan)
    # a saving is a fall of the KPI: mean, and the CI turned round
    return (-r.diff * per_year, -r.diff_ci_high * per_year, -r.diff_ci_low * per_year)


def money(s: Any) -> list[Money]:
    """Each costed reform on the two yardsticks (``s``: a :class:`~simlib.report.study.Study`)."""
    costs = s.meta.get("costs") or {}
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
    return f"{cost / mean:,.2f} [{cost / high:,.2f}, {cost / low:,.2f}]"


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
        "one-off cost",
        "running / year",
        "applicant-hours saved / year",
        "cost per applicant-hour saved",
        "case-days of lead time saved / year",
        "cost per case-day saved",
    ]
    body = []
    for m in sorted(rows_, key=lambda m: m.first_year or math.inf):
        running = "not priced" if m.running_a_year is None else f"{m.running_a_year:,.0f}"
        body.append(
            [
                e(m.variant),
                f"{m.one_off:,.0f}",
                running,
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
        "significant. Costs marked [illustrative] in the study file are assumptions.</p>"
        + table(head, body)
    )

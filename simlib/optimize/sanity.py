"""Mistakes in optimisation and portfolio files caught before a single run.

A planner who writes ``on_time_rate: {min: 95}`` (a percent for a share), a wait bound of
0.25 (hours for minutes) or a budget below the cheapest reform gets a search that runs for
minutes and then reports "no staffing / no portfolio meets the requirements" — blaming the
wrong cause. These checks read the file's numbers against what they can mean and against a
floor from theory, and return :class:`~simlib.scenario.errors.Issue` objects for the
loader's one error (exit 2, line numbers included):

* a share KPI bound outside [0, 1] ("did you mean 0.95?");
* a wait bound under 1 minute or over a day ("minutes are the unit");
* a budget below the cheapest variant (only the empty portfolio would fit);
* a lead-time bound below the *floor* of every scenario the search can reach: the chain's
  step times and calendar delays with no queueing at all (infinite staff). Staffing cannot
  shorten a 20-day notice period; a portfolio can only through its reforms, so the floor is
  taken over the baseline, each variant alone and all of them together.

One more reading is a note, not an error: a staffing file whose requirements today's
staffing already meets *with room to spare* by Erlang C on the modified offered load
(:func:`room_to_spare`). That is a legitimate question (a cheaper staffing that still meets
them), but it is also what a bound in the wrong unit looks like, so ``validate`` says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

from simlib.metrics import KPI_INFO
from simlib.scenario.chain import branches
from simlib.scenario.errors import Issue
from simlib.scenario.model import DelayStep, Matter, Scenario

__all__ = [
    "budget_issues",
    "chain_floor_days",
    "requirement_issues",
    "study_issues",
]

DAY_MINUTES = 24 * 60
LEAD_KPIS = ("lead_time_mean_days", "lead_time_p90_days")


def _bound(req: Any) -> tuple[float, str]:
    return (req.max, "max") if req.max is not None else (req.min, "min")


def _unit_issue(kpi: str, bound: float, sense: str) -> str | None:
    base = kpi.partition("[")[0]
    unit = KPI_INFO.get(base, ("", "", ""))[1]
    if unit == "share" and not 0 <= bound <= 1:
        guess = f"; did you mean {bound / 100:g}?" if 1 < bound <= 100 else ""
        return (
            f"{sense}: {bound:g} is outside [0, 1]: {base} is a share, written as a fraction "
            f"(0.95 = 95 %){guess}"
        )
    if unit == "min" and base != "queue_wait_mean_min" and not 1 <= bound <= DAY_MINUTES:
        hint = f"; did you mean {bound * 60:g} (hours written as minutes)?" if 0 < bound < 1 else ""
        return (
            f"{sense}: {bound:g} is not a sensible wait: minutes are the unit, and a bound "
            f"under 1 minute or over a day ({DAY_MINUTES}) cannot be meant{hint}"
        )
    return None


def chain_floor_days(scenario: Scenario, matter: Matter, every_case: bool = False) -> float:
    """Working days a case of ``matter`` takes with no queueing at all: its steps' mean times
    (in the working day of the step's pool) and calendar delays (as working days), parallel
    branches taking the longest. ``every_case``: the calendar delays alone, which no case
    can avoid (a floor for percentiles too). Commitment decisions are made at acceptance."""
    if matter.commitment.eligible:
        return 0.0
    workdays_share = len(scenario.calendar.workdays) / 7
    total = 0.0
    for item in matter.chain:
        longest = 0.0
        for step in branches(item):
            if isinstance(step, DelayStep):
                days = step.delay_days * workdays_share
            elif every_case:
                days = 0.0
            else:
                pool = scenario.pools.get(step.pool)
                spans = (pool.shift_spans if pool else None) or scenario.calendar.open_spans
                minutes = sum(end - start for start, end in spans) or DAY_MINUTES
                days = step.time.expected() / minutes
            longest = max(longest, days)
        total += longest
    return total


def _floor(scenarios: Sequence[Scenario], kpi: str, matter: str | None) -> float:
    """The lowest floor over the scenarios the search can reach (pooled: the lowest matter)."""
    every_case = kpi.startswith("lead_time_p90")
    floors = []
    for sc in scenarios:
        matters = [m for m in sc.matters if matter is None or m.id == matter]
        floors += [chain_floor_days(sc, m, every_case) for m in matters]
    return min(floors, default=0.0)


def requirement_issues(
    requirements: Iterable[Any], reachable: Sequence[Scenario], prefix: str = "requirements"
) -> list[Issue]:
    """Bounds that cannot be meant (units) or cannot be met by any scenario in ``reachable``
    (the baseline, and for portfolios the reformed variants); ``Issue`` lines are added by
    the caller's ``file_error``."""
    issues = []
    for i, req in enumerate(requirements):
        bound, sense = _bound(req)
        where = f"{prefix}[{i}].{sense}"
        problem = _unit_issue(req.kpi, bound, sense)
        if problem:
            issues.append(Issue(where, problem))
            continue
        base = req.kpi.partition("[")[0]
        if base in LEAD_KPIS and sense == "max" and reachable:
            floor = _floor(reachable, base, req.matter)
            if bound < floor:
                what = f"matter {req.matter}" if req.matter else "every matter"
                issues.append(
                    Issue(
                        where,
                        f"max: {bound:g} working days cannot be reached: for {what} the chain "
                        f"alone takes at least {floor:.2f} working days with no queueing "
                        "(step times and calendar delays); more officers cannot shorten that",
                    )
                )
    return issues


def budget_issues(budgets: Sequence[float], costs: dict[str, float]) -> list[Issue]:
    """A budget below the cheapest variant: only the empty portfolio would fit it."""
    if not costs:
        return []
    cheapest = min(costs, key=lambda v: costs[v])
    low = [b for b in budgets if b < costs[cheapest]]
    if not low:
        return []
    listed = ", ".join(f"{b:,.0f}" for b in low)
    return [
        Issue(
            "portfolio.budget",
            f"budget {listed} is below the cheapest reform ('{cheapest}', "
            f"{costs[cheapest]:,.0f}): no reform fits, and the search would only confirm the "
            "baseline",
        )
    ]


def study_issues(requirements: Iterable[Any], budgets: Sequence[float], study: Any) -> list[Issue]:
    """Every check for a portfolio file on its study: the scenarios reachable are the
    baseline, each variant alone and all variants together (where they compose)."""
    from simlib.reforms import apply_reforms

    reachable = [study.baseline]
    everything: list[Any] = []
    for reforms in study.variants.values():
        reachable.append(apply_reforms(study.baseline, reforms))
        everything += reforms
    with contextlib.suppress(ValueError):  # reforms that may not compose
        reachable.append(apply_reforms(study.baseline, everything))
    costs = {v: study.cost_of(v).cost for v in study.variants}
    return requirement_issues(requirements, reachable) + budget_issues(budgets, costs)

"""How big a run would be, estimated from the scenario before running (see simlib.limits).

The estimate is an upper bound from the rates: arrivals per hour over every hour of the day
(online applicants may come at any time), or arrivals per day times the largest weekday
factor, times the demand factor, over the whole horizon and the longest drain after it
(arrivals go on while the cohort is drained).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.limits import over

if TYPE_CHECKING:
    from simlib.scenario.model import Scenario

__all__ = ["estimated_arrivals", "size_issues"]


def estimated_arrivals(scenario: Scenario) -> float:
    """An upper bound on the applicants one run creates."""
    days = scenario.horizon.days + scenario.horizon.drain_days
    total = 0.0
    for m in scenario.matters:
        spec = m.arrivals
        peak = max([1.0, *spec.weekday_factors.values()])
        per_day = spec.per_hour * 24 if spec.per_hour is not None else (spec.per_day or 0.0)
        total += per_day * peak * days
    return total * scenario.demand_factor


def size_issues(scenario: Scenario) -> list[tuple[str, str]]:
    """(path, message) for every size over its limit; empty when the run fits."""
    issues: list[tuple[str, str]] = []
    message = over("days", scenario.horizon.days, "horizon.days")
    if message:
        issues.append(("horizon.days", message))
        return issues  # the arrival estimate would only repeat it
    longest = scenario.horizon.days + scenario.horizon.drain_days
    message = over("days", longest, "horizon.days + horizon.drain_days (the longest run)")
    if message:
        issues.append(("horizon.drain_days", message))
        return issues
    for pid, pool in scenario.pools.items():
        message = over("officers", pool.count, f"the number of officers in pool '{pid}'")
        if message:
            issues.append((f"pools.{pid}.count", message))
    arrivals = estimated_arrivals(scenario)
    message = over("arrivals", arrivals, "the estimated number of arrivals in one run")
    if message:
        advice = "; lower the rates, demand_factor, horizon.days or horizon.drain_days"
        issues.append(("matters", message + advice))
    return issues

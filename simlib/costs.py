"""What a reform costs: one-off money and running officer-hours per working day.

A study variant may state its ``officer_hours`` (DESIGN §8). When it does not, and its
reforms change pool counts, the running cost is *derived*: the change in officers times
the hours each officer of that pool is on duty per working day (the pool's ``hours`` or
the opening hours). Where pools have ``cost_per_hour`` the hours are priced too. Every
figure says where it came from (``officer_hours_source``), so nothing is silently assumed.
Study files and experiments both use it, so it stands below both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from simlib.duty import pool_hours
from simlib.scenario.model import Scenario

__all__ = ["VariantCost", "portfolio_cost", "staff_hours_change", "variant_cost"]

GIVEN = "given"
DERIVED = "derived from staff changes"
NONE = "none"


@dataclass(frozen=True)
class VariantCost:
    """One-off ``cost`` and running ``officer_hours`` per working day of a variant."""

    cost: float = 0.0
    officer_hours: float = 0.0
    officer_hours_source: str = NONE  # "given", "derived from staff changes" or "none"
    running_cost_per_day: float | None = None  # officer-hours priced at cost_per_hour

    def as_row(self) -> dict[str, float | str | None]:
        return {
            "cost": self.cost,
            "officer_hours": self.officer_hours,
            "officer_hours_source": self.officer_hours_source,
            "running_cost_per_day": self.running_cost_per_day,
        }


def staff_hours_change(baseline: Scenario, reformed: Scenario) -> tuple[float, float | None]:
    """Officer-hours per working day added by ``reformed`` over ``baseline`` (officers on
    duty x hours, shifts, shift days and weekday hours included: :mod:`simlib.duty`), and
    their price per day (None when a changed pool has no cost_per_hour)."""
    hours, money, priced = 0.0, 0.0, True
    for pool_id in set(baseline.pools) | set(reformed.pools):
        before = pool_hours(baseline, pool_id) if pool_id in baseline.pools else 0.0
        after = pool_hours(reformed, pool_id) if pool_id in reformed.pools else 0.0
        if after == before:
            continue
        hours += after - before
        owner = reformed.pools.get(pool_id) or baseline.pools[pool_id]
        if owner.cost_per_hour is None:
            priced = False
        else:
            money += (after - before) * owner.cost_per_hour
    return hours, (money if priced else None)


def variant_cost(
    baseline: Scenario, reformed: Scenario, cost: float = 0.0, officer_hours: float | None = None
) -> VariantCost:
    """The variant's costs: stated officer-hours win; otherwise derived from staff changes."""
    if officer_hours is not None:
        return VariantCost(cost, officer_hours, GIVEN, _priced(baseline, officer_hours))
    hours, money = staff_hours_change(baseline, reformed)
    if hours == 0 and money in (0.0, None):
        return VariantCost(cost, 0.0, NONE, 0.0)
    return VariantCost(cost, hours, DERIVED, money)


def _priced(baseline: Scenario, hours: float) -> float | None:
    """Stated hours priced when every pool has the same cost_per_hour (else unknown)."""
    if hours == 0:
        return 0.0
    rates = {p.cost_per_hour for p in baseline.pools.values()}
    rate = rates.pop() if len(rates) == 1 else None
    return hours * rate if rate is not None else None


def portfolio_cost(
    baseline: Scenario,
    combined: Scenario,
    costs: Mapping[str, VariantCost],
    names: Iterable[str],
    staff_only: Scenario | None = None,
) -> VariantCost:
    """Costs of several variants together: one-off costs add; stated officer-hours add;
    staff changes are derived once from ``staff_only`` (the portfolio without the variants
    whose hours are stated; default ``combined``), so two reforms setting one pool's count
    are not counted twice."""
    names = list(names)
    cost = sum(costs[n].cost for n in names)
    given = [costs[n] for n in names if costs[n].officer_hours_source == GIVEN]
    hours = sum(c.officer_hours for c in given)
    money: float | None = sum(c.running_cost_per_day or 0.0 for c in given)
    if any(c.running_cost_per_day is None for c in given):
        money = None
    derived_hours, derived_money = staff_hours_change(baseline, staff_only or combined)
    hours += derived_hours
    if derived_hours:
        money = None if money is None or derived_money is None else money + derived_money
    source = DERIVED if derived_hours else GIVEN if given else NONE
    if derived_hours and given:
        source = f"{GIVEN} + {DERIVED}"
    return VariantCost(cost, hours, source, money)

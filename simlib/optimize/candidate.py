"""A candidate staffing: officer levels and shifts, applied to the base scenario.

By-hour decisions are searched as officers per open clock hour; a candidate realises them
either as one-hour shifts (while searching: exactly the hourly numbers) or as the cheapest
covering shifts (:mod:`simlib.optimize.shifts`, what a hall can roster).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simlib import duty
from simlib.optimize.shifts import (
    Pattern,
    cover,
    generate_patterns,
    pattern_from_hours,
    roster,
    roster_patterns,
)
from simlib.optimize.spec import ByHour
from simlib.scenario.model import Scenario
from simlib.timekeeping import HallCalendar

__all__ = ["Candidate", "apply", "officer_hours", "realise"]

Shifts = tuple[tuple[tuple[str, ...], int], ...]  # (hours, officers) per shift


@dataclass(frozen=True)
class Candidate:
    levels: tuple[tuple[str, int], ...] = ()
    hourly: tuple[tuple[str, tuple[int, ...]], ...] = ()  # officers needed per open hour
    shifts: tuple[tuple[str, Shifts], ...] = ()  # how the hourly numbers are rostered
    templates: tuple[tuple[str, int], ...] = ()  # bookable places per slot, per matter

    def key(self) -> str:
        key: dict[str, Any] = {"levels": self.levels, "shifts": self.shifts}
        if self.templates:  # staffing-only keys stay as they were (--resume)
            key["templates"] = self.templates
        return json.dumps(key)

    @property
    def places(self) -> int:
        """Bookable places per slot over the decided templates (more is better)."""
        return sum(n for _, n in self.templates)

    def decisions(self, hours: list[int]) -> dict[str, Any]:
        """The decisions as a planner reads them (JSON-ready)."""
        out: dict[str, Any] = {f"pools.{p}.count": n for p, n in self.levels}
        out.update({f"matters.{m}.appointments.template": n for m, n in self.templates})
        needs = dict(self.hourly)
        for pool, shifts in self.shifts:
            out[f"pools.{pool}.shifts"] = {
                "by_hour": {f"{h:02d}": n for h, n in zip(hours, needs[pool], strict=True)},
                "shifts": [
                    {"hours": list(hrs), "count": n, **roster(list(hrs))} for hrs, n in shifts
                ],
            }
        return out


def realise(
    scenario: Scenario,
    decisions: list[ByHour],
    hours: list[int],
    needs: dict[str, tuple[int, ...]],
    covered: bool,
) -> tuple[tuple[str, Shifts], ...]:
    """Shifts for the hourly needs: one-hour shifts, or the cheapest covering patterns."""
    cal = HallCalendar(scenario.calendar, 7, scenario.hall.ticket_cutoff)
    out = []
    for d in decisions:
        need = needs[d.pool]
        if not covered:
            out.append((d.pool, _layered(need, hours, cal.hours)))
            continue
        if d.patterns:
            patterns = [Pattern(list(p), cal.hours) for p in d.patterns]
        elif d.rule is not None:
            patterns = roster_patterns(cal.hours, d.rule)
        else:
            patterns = [
                Pattern(p, cal.hours) for p in generate_patterns(cal.hours, d.shift_lengths)
            ]
        price = scenario.pools[d.pool].cost_per_hour or 1.0
        cap = d.rule.part_time_share if d.rule is not None else None
        part_time = (d.rule.full_time, cap) if d.rule is not None and cap is not None else None
        chosen = cover(dict(zip(hours, need, strict=True)), patterns, price / 60, part_time)
        out.append((d.pool, tuple((tuple(p.hours), n) for p, n in chosen)))
    return tuple(out)


def _layered(need: tuple[int, ...], hours: list[int], opening: list[tuple[int, int]]) -> Shifts:
    """Exactly ``need[h]`` officers in every hour, each officer on as long as possible
    (the k-th officer works every run of hours needing at least k): no artificial hand-over
    at every hour, which would add the leaving officers' last services as capacity."""
    runs: dict[tuple[str, ...], int] = {}
    for k in range(1, max(need, default=0) + 1):
        i = 0
        while i < len(hours):
            if need[i] < k:
                i += 1
                continue
            j = i
            while j + 1 < len(hours) and need[j + 1] >= k:  # a lunch break does not cut
                j += 1
            span = pattern_from_hours(hours[i] * 60, (hours[j] + 1) * 60, opening)
            if span:
                runs[tuple(span)] = runs.get(tuple(span), 0) + 1
            i = j + 1
    return tuple(runs.items())


def apply(base: Scenario, candidate: Candidate) -> Scenario:
    """The base scenario with the candidate's officers (validated like a file)."""
    data = base.model_dump()
    for pool, n in candidate.levels:
        data["pools"][pool]["count"] = n
    for mid, n in candidate.templates:
        matter = next(m for m in data["matters"] if m["id"] == mid)
        matter["appointments"]["template"] = n
    for pool, shifts in candidate.shifts:
        entry = data["pools"][pool]
        entry.pop("count", None)
        entry.pop("hours", None)
        if shifts:
            entry["shifts"] = [{"hours": list(h), "count": n} for h, n in shifts]
        else:  # nobody at all: one empty shift keeps the pool valid
            entry["shifts"] = [{"count": 0}]
    return Scenario.model_validate(data)


def officer_hours(scenario: Scenario, cost: bool = False, pools: set[str] | None = None) -> float:
    """Officer-hours on shift per working day (mean over two weeks), or their cost; of the
    given ``pools`` only, or of the whole hall."""
    return duty.officer_hours(scenario, cost, pools)

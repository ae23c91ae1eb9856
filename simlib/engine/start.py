"""What every run starts from, on either engine: its calendar (horizon plus drain), its
empty records, and the drain's stopping rule — one definition, so the SimPy engine and the
hall kernel write the same records."""

from __future__ import annotations

from typing import Literal

from simlib.engine.records import Records
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY, HallCalendar

__all__ = ["QUIET_TAIL", "hall_calendar", "new_records"]

QUIET_TAIL = 0.01  # share of the cohort still open below which arrivals stop in the drain


def hall_calendar(scenario: Scenario) -> HallCalendar:
    """The calendar of a run: the horizon plus the drain."""
    days = scenario.horizon.days + scenario.horizon.drain_days
    return HallCalendar(scenario.calendar, days, scenario.hall.cutoff_minute)


def new_records(
    scenario: Scenario, calendar: HallCalendar, detail: Literal["full", "kpi"]
) -> Records:
    """The empty records of a run of ``scenario`` (both engines write the same ones)."""
    pool_ids = list(scenario.pools)
    return Records(
        detail=detail,
        warmup=scenario.horizon.warmup_days * DAY,
        horizon=scenario.horizon.days * DAY,
        matters=[m.id for m in scenario.matters],
        pools=pool_ids,
        activities=["acceptance", "collection"],
        time_limits={m.id: m.time_limit_days for m in scenario.matters},
        commitment_matters={m.id for m in scenario.matters if m.commitment.eligible},
        calendar=calendar,
        pool_hours={pid: scenario.pool_spans(pid) for pid in pool_ids},
        wait_target=scenario.hall.wait_target_min,
        travel=scenario.hall.travel_min,
        cap=(scenario.horizon.days + scenario.horizon.drain_days) * DAY,
    )

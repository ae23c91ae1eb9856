"""Pre-run checks: things that are legal but probably not what the planner meant.

``simlib validate`` prints these as warnings (exit status 0). They are estimates from the
scenario's means (offered load = arrival rate x visits x mean service time), compared with
the officers on shift; :mod:`simlib.theory` gives the expected wait where it applies.
"""

from __future__ import annotations

from collections import defaultdict

from simlib import theory
from simlib.duty import pool_hours
from simlib.engine.arrivals import rate_segments
from simlib.engine.calendar import DAY, HallCalendar
from simlib.engine.model import simulate
from simlib.scenario.model import WEEKDAYS, Scenario, Step, parse_hours
from simlib.warmup import suggested_warmup_days, warmup_warning

__all__ = ["warmup_check", "warnings_for"]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> float:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _chain_work(matter) -> dict[str, float]:
    """Mean officer minutes per decided case, by pool, including rework repeats."""
    work: dict[str, float] = defaultdict(float)
    for step in matter.steps():
        if isinstance(step, Step):
            work[step.pool] += step.time.expected() / (1 - step.rework_prob)
    return work


def _sum_by_hour(by_pool: dict[str, dict[float, float]]) -> dict[float, float]:
    total: dict[float, float] = defaultdict(float)
    for loads in by_pool.values():
        for hour, x in loads.items():
            total[hour] += x
    return total


def warnings_for(scenario: Scenario) -> list[str]:
    """Human-readable warnings; an empty list when nothing looks off."""
    out: list[str] = []
    days = min(scenario.horizon.days, 7)
    cal = HallCalendar(scenario.calendar, days, scenario.hall.cutoff_minute)
    opening = scenario.calendar.open_spans
    # Per pool, its crews: (officers, daily spans, weekdays or None for every workday).
    crews = {
        pid: [
            (x.count, parse_hours(list(x.hours or scenario.calendar.hours)), x.days)
            for x in p.crews()
        ]
        for pid, p in scenario.pools.items()
    }
    shifts = {
        pid: sorted(span for _, spans, _ in cs for span in spans) for pid, cs in crews.items()
    }
    used_by: dict[str, list[str]] = defaultdict(list)

    for i, m in enumerate(scenario.matters):
        used_by[m.acceptance.pool].append(f"matters[{i}].acceptance")
        for step in m.steps():
            if isinstance(step, Step):
                used_by[step.pool].append(f"matters[{i}] step '{step.id}'")
        spec = m.arrivals
        if spec.profile:
            open_hours = {h for s, e in cal.ticket_hours for h in range(s // 60, (e + 59) // 60)}
            lost = sorted(k for k, w in spec.profile.items() if w > 0 and int(k) not in open_hours)
            if lost:
                out.append(
                    f"matters[{i}].arrivals.profile: hours {', '.join(lost)} are outside "
                    "ticket hours; their weight goes to the open hours instead"
                )
        closed = [
            d
            for d, f in spec.weekday_factors.items()
            if f > 0 and d not in scenario.calendar.workdays
        ]
        if closed:
            out.append(
                f"matters[{i}].arrivals.weekday_factors: {', '.join(closed)} "
                "is not a workday; nobody can walk in then"
            )

    for pid, users in used_by.items():
        if _overlap(shifts[pid], opening) == 0:
            out.append(
                f"pools.{pid}: no officer is on shift during opening hours, "
                f"yet it serves {users[0]}"
            )

    # Window load, hour by hour of the first week: arrivals x visits x mean time.
    hall_load: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    hall_visits: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    daily_work: dict[str, float] = defaultdict(float)
    for m in scenario.matters:
        visits = 1 / m.complete_prob
        walk_in = 1 - m.online_share
        per_visit = m.acceptance.time.expected()
        collect = m.collection_time.expected() if m.collection == "in_person" else 0.0
        chain = _chain_work(m)
        for start, end, rate in rate_segments(m.arrivals, cal, scenario.demand_factor):
            t = start
            while t < end:
                hour = t // 60 * 60
                nxt = min(end, hour + 60)
                arrivals = rate * (nxt - t)
                hall_load[m.acceptance.pool][hour] += arrivals * (
                    walk_in * visits * per_visit + collect
                )
                hall_visits[m.acceptance.pool][hour] += arrivals * (
                    walk_in * visits + (m.collection == "in_person")
                )
                daily_work[m.acceptance.pool] += arrivals * (1 - walk_in) * visits * per_visit
                for pool, minutes in chain.items():
                    daily_work[pool] += arrivals * minutes
                t = nxt
    if scenario.hall.mode == "comprehensive":
        key = "+".join(hall_load)
        hall_load, hall_visits = ({key: _sum_by_hour(d)} for d in (hall_load, hall_visits))
    for pools, loads in hall_load.items():
        worst = max(loads, key=lambda hour: loads[hour], default=None)
        if worst is None:
            continue
        officers = 0.0
        for pid in pools.split("+"):
            staff = scenario.pools[pid]
            weekday = WEEKDAYS[cal.weekday[int(worst // DAY)]]
            clock_hour = [(int(worst % DAY), int(worst % DAY) + 60)]
            on_shift = sum(
                n * _overlap(spans, clock_hour) / 60
                for n, spans, days in crews[pid]
                if days is None or weekday in days
            )
            officers += on_shift * (1 - staff.absence.daily_prob)
        offered = loads[worst] / 60  # officers' worth of work in that hour
        day = WEEKDAYS[cal.weekday[int(worst // DAY)]]
        when = f"{day} {int(worst % DAY) // 60:02d}:00"
        if offered >= officers:
            out.append(
                f"pools.{pools}: in the busiest hour ({when}) the offered load is {offered:.1f} "
                f"officers' worth of work on {officers:.1f} on shift: the queue will grow all hour"
            )
        elif offered > 0 and officers >= 1 and offered / officers > 0.9:
            c = max(1, round(officers))
            visits = hall_visits[pools][worst]
            mean_service = loads[worst] / visits
            lam = visits / 60
            wait = theory.mmc_mean_wait(lam, 1 / mean_service, c) if offered < c else float("inf")
            out.append(
                f"pools.{pools}: the busiest hour ({when}) runs at {offered / officers:.0%} of "
                f"capacity; Erlang C expects a mean wait near {wait:.0f} min then"
            )
    workdays = max(1, len(cal.workdays()))
    for pid, minutes in daily_work.items():
        staff = scenario.pools[pid]
        officer_minutes = 60 * pool_hours(scenario, pid)  # one definition: simlib.duty
        capacity = (1 - staff.absence.daily_prob) * officer_minutes
        per_day = minutes / workdays
        if capacity > 0 and per_day >= capacity:
            out.append(
                f"pools.{pid}: back-office work of {per_day:.0f} officer-minutes a day exceeds the "
                f"{capacity:.0f} available: its backlog will grow without bound"
            )
    return out


def warmup_check(scenario: Scenario, seed: int | None = None) -> list[str]:
    """Run the scenario once over its horizon (no drain) and check its warm-up with MSER-5
    on the daily back-office backlog: ``[warning]`` if it looks too short, else ``[]``."""
    quick = scenario.model_copy(
        update={"horizon": scenario.horizon.model_copy(update={"drain_days": 0})}
    )
    records = simulate(quick, seed, detail="kpi")
    days, at_edge = suggested_warmup_days(records.daily_backlog, records.backlog_days)
    warning = warmup_warning([days], scenario.horizon.warmup_days)
    if warning and at_edge:
        warning += " (the backlog was still changing at mid-horizon: lengthen the horizon too)"
    return [warning] if warning else []

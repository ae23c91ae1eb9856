"""Pre-run checks: things that are legal but probably not what the planner meant.

``simlib validate`` prints these as warnings (exit status 0). They are estimates from the
scenario's means (offered load = arrival rate x visits x mean service time), compared with
the officers on shift; :mod:`simlib.theory` gives the expected wait where it applies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from simlib import theory
from simlib.duty import officers_present, pool_hours
from simlib.engine.model import simulate
from simlib.scenario.chain import step_shares
from simlib.scenario.model import WEEKDAYS, Scenario, Step, parse_hours
from simlib.timekeeping import DAY, HallCalendar, rate_segments
from simlib.warmup import suggested_warmup_days, warmup_warning

__all__ = ["warmup_check", "warnings_for"]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> float:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _chain_work(matter: Any) -> dict[str, float]:
    """Mean officer minutes per decided case, by pool, including rework repeats and the
    share of cases taking optional steps."""
    work: dict[str, float] = defaultdict(float)
    shares = step_shares(matter.chain)
    for step in matter.steps():
        if isinstance(step, Step):
            work[step.pool] += shares[step.id] * step.time.expected() / (1 - step.rework_prob)
    return work


def _sum_by_hour(by_pool: dict[str, dict[float, float]]) -> dict[float, float]:
    total: dict[float, float] = defaultdict(float)
    for loads in by_pool.values():
        for hour, x in loads.items():
            total[hour] += x
    return total


LONG_WAIT = 60.0  # minutes: a peak wait the load check reports even without reneging


def _clock(minute: float) -> str:
    return f"{int(minute % DAY) // 60:02d}:00"


def _hall_day(
    pools: str,
    loads: dict[float, float],
    tickets: dict[float, float],
    reneging: dict[float, float],
    on_shift: Callable[[str, float], float],
    worst: float,
    when: str,
) -> list[str]:
    """The busiest day of a window pool, hour by hour, as a fluid queue that counts
    reneging: work waiting grows by the offered load less the officers on shift, and each
    waiting applicant gives up at the rate 1 / mean patience. A peak the hall works off
    within the day is normal; a warning is given when the queue is still there at closing,
    or when waits in the peak reach an hour or the applicants' mean patience.
    Steady hours near capacity get Erlang A's (or, without reneging, Erlang C's) mean wait."""
    day = int(worst // DAY)
    every_hour = (day * DAY + 60 * i for i in range(24))
    hours = [h for h in every_hour if loads.get(h, 0.0) > 0 or on_shift(pools, h) > 0]
    queue, peak, peak_at, over = 0.0, 0.0, hours[0], []  # queue in officer-minutes of work
    out: list[str] = []
    total = sum(tickets.get(h, 0.0) for h in hours)
    # reneging rate per waiting applicant, per minute (the day's mix of matters)
    theta = sum(reneging.get(h, 0.0) for h in hours) / total if total else 0.0
    for h in hours:
        officers = on_shift(pools, h)
        offered = loads.get(h, 0.0) / 60
        visits = tickets.get(h, 0.0)
        if offered > officers:
            over.append(h)
        # an hour of the fluid queue, reneging as exponential decay of the waiting work
        net = (offered - officers) * 60
        if theta > 0:
            decay = math.exp(-theta * 60)
            queue = max(0.0, queue * decay + net * (1 - decay) / (theta * 60))
        else:
            queue = max(0.0, queue + net)
        wait = queue / officers if officers > 0 else math.inf
        if wait > peak:
            peak, peak_at = wait, h
        if offered < officers and officers >= 1 and offered / officers > 0.9 and not over:
            c = max(1, round(officers))
            mean_service = loads[h] / visits if visits else 0.0
            if mean_service > 0 and offered < c:
                lam, mu = visits / 60, 1 / mean_service
                steady = (
                    theory.erlang_a(lam, mu, theta, c)["mean_wait"]
                    if theta > 0
                    else theory.mmc_mean_wait(lam, mu, c)
                )
                out.append(
                    f"pools.{pools}: {_clock(h)} runs at {offered / officers:.0%} of capacity; "
                    f"Erlang {'A' if theta > 0 else 'C'} expects a mean wait near "
                    f"{steady:.0f} min then"
                )
                break
    patience = 1 / theta if theta > 0 else math.inf
    if over and (queue > 1.0 or peak >= min(patience, LONG_WAIT)):
        why = (
            f"the queue is still there at closing ({queue / 60:.1f} officer-hours of work)"
            if queue > 1.0
            else f"waits near {peak:.0f} min by {_clock(peak_at + 60)}"
            + (
                f", the applicants' mean patience ({patience:.0f} min): many will give up"
                if peak >= patience
                else ""
            )
        )
        out.append(
            f"pools.{pools}: in the busiest hour ({when}) the offered load is "
            f"{loads[worst] / 60:.1f} officers' worth of work on {on_shift(pools, worst):.1f} on "
            f"shift; counting returns and reneging, {why}"
        )
    return out


def warnings_for(scenario: Scenario) -> list[str]:
    """Human-readable warnings; an empty list when nothing looks off."""
    days = min(scenario.horizon.days, 7)
    cal = HallCalendar(scenario.calendar, days, scenario.hall.cutoff_minute)
    out = _arrival_warnings(scenario, cal)
    out += _idle_pool_warnings(scenario)
    hall_load, hall_visits, renege_rate, daily_work = _offered_work(scenario, cal)

    def on_shift(pools: str, when: float) -> float:
        """Officers of ``pools`` present in the clock hour starting at ``when``."""
        return officers_present(scenario, pools.split("+"), when, when + 60, cal)

    for pools, loads in hall_load.items():
        worst = max(loads, key=lambda hour: loads[hour], default=None)
        if worst is None:
            continue
        when = f"{WEEKDAYS[cal.weekday[int(worst // DAY)]]} {_clock(worst)}"
        out += _hall_day(
            pools, loads, hall_visits[pools], renege_rate[pools], on_shift, worst, when
        )
    return out + _backlog_warnings(scenario, cal, daily_work)


def _arrival_warnings(scenario: Scenario, cal: HallCalendar) -> list[str]:
    """Arrivals the calendar cannot take: profile hours outside ticket hours, weekday
    factors on days that are not workdays."""
    out: list[str] = []
    for i, m in enumerate(scenario.matters):
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
    return out


def _idle_pool_warnings(scenario: Scenario) -> list[str]:
    """Pools that serve a step but have nobody on shift during opening hours."""
    used_by: dict[str, list[str]] = defaultdict(list)
    for i, m in enumerate(scenario.matters):
        used_by[m.acceptance.pool].append(f"matters[{i}].acceptance")
        for step in m.steps():
            if isinstance(step, Step):
                used_by[step.pool].append(f"matters[{i}] step '{step.id}'")
    opening = scenario.calendar.open_spans
    out = []
    for pid, users in used_by.items():
        shifts = sorted(
            span
            for x in scenario.pools[pid].crews()
            for hours in [x.hours or scenario.calendar.hours, *x.hours_by_weekday.values()]
            for span in parse_hours(list(hours))
        )
        if _overlap(shifts, opening) == 0:
            out.append(
                f"pools.{pid}: no officer is on shift during opening hours, "
                f"yet it serves {users[0]}"
            )
    return out


ByHour = dict[str, dict[float, float]]


def _offered_work(
    scenario: Scenario, cal: HallCalendar
) -> tuple[ByHour, ByHour, ByHour, dict[str, float]]:
    """Window load, hour by hour of the first week: arrivals x visits x mean time (visits
    count the returns of incomplete files, 1 / complete_prob), tickets and the reneging
    rate by window pool and hour, and the back-office work per pool over the week."""
    hall_load: ByHour = defaultdict(lambda: defaultdict(float))
    hall_visits: ByHour = defaultdict(lambda: defaultdict(float))
    renege_rate: ByHour = defaultdict(lambda: defaultdict(float))
    daily_work: dict[str, float] = defaultdict(float)
    for m in scenario.matters:
        visits = 1 / m.complete_prob
        walk_in = 1 - m.online_share
        per_visit = m.acceptance.time.expected()
        collect = m.collection_time.expected() if m.collection == "in_person" else 0.0
        chain = _chain_work(m)
        patience = m.patience or scenario.hall.patience
        theta = 0.0 if patience is None else 1 / max(patience.expected(), 1e-9)
        for start, end, rate in rate_segments(m.arrivals, cal, scenario.demand_factor):
            t = start
            while t < end:
                hour = t // 60 * 60
                nxt = min(end, hour + 60)
                arrivals = rate * (nxt - t)
                hall_load[m.acceptance.pool][hour] += arrivals * (
                    walk_in * visits * per_visit + collect
                )
                tickets = arrivals * (walk_in * visits + (m.collection == "in_person"))
                hall_visits[m.acceptance.pool][hour] += tickets
                renege_rate[m.acceptance.pool][hour] += tickets * theta
                daily_work[m.acceptance.pool] += arrivals * (1 - walk_in) * visits * per_visit
                for pool, minutes in chain.items():
                    daily_work[pool] += arrivals * minutes
                t = nxt
    if scenario.hall.mode == "comprehensive":
        key = "+".join(hall_load)
        hall_load, hall_visits, renege_rate = (
            {key: _sum_by_hour(d)} for d in (hall_load, hall_visits, renege_rate)
        )
    return hall_load, hall_visits, renege_rate, daily_work


def _backlog_warnings(
    scenario: Scenario, cal: HallCalendar, daily_work: dict[str, float]
) -> list[str]:
    """Back-office pools whose daily work exceeds the officer-minutes on duty."""
    out = []
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


def warmup_days(scenario: Scenario, seed: int) -> dict[str, float]:
    """The measure of :func:`warmup_check`'s run (through the run core): MSER-5's warm-up
    on the daily back-office backlog, and whether it sits at the edge of the horizon."""
    records = simulate(scenario, seed, detail="kpi")
    days, at_edge = suggested_warmup_days(records.daily_backlog, records.backlog_days)
    return {"warmup_days": float(days), "at_edge": float(at_edge)}


def warmup_check(scenario: Scenario, seed: int | None = None) -> list[str]:
    """Run the scenario once over its horizon (no drain) and check its warm-up with MSER-5
    on the daily back-office backlog: ``[warning]`` if it looks too short, else ``[]``."""
    from simlib.experiment.core import Job, evaluate

    quick = scenario.model_copy(
        update={"horizon": scenario.horizon.model_copy(update={"drain_days": 0})}
    )
    (row,) = evaluate([Job(quick, scenario.seed if seed is None else seed)], run=warmup_days)
    if row["error"] is not None:
        return [f"the warm-up check could not run the scenario: {row['error']}"]
    warning = warmup_warning([row["warmup_days"]], scenario.horizon.warmup_days)
    if warning and row["at_edge"]:
        warning += " (the backlog was still changing at mid-horizon: lengthen the horizon too)"
    return [warning] if warning else []

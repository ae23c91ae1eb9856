"""KPIs from the records of one run (DESIGN §7), pooled, per matter and per clock hour.

Conventions, so that every number has one meaning:

* Case KPIs (lead time, on-time, visits) are measured on the *cohort*: the cases that
  arrived between the end of warm-up and the horizon. The run goes on after the horizon
  (arrivals too, so queues stay realistic) until every cohort case is decided and
  collected, or until ``horizon.drain_days`` have passed (the cap). ``undecided_rate`` is
  the share of the cohort still open then (neither decided nor given up).
* Lead times of undecided cases are right-censored at the end of the run: they enter the
  lead-time mean and 90th percentile with the working days they had been open by then, a
  lower bound of their true lead time. So the mean is exact when ``undecided_rate`` is 0
  and a lower bound otherwise, and the 90th percentile is exact while the undecided are
  fewer than 10 % and were open longer than it. An undecided case already open longer than
  its time limit counts as late in ``on_time_rate``; one that is not (only possible with a
  short cap) is left out, since nobody can know yet. ``visits_per_case`` is over decided
  cases (collection visits included: the drain waits for them), and so is
  ``applicant_hours_per_case``: the applicant's time at the hall (from ticket to the end of
  service, or to giving up) plus ``hall.travel_min`` for every visit, visits to a
  department for an ``applicant_visit`` step included (their travel only).
* ``throughput_per_day`` counts decisions made between warm-up and the horizon per
  working day; pool KPIs (utilisation, waits for an officer) are measured in the same window.
* Hall waits are per call: walk-in tickets (submission, return, collection) issued between
  warm-up and the horizon and called by an officer. ``abandon_rate`` and
  ``hall_service_level`` (called within ``hall.wait_target_min``) are over all such
  tickets: a ticket that reneged, was sent home or is still waiting was not called in time.
  ``balk_rate`` is the share of applicants at the display (tickets drawn plus balks) who
  left without a ticket (``hall.balking``); a balk is a visit but not a ticket.
* Per matter: the same definitions restricted to the matter's cases and their tickets, so
  that a pooled KPI is the case- (or call-) weighted mean of the per-matter ones.
  Per hour: hall tickets by the clock hour at which the ticket was drawn.
* Overload is reported, not hidden: ``backlog_cases`` (cases open at the horizon) and
  ``backlog_tickets`` (hall tickets still waiting then) are the open backlog, and
  ``unstable`` is 1 for a run whose officers of some pool were busy all the time they were
  there (utilisation >= ``SATURATED``) or whose cohort was not decided by the cap (more
  than ``UNDECIDED_LIMIT`` of it): its KPIs describe a queue that is still growing and
  would be worse with a longer horizon.
* A KPI with nothing to measure (no time limits, no commitment matters) is NaN, not 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.engine.records import OUTCOMES, STATUSES, VISIT_KINDS, Records
from simlib.timekeeping import DAY
from simlib.warmup import suggested_warmup_days

if TYPE_CHECKING:
    from simlib.scenario.model import Scenario

__all__ = [
    "CASE_KPIS",
    "DAY_KPIS",
    "HOUR_KPIS",
    "KPI_INFO",
    "KPI_NAMES",
    "MATTER_KPIS",
    "POOL_KPIS",
    "flatten",
    "hall_kpis_by_day_hour",
    "kpi_info",
    "kpi_row",
    "kpis",
    "kpis_by_day",
    "kpis_by_hour",
    "kpis_by_matter",
    "overload_warning",
]

CASE_KPIS = (
    "cases_arrived",
    "cases_completed",
    "throughput_per_day",
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "hall_service_level",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "undecided_rate",
    "visits_per_case",
    "applicant_hours_per_case",
    "abandon_rate",
    "balk_rate",
    "booked_wait_mean_min",
    "booked_on_time_rate",
    "no_show_rate",
    "slot_utilization",
    "days_ahead_mean",
    "revoked_rate",
    "backlog_cases",
    "backlog_tickets",
    "unstable",
)
POOL_KPIS = ("utilization", "queue_wait_mean_min")
KPI_NAMES = CASE_KPIS + POOL_KPIS
MATTER_KPIS = (
    "cases_arrived",
    "cases_completed",
    "throughput_per_day",
    "hall_wait_mean_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
    "applicant_hours_per_case",
    "undecided_rate",
    "balk_rate",
    "booked_wait_mean_min",
    "booked_on_time_rate",
    "no_show_rate",
    "slot_utilization",
    "days_ahead_mean",
)
HOUR_KPIS = (
    "tickets_per_day",
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "abandon_rate",
    "hall_service_level",
    "balk_rate",
)

# KPIs with one value per day (requirements "on days" without every_hour): the hall's, and
# the booked applicants' whose slot fell on that day (slot books are per run, not per day)
DAY_KPIS = (*HOUR_KPIS, "booked_wait_mean_min", "booked_on_time_rate", "no_show_rate")

# name -> (label for people, unit, which direction is better)
KPI_INFO: dict[str, tuple[str, str, str]] = {
    "cases_arrived": ("Cases arrived", "cases", "higher"),
    "cases_completed": ("Cases decided", "cases", "higher"),
    "throughput_per_day": ("Decisions per working day", "decisions / working day", "higher"),
    "hall_wait_mean_min": ("Mean wait in the hall", "min", "lower"),
    "hall_wait_p90_min": ("90th percentile wait in the hall", "min", "lower"),
    "hall_service_level": ("Tickets called within the wait target", "share", "higher"),
    "lead_time_mean_days": ("Mean lead time to decision", "working days", "lower"),
    "lead_time_p90_days": ("90th percentile lead time", "working days", "lower"),
    "on_time_rate": ("Decided within the time limit", "share", "higher"),
    "undecided_rate": ("Cases not decided by the end of the run", "share", "lower"),
    "visits_per_case": ("Hall visits per case", "visits", "lower"),
    "applicant_hours_per_case": ("Applicant's hours per case", "hours", "lower"),
    "abandon_rate": ("Tickets abandoned", "share", "lower"),
    "balk_rate": ("Applicants who left at the ticket display", "share", "lower"),
    "booked_wait_mean_min": ("Mean wait of booked applicants from their slot", "min", "lower"),
    "booked_on_time_rate": ("Booked applicants called in time for their slot", "share", "higher"),
    "no_show_rate": ("Booked applicants who did not come", "share", "lower"),
    "slot_utilization": ("Appointment places booked", "share", "higher"),
    "days_ahead_mean": ("Days from booking to the slot", "days", "lower"),
    "revoked_rate": ("Commitment decisions revoked", "share", "lower"),
    "utilization": ("Officer utilisation", "share", "lower"),
    "queue_wait_mean_min": ("Mean wait for an officer", "min", "lower"),
    "tickets_per_day": ("Hall tickets per working day", "tickets / working day", "higher"),
    "backlog_cases": ("Cases open at the end of the horizon", "cases", "lower"),
    "backlog_tickets": ("Hall tickets waiting at the end of the horizon", "tickets", "lower"),
    "unstable": ("Runs that were overloaded (queues still growing)", "share", "lower"),
    "warmup_mser5_days": ("Warm-up suggested by MSER-5 (back-office backlog)", "days", "lower"),
}
SATURATED = 0.98  # utilisation of a pool at which a run counts as overloaded
UNDECIDED_LIMIT = 0.01  # share of the cohort undecided at the cap beyond which it does too


def kpi_info(column: str, names: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """(label, unit, better) for a KPI column, also ``utilization[front]``,
    ``lead_time_mean_days[matter=permit]`` and ``hall_wait_mean_min[hour=09]`` (written
    "09:00–10:00"); ``names`` maps matter and pool ids to their display names."""
    base, _, where = column.partition("[")
    label, unit, better = KPI_INFO[base]
    key, _, value = where[:-1].rpartition("=")
    if key == "hour" and value.isdigit():
        value = f"{int(value):02d}:00–{(int(value) + 1) % 24:02d}:00"
    value = (names or {}).get(value, value)
    return (f"{label} ({value})" if value else label), unit, better


_DECIDED = STATUSES.index("decided")
_OPEN = STATUSES.index("in_progress")
_HALL_KINDS = [VISIT_KINDS.index(k) for k in ("submit", "return", "collect")]
_SERVED = OUTCOMES.index("served")
_LEFT = [OUTCOMES.index("reneged"), OUTCOMES.index("sent_home")]
_BALKED = OUTCOMES.index("balked")
_BOOKED = VISIT_KINDS.index("booked")
_NO_SHOW = OUTCOMES.index("no_show")
_NAN = float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else _NAN


def _p90(x: np.ndarray) -> float:
    return float(np.quantile(x, 0.9)) if len(x) else _NAN


@dataclass
class _Run:
    """The columns of one run that KPIs are computed from, selected once."""

    cohort: np.ndarray  # per case: arrived in [warm-up, horizon)
    decided: np.ndarray  # per case: cohort and decided
    undecided: np.ndarray  # per case: cohort and still open at the end of the run
    lead: np.ndarray  # per case: working days to decision, or open until the end (censored)
    case_limit: np.ndarray  # per case: time limit in working days (NaN: none)
    is_commitment: np.ndarray
    case_matter: np.ndarray
    decided_in_window: np.ndarray  # per case: decision in [warm-up, horizon)
    workdays: int  # working days in [warm-up, horizon)
    tickets: np.ndarray  # per visit row: a hall ticket drawn in [warm-up, horizon)
    ticket_matter: np.ndarray
    ticket_time: np.ndarray
    served: np.ndarray
    left: np.ndarray
    balked: np.ndarray  # per visit row: left at the display in [warm-up, horizon), no ticket
    booked: np.ndarray  # per visit row: an appointment whose slot is in [warm-up, horizon)
    outcome: np.ndarray
    wait: np.ndarray  # per visit row: call - ticket (NaN if never called)
    applicant_hours: np.ndarray  # per case: hours at the hall and travelling, all its visits


def _run(records: Records) -> _Run:
    cal = records.calendar
    warmup, horizon = records.warmup, records.horizon
    cases = records.arrays("cases")  # raw columns: faster than DataFrames for large runs
    arrival, decision, status = cases["arrival"], cases["decision"], cases["status"]
    cohort = (arrival >= warmup) & (arrival < horizon)
    decided = cohort & (status == _DECIDED)
    undecided = cohort & (status == _OPEN)
    end = records.end if np.isfinite(records.end) else horizon
    lead = np.full(len(arrival), _NAN)
    lead[decided] = cal.working_days(arrival[decided], decision[decided])
    lead[undecided] = cal.working_days(arrival[undecided], np.full(undecided.sum(), end))
    limits = np.array(
        [
            _NAN if records.time_limits.get(m) is None else records.time_limits[m]
            for m in records.matters
        ]
    )
    matter = cases["matter"]
    commitment = np.array([m in records.commitment_matters for m in records.matters], dtype=bool)
    first_day = math.ceil(warmup / DAY - 1e-9)
    last_day = math.ceil(horizon / DAY - 1e-9)
    v = records.arrays("visits")
    ticket = v["ticket"]
    looked = np.isin(v["kind"], _HALL_KINDS) & (ticket >= warmup) & (ticket < horizon)
    balked = looked & (v["outcome"] == _BALKED)
    tickets = looked & ~balked
    case_of = v["case"]
    present = np.where(np.isnan(v["end"]), end, v["end"]) - ticket  # waiting at the end: so far
    at_hall = np.bincount(case_of, weights=present, minlength=len(arrival))[: len(arrival)]
    minutes = at_hall.astype(float) + records.travel * cases["visits"].astype(float)
    return _Run(
        cohort=cohort,
        decided=decided,
        undecided=undecided,
        lead=lead,
        case_limit=limits[matter] if len(matter) else np.array([]),
        is_commitment=commitment[matter] if len(matter) else np.array([], dtype=bool),
        case_matter=matter,
        decided_in_window=(decision >= warmup) & (decision < horizon),
        workdays=sum(1 for d in range(first_day, last_day) if cal.is_workday[d]),
        tickets=tickets,
        ticket_matter=matter[case_of] if len(case_of) else np.array([], dtype=int),
        ticket_time=ticket,
        served=tickets & (v["outcome"] == _SERVED),
        left=tickets & np.isin(v["outcome"], _LEFT),
        balked=balked,
        booked=(v["kind"] == _BOOKED) & (ticket >= warmup) & (ticket < horizon),
        outcome=v["outcome"],
        wait=v["call"] - ticket,
        applicant_hours=minutes / 60.0,
    )


def _case_kpis(
    run: _Run, records: Records, cases: np.ndarray, tickets: np.ndarray
) -> dict[str, float]:
    """Case and hall KPIs over the cases selected by ``cases`` and tickets by ``tickets``."""
    cohort = run.cohort & cases
    decided = run.decided & cases
    open_ = run.undecided & cases
    seen = decided | open_  # decided, or censored at the end of the run
    lead = run.lead[seen]
    limit = run.case_limit[seen]
    late_open = open_[seen] & (lead > limit + 1e-9)
    judged = ~np.isnan(limit) & (~open_[seen] | late_open)
    n_cohort = np.count_nonzero(cohort)
    hall = _hall_kpis(run, records, tickets)
    booking = _booking_kpis(
        run,
        records,
        tickets,
        list(dict.fromkeys(records.matters[c] for c in np.unique(run.case_matter[cases]).tolist())),
    )
    return {
        "cases_arrived": float(n_cohort),
        "cases_completed": float(np.count_nonzero(decided)),
        "throughput_per_day": (
            np.count_nonzero(run.decided_in_window & cases) / run.workdays if run.workdays else _NAN
        ),
        "hall_wait_mean_min": hall["hall_wait_mean_min"],
        "hall_wait_p90_min": hall["hall_wait_p90_min"],
        "hall_service_level": hall["hall_service_level"],
        "lead_time_mean_days": _mean(lead),
        "lead_time_p90_days": _p90(lead),
        "on_time_rate": _mean((lead[judged] <= limit[judged] + 1e-9).astype(float)),
        "undecided_rate": np.count_nonzero(open_) / n_cohort if n_cohort else _NAN,
        "visits_per_case": _mean(records.arrays("cases")["visits"][decided].astype(float)),
        "applicant_hours_per_case": _mean(run.applicant_hours[decided]),
        "abandon_rate": hall["abandon_rate"],
        "balk_rate": hall["balk_rate"],
        **booking,
        "revoked_rate": _mean(
            records.arrays("cases")["revoked"][decided & run.is_commitment].astype(float)
        ),
    }


def _hall_kpis(run: _Run, records: Records, tickets: np.ndarray) -> dict[str, float]:
    """Hall KPIs over the selected tickets (those drawn in [warm-up, horizon))."""
    sel = run.tickets & tickets
    n = np.count_nonzero(sel)
    waits = run.wait[run.served & tickets]
    on_time = np.count_nonzero(waits <= records.wait_target + 1e-9)
    balks = np.count_nonzero(run.balked & tickets)
    return {
        "tickets_per_day": n / run.workdays if run.workdays else _NAN,
        "hall_wait_mean_min": _mean(waits),
        "hall_wait_p90_min": _p90(waits),
        "abandon_rate": np.count_nonzero(run.left & tickets) / n if n else _NAN,
        "hall_service_level": on_time / n if n else _NAN,
        "balk_rate": balks / (n + balks) if n + balks else _NAN,
    }


def _booking_kpis(
    run: _Run, records: Records, rows: np.ndarray, matters: list[str]
) -> dict[str, float]:
    """Appointment KPIs over the booked visits selected by ``rows`` (slot in the window) and
    the slot books of ``matters``; NaN where nothing was booked."""
    stats = [records.booking[m] for m in matters if m in records.booking]
    sel = run.booked & rows
    came = sel & (run.outcome != _NO_SHOW)
    served = sel & (run.outcome == _SERVED)
    within = np.array(
        [records.booking.get(m, {}).get("seen_within_min", _NAN) for m in records.matters]
    )
    limit = within[run.ticket_matter[came]] if len(run.ticket_matter) else np.array([])
    called = run.wait[came]
    on_time = np.count_nonzero(called <= limit + 1e-9)  # NaN (refused, waiting) is late
    n_sel, n_came = np.count_nonzero(sel), np.count_nonzero(came)
    offered = sum(st.get("slots_offered", 0) for st in stats)
    booked = sum(st["booked"] for st in stats)
    return {
        "booked_wait_mean_min": _mean(run.wait[served]),
        "booked_on_time_rate": on_time / n_came if n_came else _NAN,
        "no_show_rate": (n_sel - n_came) / n_sel if n_sel else _NAN,
        "slot_utilization": (
            sum(st.get("slots_booked", 0) for st in stats) / offered if offered else _NAN
        ),
        "days_ahead_mean": sum(st["days_ahead_sum"] for st in stats) / booked if booked else _NAN,
    }


def _backlog(records: Records) -> tuple[float, float]:
    """Cases open and hall tickets waiting at the horizon (everything that arrived before it).
    A case given up counts as closed (when it was given up is not recorded)."""
    horizon = records.horizon
    cases = records.arrays("cases")
    before = cases["arrival"] < horizon
    decided_by = (cases["status"] == _DECIDED) & (cases["decision"] < horizon)
    gone = cases["status"] == STATUSES.index("abandoned")
    open_cases = np.count_nonzero(before & ~decided_by & ~gone)
    v = records.arrays("visits")
    drawn = np.isin(v["kind"], _HALL_KINDS) & (v["ticket"] < horizon) & (v["outcome"] != _BALKED)
    called = v["call"] < horizon  # NaN (never called) compares False
    left = np.isin(v["outcome"], _LEFT) & (v["end"] < horizon)
    return float(open_cases), float(np.count_nonzero(drawn & ~called & ~left))


def backlog_growing(records: Records) -> bool:
    """True when the back-office backlog at the end of working days grows over the measured
    days (after warm-up): the fitted rise over them exceeds half its mean and 5 cases'
    worth. The overload test for runs without a drain, where undecided cases say nothing."""
    days = np.asarray(records.backlog_days, dtype=float)
    backlog = np.asarray(records.daily_backlog, dtype=float)
    keep = days * DAY >= records.warmup
    days, backlog = days[keep], backlog[keep]
    if len(days) < 5 or np.ptp(days) == 0:
        return False
    slope = float(np.polyfit(days, backlog, 1)[0])
    rise = slope * float(np.ptp(days))
    return rise > max(0.5 * float(backlog.mean()), 5.0)


def kpis(records: Records) -> dict[str, float | dict[str, float]]:
    """Every pooled KPI of DESIGN §7 for one run; per-pool KPIs map pool id to a value."""
    return _pooled(_run(records), records)


def _pooled(run: _Run, records: Records) -> dict[str, float | dict[str, float]]:
    everything = np.ones(len(run.cohort), dtype=bool)
    out: dict[str, float | dict[str, float]] = dict(
        _case_kpis(run, records, everything, np.ones(len(run.tickets), dtype=bool))
    )
    out["backlog_cases"], out["backlog_tickets"] = _backlog(records)
    utilization = {
        p: (t.busy / t.available if t.available > 0 else _NAN) for p, t in records.tally.items()
    }
    saturated = any(u >= SATURATED for u in utilization.values() if np.isfinite(u))
    undecided = out["undecided_rate"]
    assert isinstance(undecided, float)
    if records.cap > records.horizon:  # drained: cases left undecided at the cap are a backlog
        stuck = bool(np.isfinite(undecided) and undecided > UNDECIDED_LIMIT)
    else:  # no drain (drain_days 0): undecided cases are simply young; ask the backlog's trend
        stuck = backlog_growing(records)
    out["unstable"] = float(saturated or stuck)
    out["utilization"] = utilization
    out["queue_wait_mean_min"] = {
        p: (t.wait_sum / t.wait_n if t.wait_n else _NAN) for p, t in records.tally.items()
    }
    return out


def kpis_by_matter(records: Records, scenario: Scenario) -> dict[str, dict[str, float]]:
    """``{matter id: {KPI: value}}`` for the KPIs of ``MATTER_KPIS``, every matter of the
    scenario (in its order), the matter's own cases and hall tickets only."""
    return _by_matter(_run(records), records, scenario)


def _by_matter(run: _Run, records: Records, scenario: Scenario) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for m in scenario.matters:
        code = records.matters.index(m.id)
        values = _case_kpis(run, records, run.case_matter == code, run.ticket_matter == code)
        out[m.id] = {k: values[k] for k in MATTER_KPIS}
    return out


def ticket_hours(records: Records) -> list[int]:
    """Clock hours in which the hall issues tickets on some working day (from the calendar)."""
    hours: set[int] = set()
    for start, end in records.calendar.tickets.periods:
        if end - start >= DAY:
            return list(range(24))
        s, e = start % DAY, start % DAY + (end - start)
        hours.update(h % 24 for h in range(int(s // 60), math.ceil(e / 60)))
        if len(hours) == 24:
            break
    return sorted(hours)


def kpis_by_hour(records: Records, scenario: Scenario | None = None) -> dict[str, dict[str, float]]:
    """``{"HH": {KPI: value}}`` for the hall KPIs of ``HOUR_KPIS`` by the clock hour at which
    each ticket was drawn; every hour the hall issues tickets appears, busy or not."""
    return _by_hour(_run(records), records)


def _by_hour(run: _Run, records: Records) -> dict[str, dict[str, float]]:
    hour = (np.mod(run.ticket_time, DAY) // 60).astype(int)
    seen = set(np.unique(hour[run.tickets]).tolist())
    return {
        f"{h:02d}": _hall_kpis(run, records, hour == h)
        for h in sorted(set(ticket_hours(records)) | seen)
    }


def hall_kpis_by_day_hour(records: Records, names: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """``{kpi: {"HH": values}}``: each hall KPI of ``names`` (from ``HOUR_KPIS``) per day, for
    the tickets drawn that day in clock hour HH (after warm-up). A day is one value; days
    without a ticket in the hour are left out (nothing to judge). Service levels "on days"
    (the share of days an hour met its bound) are judged on these."""
    run = _run(records)
    when = np.nan_to_num(run.ticket_time, nan=-1.0)  # rows without a ticket are masked out
    day = (when // DAY).astype(int)
    hour = (np.mod(when, DAY) // 60).astype(int)
    out: dict[str, dict[str, list[float]]] = {k: {} for k in names}
    for h in sorted(set(hour[run.tickets].tolist())):
        in_hour = run.tickets & (hour == h)
        for d in sorted(set(day[in_hour].tolist())):
            values = _hall_kpis(run, records, (hour == h) & (day == d))
            values["tickets_per_day"] *= run.workdays  # one day's tickets, not a run's mean
            for k in names:
                out[k].setdefault(f"{h:02d}", []).append(values[k])
    return {k: {h: np.array(v, dtype=float) for h, v in by.items()} for k, by in out.items()}


def kpis_by_day(
    records: Records, names: list[str], matter: str | None = None
) -> dict[str, np.ndarray]:
    """``{kpi: values}``: each KPI of ``names`` (from ``DAY_KPIS``) once per day after warm-up,
    over the tickets drawn and the booked slots falling that day (of ``matter`` only, if
    given). Days with nothing to judge give NaN (the caller leaves them out)."""
    run = _run(records)
    when = np.nan_to_num(run.ticket_time, nan=-1.0)  # rows without a ticket are masked out
    day = (when // DAY).astype(int)
    rows = np.ones(len(when), dtype=bool)
    if matter is not None and len(run.ticket_matter):
        rows = run.ticket_matter == records.matters.index(matter)
    out: dict[str, list[float]] = {k: [] for k in names}
    for d in sorted(set(day[(run.tickets | run.booked) & rows].tolist())):
        on_day = rows & (day == d)
        values = {**_hall_kpis(run, records, on_day), **_booking_kpis(run, records, on_day, [])}
        values["tickets_per_day"] *= run.workdays  # one day's tickets, not a run's mean
        for k in names:
            out[k].append(values[k])
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def overload_warning(rows: Any, what: str = "", drained: bool = True) -> str | None:
    """A warning for every output when some runs (rows of KPI columns) were overloaded:
    which pools were saturated and how much of the cohort was left undecided (``drained``
    False: runs without a drain, flagged by their growing backlog instead)."""
    if "unstable" not in rows:
        return None
    unstable = np.asarray(rows["unstable"], dtype=float) > 0
    if not unstable.any():
        return None
    busiest = {
        c[len("utilization[") : -1]: np.nanmax(np.asarray(rows[c], dtype=float)[unstable])
        for c in rows
        if c.startswith("utilization[")
    }
    pools = [f"{p} ({u:.0%})" for p, u in busiest.items() if u >= SATURATED]
    undecided = np.nanmax(np.asarray(rows["undecided_rate"], dtype=float)[unstable], initial=0)
    why = []
    if pools:
        why.append("officers busy all the time they were there in " + ", ".join(pools))
    if not drained and not pools:
        why.append("the back-office backlog grew through the measured days")
    elif drained and undecided > UNDECIDED_LIMIT:
        why.append(f"up to {undecided:.1%} of the cases still undecided at the end of the drain")
    return (
        f"OVERLOADED: {int(unstable.sum())} of {len(unstable)} run(s){what} — "
        + "; ".join(why)
        + ". Queues were still growing: these KPIs hold for this horizon only and a longer "
        "one would give worse numbers (see backlog_cases, backlog_tickets)."
    )


def flatten(values: dict[str, float | dict[str, float]]) -> dict[str, float]:
    """``{"utilization": {"front": 0.8}}`` as ``{"utilization[front]": 0.8}`` (one column each)."""
    flat: dict[str, float] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            for pool, x in value.items():
                flat[f"{name}[{pool}]"] = x
        else:
            flat[name] = value
    return flat


def kpi_row(records: Records, scenario: Scenario) -> dict[str, float]:
    """One run as one flat row: pooled KPIs, ``<kpi>[<pool>]``, ``<kpi>[matter=<id>]`` and
    ``<kpi>[hour=<HH>]`` (the shared naming of tidy tables)."""
    run = _run(records)
    row = flatten(_pooled(run, records))
    for matter, values in _by_matter(run, records, scenario).items():
        for k, x in values.items():
            row[f"{k}[matter={matter}]"] = x
    for hour, values in _by_hour(run, records).items():
        for k, x in values.items():
            row[f"{k}[hour={hour}]"] = x
    row["warmup_mser5_days"] = suggested_warmup_days(records.daily_backlog, records.backlog_days)[0]
    return row

"""KPIs from the records of one run (DESIGN §7). Warm-up is a filter on records.

Conventions, so that every number has one meaning:

* Case KPIs (lead time, on-time, visits) are over cases that *arrived* after warm-up and
  were decided by the end of the horizon; ``throughput_per_day`` counts decisions made
  after warm-up per working day.
* Hall waits are per call: walk-in tickets (submission, return, collection) issued after
  warm-up and called by an officer. ``abandon_rate`` is over all such tickets.
* A KPI with nothing to measure (no time limits, no commitment matters) is NaN, not 0.
"""

from __future__ import annotations

import math

import numpy as np

from simlib.engine.records import OUTCOMES, STATUSES, VISIT_KINDS, Records

__all__ = ["CASE_KPIS", "KPI_INFO", "KPI_NAMES", "POOL_KPIS", "flatten", "kpi_info", "kpis"]

CASE_KPIS = (
    "cases_arrived",
    "cases_completed",
    "throughput_per_day",
    "hall_wait_mean_min",
    "hall_wait_p90_min",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "on_time_rate",
    "visits_per_case",
    "abandon_rate",
    "revoked_rate",
)
POOL_KPIS = ("utilization", "queue_wait_mean_min")
KPI_NAMES = CASE_KPIS + POOL_KPIS

# name -> (label for people, unit, which direction is better)
KPI_INFO: dict[str, tuple[str, str, str]] = {
    "cases_arrived": ("Cases arrived", "cases", "higher"),
    "cases_completed": ("Cases decided", "cases", "higher"),
    "throughput_per_day": ("Decisions per working day", "decisions / working day", "higher"),
    "hall_wait_mean_min": ("Mean wait in the hall", "min", "lower"),
    "hall_wait_p90_min": ("90th percentile wait in the hall", "min", "lower"),
    "lead_time_mean_days": ("Mean lead time to decision", "working days", "lower"),
    "lead_time_p90_days": ("90th percentile lead time", "working days", "lower"),
    "on_time_rate": ("Decided within the time limit", "share", "higher"),
    "visits_per_case": ("Hall visits per case", "visits", "lower"),
    "abandon_rate": ("Tickets abandoned", "share", "lower"),
    "revoked_rate": ("Commitment decisions revoked", "share", "lower"),
    "utilization": ("Officer utilisation", "share", "lower"),
    "queue_wait_mean_min": ("Mean wait for an officer", "min", "lower"),
}


def kpi_info(column: str) -> tuple[str, str, str]:
    """(label, unit, better) for a KPI column, per-pool ones too (``utilization[front]``)."""
    base, _, pool = column.partition("[")
    label, unit, better = KPI_INFO[base]
    return (f"{label} ({pool[:-1]})" if pool else label), unit, better


_DECIDED = STATUSES.index("decided")
_HALL_KINDS = [VISIT_KINDS.index(k) for k in ("submit", "return", "collect")]
_SERVED = OUTCOMES.index("served")
_LEFT = [OUTCOMES.index("reneged"), OUTCOMES.index("sent_home")]
_NAN = float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else _NAN


def _p90(x: np.ndarray) -> float:
    return float(np.quantile(x, 0.9)) if len(x) else _NAN


def kpis(records: Records) -> dict[str, float | dict[str, float]]:
    """Every KPI of DESIGN §7 for one run; per-pool KPIs map pool id to a value."""
    cal = records.calendar
    warmup, horizon = records.warmup, records.horizon
    cases = records.arrays("cases")  # raw columns: faster than DataFrames for large runs
    arrival, decision, status = cases["arrival"], cases["decision"], cases["status"]
    in_window = arrival >= warmup
    decided = in_window & (status == _DECIDED)

    lead = cal.working_days(arrival[decided], decision[decided])
    matter = cases["matter"][decided]
    limits = np.array(
        [
            _NAN if records.time_limits.get(m) is None else records.time_limits[m]
            for m in records.matters
        ]
    )
    case_limit = limits[matter] if len(limits) else np.array([])
    has_limit = ~np.isnan(case_limit)
    commitment = np.array([m in records.commitment_matters for m in records.matters], dtype=bool)
    is_commitment = commitment[matter] if len(commitment) else np.array([], dtype=bool)
    revoked = cases["revoked"][decided]
    visits = cases["visits"][decided]

    decisions_in_window = np.count_nonzero((decision >= warmup) & (decision < horizon))
    first_day = math.ceil(warmup / 1440 - 1e-9)
    workdays = sum(1 for d in range(first_day, cal.days) if cal.is_workday[d])

    v = records.arrays("visits")
    kind, ticket, outcome = v["kind"], v["ticket"], v["outcome"]
    hall_tickets = np.isin(kind, _HALL_KINDS) & (ticket >= warmup)
    served = hall_tickets & (outcome == _SERVED)
    waits = v["call"][served] - ticket[served]
    n_tickets = np.count_nonzero(hall_tickets)

    out: dict[str, float | dict[str, float]] = {
        "cases_arrived": float(np.count_nonzero(in_window)),
        "cases_completed": float(np.count_nonzero(decided)),
        "throughput_per_day": decisions_in_window / workdays if workdays else _NAN,
        "hall_wait_mean_min": _mean(waits),
        "hall_wait_p90_min": _p90(waits),
        "lead_time_mean_days": _mean(lead),
        "lead_time_p90_days": _p90(lead),
        "on_time_rate": _mean((lead[has_limit] <= case_limit[has_limit] + 1e-9).astype(float)),
        "visits_per_case": _mean(visits.astype(float)),
        "abandon_rate": (
            np.count_nonzero(hall_tickets & np.isin(outcome, _LEFT)) / n_tickets
            if n_tickets
            else _NAN
        ),
        "revoked_rate": _mean(revoked[is_commitment].astype(float)),
        "utilization": {
            p: (t.busy / t.available if t.available > 0 else _NAN) for p, t in records.tally.items()
        },
        "queue_wait_mean_min": {
            p: (t.wait_sum / t.wait_n if t.wait_n else _NAN) for p, t in records.tally.items()
        },
    }
    return out


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

"""The work unit of a portfolio search: one run's flat KPI row, per-matter columns included.

Per-matter and per-hour columns follow the shared naming (``<kpi>[matter=<id>]``,
``<kpi>[hour=<HH>]``) and come from ``simlib.metrics.kpi_row`` where the metrics module has
it. Without it, the case KPIs a portfolio objective needs per matter (lead time mean and
90th percentile, on-time rate, decided cases) are computed here, with the same rules as the
pooled ones: cases that arrived after warm-up and were decided.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib.engine import simulate
from simlib.engine.records import STATUSES, Records
from simlib.metrics import flatten, kpis
from simlib.scenario.model import Scenario

__all__ = ["run_row"]

_DECIDED = STATUSES.index("decided")


def run_row(scenario: Scenario, seed: int) -> dict[str, Any]:
    """One run of ``scenario`` with ``seed`` as a flat row (picklable, module level)."""
    records = simulate(scenario, seed, "kpi")
    try:
        from simlib.metrics import kpi_row
    except ImportError:
        row = flatten(kpis(records))
        row.update(_by_matter(records))
        return row
    return kpi_row(records, scenario)


def _by_matter(records: Records) -> dict[str, float]:
    cases = records.arrays("cases")
    arrival, decision, status = cases["arrival"], cases["decision"], cases["status"]
    decided = (arrival >= records.warmup) & (status == _DECIDED)
    lead = records.calendar.working_days(arrival[decided], decision[decided])
    matter = cases["matter"][decided]
    out: dict[str, float] = {}
    for code, name in enumerate(records.matters):
        x = lead[matter == code]
        limit = records.time_limits.get(name)
        key = f"[matter={name}]"
        out["cases_completed" + key] = float(len(x))
        out["lead_time_mean_days" + key] = float(x.mean()) if len(x) else float("nan")
        out["lead_time_p90_days" + key] = float(np.quantile(x, 0.9)) if len(x) else float("nan")
        out["on_time_rate" + key] = (
            float(np.mean(x <= limit + 1e-9)) if len(x) and limit is not None else float("nan")
        )
    return out

"""Simulate only the hall when a staffing question only asks about the hall.

A staffing search whose decisions are hall (window) pools and whose requirements are hall
KPIs (waits, service level, abandonment, balking, tickets) needs the back offices only where
they send applicants back to the windows within a run. Where nothing does, the approval
chains are taken out of the runs: every applicant's hall visits draw from the applicant's
own random streams, so the hall's tickets are the same, ticket by ticket, on the same seeds
(``tests/unit/test_hall_only.py`` compares them) and the answer cannot change. KPIs the
hall alone does not determine (lead times, back-office pools) are left unknown (NaN) in
those runs rather than reported from a model without back offices.

Where the back offices do feed the hall — collections in person once a case is decided,
online submissions checked in the back office, a hall pool working chain steps or backing
up a back-office pool, or decisions on commitment (not checked) — the whole model is
simulated and the output says why (replaying those visits from a full run is not built).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib.metrics import HOUR_KPIS, KPI_NAMES, MATTER_KPIS, POOL_KPIS
from simlib.optimize.spec import Optimization
from simlib.scenario.model import Scenario

__all__ = ["HallOnly", "blank_beyond_hall", "feedback", "hall_only", "hall_pools", "plan"]


@dataclass(frozen=True)
class HallOnly:
    """Whether the search's runs leave the back offices out, what they leave out and why."""

    used: bool
    why: str
    left_out: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"hall_only": self.used, "left_out": self.left_out, "why": self.why}


def hall_pools(scenario: Scenario) -> set[str]:
    return {m.acceptance.pool for m in scenario.matters}


def feedback(scenario: Scenario) -> list[str]:
    """Ways the back offices send work to the hall's windows within a run (empty: none)."""
    hall = hall_pools(scenario)
    out = []
    for m in scenario.matters:
        decided_behind = bool(m.chain) or m.online_share > 0
        if m.collection == "in_person" and decided_behind:
            out.append(f"matter {m.id}: collected in person once the back offices decide")
        if m.online_share > 0:
            out.append(f"matter {m.id}: online submissions are checked in the back office")
        for step in m.steps():
            pool = getattr(step, "pool", None)
            if pool in hall:
                out.append(f"matter {m.id}: chain step worked by hall pool {pool}")
        if m.commitment.eligible:  # conservative: hall-only runs were not checked for it
            out.append(f"matter {m.id}: decided on commitment, verified by the back office")
    for pid, pool in scenario.pools.items():
        if pool.backup is not None and (pid in hall) != (pool.backup in hall):
            out.append(f"pool {pid} is backed up by {pool.backup} across hall and back office")
    return out


def _question(opt: Optimization) -> list[str]:
    """What of the question is not about the hall (empty: all of it is)."""
    hall = hall_pools(opt.base)
    pools = [d.pool for d in opt.levels] + [d.pool for d in opt.by_hour]
    out = [f"decision on pool {p} (not a hall pool)" for p in pools if p not in hall]
    out += [
        f"requirement {r.kpi}" + (f" of {r.matter}" if r.matter else "") + " (not a hall KPI)"
        for r in opt.requirements
        if r.kpi.split("[")[0] not in HOUR_KPIS
    ]
    return out


def plan(opt: Optimization) -> HallOnly:
    """Whether this staffing question's runs may leave the back offices out."""
    beyond = _question(opt)
    if beyond:
        return HallOnly(False, "the question is not only about the hall: " + "; ".join(beyond))
    fed = feedback(opt.base)
    if fed:
        return HallOnly(
            False,
            "the whole model is simulated: the back offices send applicants to the windows "
            "within a run (" + "; ".join(fed[:3]) + ("; ..." if len(fed) > 3 else "") + ")",
        )
    chains = [m.id for m in opt.base.matters if m.chain]
    if not chains:
        return HallOnly(False, "nothing to leave out: no matter has an approval chain")
    back = sorted({p for m in opt.base.matters for p in _step_pools(m)} - hall_pools(opt.base))
    return HallOnly(
        True,
        "the decisions and requirements are the hall's, and no back-office work sends anyone "
        "to the windows within a run: the hall's tickets are the same on the same seeds",
        [f"the approval chains of {', '.join(chains)}", f"back-office pools {', '.join(back)}"],
    )


def _step_pools(m: Any) -> list[str]:
    return [p for p in (getattr(s, "pool", None) for s in m.steps()) if p is not None]


def hall_only(scenario: Scenario) -> Scenario:
    """``scenario`` without approval chains: each case is decided at its window."""
    data = scenario.model_dump()
    for m in data["matters"]:
        m["chain"] = []
    return Scenario.model_validate(data)


def blank_beyond_hall(row: dict[str, Any], hall_pools: set[str]) -> dict[str, Any]:
    """A hall-only run's row with every KPI the hall does not determine set to NaN (kept:
    hall KPIs, their days met, and the pool KPIs of hall pools)."""
    out = {}
    for key, value in row.items():
        base, _, rest = key.partition("[")
        hall = (
            base in HOUR_KPIS
            or key.startswith(("days_met:", "days:"))
            or (base in POOL_KPIS and rest.rstrip("]") in hall_pools)
        )
        kpi = base in KPI_NAMES or base in MATTER_KPIS
        out[key] = np.nan if kpi and not hall else value
    return out

"""Simulate only the hall when a staffing question only asks about the hall.

A staffing search whose decisions are hall (window) pools and whose requirements are hall
KPIs (waits, service level, abandonment, balking, tickets) needs the back offices only where
they send applicants back to the windows within a run. Where nothing does, the approval
chains are taken out of the runs: every applicant's hall visits draw from the applicant's
own random streams, so the hall's tickets are the same, ticket by ticket, on the same seeds
(``tests/unit/test_hall_only.py`` compares them) and the answer cannot change. KPIs the
hall alone does not determine (lead times, back-office pools) are left unknown (NaN) in
those runs rather than reported from a model without back offices.

Where the back offices send applicants to collect their decision in person, those visits
are replayed (:mod:`simlib.engine.injected`): runs of the whole model with today's staffing,
one per seed, keep them, and the hall-only runs of that seed issue them as tickets. With
today's staffing the hall's tickets are then those of the whole model, ticket by ticket; with
another staffing a collection may in truth come a little earlier or later (the back office
decides once the window has accepted the application), so the chosen staffing is checked
again on the whole model before it is reported (``search.confirm``).

Where the back offices feed the hall otherwise — online submissions checked by hall pools,
a hall pool working chain steps or backing up a back-office pool, or decisions on commitment
(not checked) — the whole model is simulated and the output says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib.metrics import HOUR_KPIS, KPI_NAMES, MATTER_KPIS, POOL_KPIS
from simlib.optimize.spec import Optimization
from simlib.scenario.model import Scenario

__all__ = [
    "HallOnly",
    "blank_beyond_hall",
    "feedback",
    "hall_only",
    "hall_pools",
    "plan",
    "replayable",
]


@dataclass(frozen=True)
class HallOnly:
    """Whether the search's runs leave the back offices out, what they leave out and why."""

    used: bool
    why: str
    left_out: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)  # matters whose collections are replayed

    def as_json(self) -> dict[str, Any]:
        return {
            "hall_only": self.used,
            "left_out": self.left_out,
            "why": self.why,
            "replayed": self.replayed,
        }


def hall_pools(scenario: Scenario) -> set[str]:
    return {m.acceptance.pool for m in scenario.matters}


def replayable(scenario: Scenario) -> list[str]:
    """Matters whose only hall visits caused by the back office are collections in person
    (decided by a chain, submitted at the window): those visits can be replayed."""
    return [
        m.id
        for m in scenario.matters
        if m.collection == "in_person" and m.chain and m.online_share == 0
    ]


def feedback(scenario: Scenario, replay: bool = False) -> list[str]:
    """Ways the back offices send work to the hall's windows within a run (empty: none);
    ``replay``: leaving out the collections that can be replayed (:func:`replayable`)."""
    hall = hall_pools(scenario)
    skip = set(replayable(scenario)) if replay else set()
    out = []
    for m in scenario.matters:
        decided_behind = bool(m.chain) or m.online_share > 0
        if m.collection == "in_person" and decided_behind and m.id not in skip:
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


def plan(opt: Optimization, replay: bool = True) -> HallOnly:
    """Whether this staffing question's runs may leave the back offices out (``replay``:
    replaying the collections in person they cause)."""
    beyond = _question(opt)
    if beyond:
        return HallOnly(False, "the question is not only about the hall: " + "; ".join(beyond))
    fed = feedback(opt.base, replay)
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
    left_out = [
        f"the approval chains of {', '.join(chains)}",
        f"back-office pools {', '.join(back)}",
    ]
    replayed = replayable(opt.base) if replay else []
    if not replayed:
        return HallOnly(
            True,
            "the decisions and requirements are the hall's, and no back-office work sends "
            "anyone to the windows within a run: the hall's tickets are the same on the same "
            "seeds",
            left_out,
        )
    return HallOnly(
        True,
        "the decisions and requirements are the hall's; the back offices send applicants to "
        f"the windows only to collect decisions in person ({', '.join(replayed)}), and those "
        "visits are replayed from runs of the whole model with today's staffing on the same "
        "seeds: with today's staffing the hall's tickets are the same, ticket by ticket. "
        "With another staffing a collection may come a little earlier or later (a decision "
        "follows the window's acceptance), so the chosen staffing is checked again on the "
        "whole model (its runs and today's are whole-model runs)",
        left_out,
        replayed,
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

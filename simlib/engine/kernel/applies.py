"""Which scenarios the hall kernel runs: halls whose tickets only meet window pools.

A scenario qualifies when every matter is walk-in work done at the windows (acceptance,
returns with missing papers, reneging and coming back, collection) with no approval chain,
no online submission and no commitment; shifts, priorities, patience, lunch breaks,
absences, AB posts, comprehensive windows and closing rules are all supported. Any key the
kernel was not checked against (a feature added later) sends the scenario to SimPy: the
test ``tests/unit/test_kernel.py`` compares every ticket of both engines on such halls.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel

from simlib.scenario.model import Scenario

__all__ = ["ENGINE_VARIABLE", "choose_engine", "kernel_refusal"]

ENGINE_VARIABLE = "SIMLIB_ENGINE"  # "simpy" or "kernel": what "auto" means in this process

Engine = Literal["auto", "simpy", "kernel"]

REPLAY_REFUSAL = (
    "the run replays hall visits kept from the back offices of a whole-model run "
    "(engine.injected); the kernel has no such arrivals: the SimPy engine runs it"
)

# Keys that may differ from their defaults (anything else: SimPy).
_SCENARIO_KEYS = {
    "name",
    "description",
    "seed",
    "horizon",
    "demand_factor",
    "calendar",
    "hall",
    "pools",
    "matters",
}
_HALL_KEYS = {
    "mode",
    "ticket_cutoff",
    "at_close",
    "patience",
    "renege_return_prob",
    "return_delay_days",
    "wait_target_min",
    "travel_min",
}
_POOL_KEYS = {"count", "hours", "shifts", "absence", "backup", "order", "cost_per_hour"}
_MATTER_KEYS = {
    "id",
    "name",
    "arrivals",
    "complete_prob",
    "acceptance",
    "collection",
    "collection_time",
    "time_limit_days",
    "priority",
    "patience",
    "handoff_days",  # hand-offs happen between chain steps: none without a chain
    "handoff",
}


def _extra(model: BaseModel, allowed: set[str]) -> list[str]:
    """Fields of ``model`` set away from their defaults that are not in ``allowed``."""
    fields = type(model).model_fields
    out = []
    for name, info in fields.items():
        if name in allowed:
            continue
        value: Any = getattr(model, name)
        default = info.get_default(call_default_factory=True)
        if value != default:
            out.append(name)
    return out


def kernel_refusal(scenario: Scenario) -> str | None:
    """Why the kernel cannot run ``scenario`` (None: it can)."""
    extra = _extra(scenario, _SCENARIO_KEYS)
    if extra:
        return f"scenario key {extra[0]!r}"
    extra = _extra(scenario.hall, _HALL_KEYS)
    if extra:
        return f"hall.{extra[0]}"
    for pid, pool in scenario.pools.items():
        extra = _extra(pool, _POOL_KEYS)
        if extra:
            return f"pools.{pid}.{extra[0]}"
    for m in scenario.matters:
        if m.chain:
            return f"matter {m.id!r} has an approval chain (back-office work)"
        if m.online_share > 0:
            return f"matter {m.id!r} is submitted online (back-office check)"
        if m.commitment.eligible:
            return f"matter {m.id!r} is decided on commitment"
        extra = _extra(m, _MATTER_KEYS | {"chain", "online_share", "commitment"})
        if extra:
            return f"matters[{m.id}].{extra[0]}"
    return None


def choose_engine(
    scenario: Scenario, engine: Engine = "auto", replayed: bool = False
) -> Literal["simpy", "kernel"]:
    """The engine that runs ``scenario``: the kernel where it applies ("auto"), or as asked.
    "auto" follows the ``SIMLIB_ENGINE`` environment variable when it is set (``simlib run
    --engine`` sets it, so that worker processes follow the command line). ``replayed``:
    the run replays back-office hall visits (``engine.injected``), which the kernel does not."""
    if engine == "auto":
        engine = os.environ.get(ENGINE_VARIABLE, "auto")  # type: ignore[assignment]
        if engine not in ("auto", "simpy", "kernel"):
            raise ValueError(f"{ENGINE_VARIABLE} must be auto, simpy or kernel; got {engine!r}")
    if engine == "simpy":
        return "simpy"
    reason = REPLAY_REFUSAL if replayed else kernel_refusal(scenario)
    if engine == "kernel":
        if reason is not None:
            raise ValueError(f"the hall kernel cannot run this scenario: {reason}")
        return "kernel"
    if engine != "auto":
        raise ValueError(f"engine must be 'auto', 'simpy' or 'kernel'; got {engine!r}")
    return "kernel" if reason is None else "simpy"

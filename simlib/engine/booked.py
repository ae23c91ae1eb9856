"""Which of the booked-hall mechanisms a scenario uses (appointments, balking, skills).

A fast kernel that implements only the plain hall must refuse a scenario for which
:func:`booked_hall_keys` is not empty, and send it to the SimPy engine instead."""

from __future__ import annotations

from simlib.scenario.model import Scenario

__all__ = ["booked_hall_keys"]


def booked_hall_keys(scenario: Scenario) -> list[str]:
    """The paths of the scenario's keys that switch on appointments, balking or skills."""
    keys = [f"pools.{pid}.skills" for pid, pool in scenario.pools.items() if pool.skills]
    keys += [
        f"matters[{m.id}].appointments" for m in scenario.matters if m.appointments is not None
    ]
    if scenario.hall.balking is not None:
        keys.append("hall.balking")
    return keys

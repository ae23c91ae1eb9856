"""The duty roster: who is on shift, who is absent today.

A pool's officers are split into crews, one per shift (``count`` with ``hours`` is one
crew); officers on duty at an instant are the present officers of the crews whose shift
covers it. One process walks every crew's shift boundaries in time order. At a crew's first
period of a workday each of its officers is absent or not, one uniform draw per officer and
day (one stream per officer of the pool, so officer j has the same absences in every
variant): a two-state chain over working days (``Absence.persistence``) so that absences
come in spells of ``mean_days`` while the share of days absent stays ``daily_prob``; with
the default spells this is exactly an independent draw each day. Shift ends come before
shift starts at the same instant, so a hand-over never leaves a gap or an overlap. An
officer whose shift ends mid-service finishes the applicant (see officers).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from simlib.engine.officers import Desk, Officer
from simlib.engine.streams import stream
from simlib.scenario.model import Absence
from simlib.timekeeping import DAY

__all__ = ["Crew", "roster"]

_END, _START = 0, 1


@dataclass
class Crew:
    """The officers of one shift of a pool and the absolute periods they work."""

    desk: Desk
    officers: list[Officer]
    first: int  # index of the crew's first officer in the pool (names its absence streams)
    periods: list[tuple[float, float]]
    absence: Absence
    absent: int = 0  # absent today


def _boundaries(crews: list[Crew]) -> list[tuple[float, int, int, float, bool]]:
    events = []
    for c, crew in enumerate(crews):
        last_day = -1
        for start, end in crew.periods:
            day = int(start // DAY)
            events.append((start, _START, c, end, day != last_day))
            events.append((end, _END, c, end, False))
            last_day = day
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


def roster(
    env: simpy.Environment,
    crews: list[Crew],
    seed: int,
    warmup: float,
    horizon: float,
    cap: float,
) -> Generator[simpy.Event, Any, None]:
    """SimPy process putting officers on and off duty until ``cap`` (the end of any drain);
    available time is counted between ``warmup`` and ``horizon``."""
    absence_streams = [
        [
            stream(seed, "pool", crew.desk.name, "absence", crew.first + j)
            for j in range(len(crew.officers))
        ]
        if crew.absence.daily_prob > 0
        else []
        for crew in crews
    ]
    chains = [crew.absence.persistence() for crew in crews]  # P(absent | absent, present)
    away: list[list[bool]] = [[False] * len(crew.officers) for crew in crews]
    present: list[list[Officer]] = [list(crew.officers) for crew in crews]
    for time, kind, c, end, new_day in _boundaries(crews):
        if time >= cap:
            break
        if time > env.now:
            yield env.timeout(time - env.now)
        crew = crews[c]
        desk = crew.desk
        if kind == _END:
            for officer in present[c]:
                officer.on_duty = False
            desk.wake_idle()
            continue
        if new_day and absence_streams[c]:
            stay, fall = chains[c]
            was = away[c] = [
                rng.random() < (stay if gone else fall)
                for gone, rng in zip(away[c], absence_streams[c], strict=True)
            ]
            present[c] = [o for o, gone in zip(crew.officers, was, strict=True) if not gone]
            for o, gone in zip(crew.officers, was, strict=True):
                o.absent = gone
            absent = len(crew.officers) - len(present[c])
            desk.absent_today += absent - crew.absent
            crew.absent = absent
            if desk.absent_today and desk.backup is not None:
                desk.backup.wake_idle()  # they may now take our queued work
        desk.tally.available += len(present[c]) * max(0.0, min(end, horizon) - max(time, warmup))
        for officer in present[c]:
            officer.on_duty = True
            officer.duty_end = end
            officer.hand(None)

"""The duty roster: who is on shift, who is absent today.

One process walks every pool's shift boundaries in time order. At the first period of a
workday each officer is absent or not, one uniform draw per officer and day (one stream per
officer, so officer j has the same absences in every variant): a two-state chain over
working days (``Absence.persistence``) so that absences come in spells of ``mean_days``
while the share of days absent stays ``daily_prob``. With the default spells this is
exactly an independent draw each day. Shift ends come before shift starts at
the same instant, so a hand-over never leaves a gap or an overlap.
"""

from __future__ import annotations

from collections.abc import Iterator

import simpy

from simlib.engine.calendar import DAY
from simlib.engine.officers import Desk
from simlib.engine.streams import stream
from simlib.scenario.model import Absence

__all__ = ["roster"]

_END, _START = 0, 1


def _boundaries(
    desks: list[Desk], shifts: list[list[tuple[float, float]]]
) -> list[tuple[float, int, int, float, bool]]:
    events = []
    for d, periods in enumerate(shifts):
        last_day = -1
        for start, end in periods:
            day = int(start // DAY)
            events.append((start, _START, d, end, day != last_day))
            events.append((end, _END, d, end, False))
            last_day = day
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


def roster(
    env: simpy.Environment,
    desks: list[Desk],
    shifts: list[list[tuple[float, float]]],
    absences: list[Absence],
    seed: int,
    warmup: float,
    horizon: float,
    cap: float,
) -> Iterator[simpy.Event]:
    """SimPy process putting officers on and off duty until ``cap`` (the end of any drain);
    available time is counted between ``warmup`` and ``horizon``."""
    absence_streams = [
        [stream(seed, "pool", desk.name, "absence", j) for j in range(len(desk.officers))]
        if a.daily_prob > 0
        else []
        for desk, a in zip(desks, absences, strict=True)
    ]
    chains = [a.persistence() for a in absences]  # P(absent | absent, present yesterday)
    away: list[list[bool]] = [[False] * len(desk.officers) for desk in desks]
    present: list[list] = [list(desk.officers) for desk in desks]
    for time, kind, d, end, new_day in _boundaries(desks, shifts):
        if time >= cap:
            break
        if time > env.now:
            yield env.timeout(time - env.now)
        desk = desks[d]
        if kind == _END:
            for officer in present[d]:
                officer.on_duty = False
            desk.wake_idle()
            continue
        if new_day and absence_streams[d]:
            stay, fall = chains[d]
            was = away[d] = [
                rng.random() < (stay if gone else fall)
                for gone, rng in zip(away[d], absence_streams[d], strict=True)
            ]
            present[d] = [o for o, gone in zip(desk.officers, was, strict=True) if not gone]
            for o, gone in zip(desk.officers, was, strict=True):
                o.absent = gone
            desk.absent_today = len(desk.officers) - len(present[d])
            if desk.absent_today and desk.backup is not None:
                desk.backup.wake_idle()  # they may now take our queued work
        desk.tally.available += len(present[d]) * max(0.0, min(end, horizon) - max(time, warmup))
        for officer in present[d]:
            officer.on_duty = True
            officer.duty_end = end
            officer.hand(None)

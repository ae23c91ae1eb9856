"""Arrivals: a non-homogeneous Poisson process, exact for rates that are constant per hour.

With a ``day_factor`` each day's rates are first multiplied by a random factor of mean 1
(a Gamma-Poisson, over-dispersed process); within the day it is again Poisson.

The rate is piecewise constant (per hour of day × weekday factor) over the ticket hours,
so arrivals are generated segment by segment with exponential gaps: by memorylessness
a gap that crosses a segment's end is simply restarted at the next segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL

from simlib.engine.calendar import DAY, HallCalendar
from simlib.engine.schedule import Call, at_start
from simlib.scenario.model import WEEKDAYS, PerHourOrDay

__all__ = ["ArrivalStream", "arrival_times", "rate_segments", "with_day_factors"]

Segment = tuple[float, float, float]  # start, end (minutes), rate per minute


def _split_by_hour(spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Ticket spans of one day cut at clock-hour boundaries: (start, end, hour)."""
    out = []
    for s, e in spans:
        t = s
        while t < e:
            h = int(t // 60)
            nxt = min(e, (h + 1) * 60)
            out.append((t, nxt, h))
            t = nxt
    return out


def rate_segments(spec: PerHourOrDay, calendar: HallCalendar, factor: float = 1.0) -> list[Segment]:
    """Arrival rate segments over the horizon for one matter (rates times ``factor``)."""
    if factor != 1.0:
        return [(s, e, r * factor) for s, e, r in rate_segments(spec, calendar)]
    if spec.per_hour is not None:
        rate = spec.per_hour / 60.0
        return [(s, e, rate) for s, e in calendar.tickets.periods] if rate > 0 else []
    shapes: dict[tuple[object, ...], list[tuple[int, int, float]]] = {}
    segments: list[Segment] = []
    factors: dict[str, float] = {str(k): v for k, v in spec.weekday_factors.items()}
    own: dict[str, dict[str, float]] = {str(k): v for k, v in spec.profile_by_weekday.items()}
    for d in calendar.workdays():
        weekday = WEEKDAYS[calendar.weekday[d]]
        n = (spec.per_day or 0.0) * factors.get(weekday, 1.0)
        if n <= 0:
            continue
        spans = tuple(calendar.ticket_hours_on(d))
        profile = own.get(weekday, spec.profile)
        key = (spans, weekday if weekday in own else None)
        if key not in shapes:  # days with their own hours (or profile) have their own shape
            shapes[key] = _day_shape(profile, list(spans))
        base = d * DAY
        segments.extend((base + s, base + e, n * r) for s, e, r in shapes[key])
    return segments


def with_day_factors(
    segments: list[Segment], cv: float, rng: np.random.Generator, days: int
) -> list[Segment]:
    """``segments`` with each day's rates times a Gamma factor of mean 1 and coefficient of
    variation ``cv`` (shape 1/cv^2): a doubly stochastic (Gamma-Poisson) process whose
    daily counts have variance mean + mean^2 cv^2. One factor per calendar day of the
    horizon, drawn at once from ``rng`` (its own stream: other draws do not move)."""
    k = 1.0 / (cv * cv)
    factor = rng.gamma(k, 1.0 / k, size=days + 1)
    last = len(factor) - 1
    return [(s, e, r * float(factor[min(int(s // DAY), last)])) for s, e, r in segments]


def _day_shape(
    profile: dict[str, float] | None, spans: list[tuple[int, int]]
) -> list[tuple[int, int, float]]:
    """(start, end, share per minute) of one day's ticket hours; the shares sum to 1."""
    pieces = _split_by_hour([(s, e) for s, e in spans if e > s])
    if profile is not None:
        weights = [profile.get(f"{h:02d}", 0.0) for _, _, h in pieces]
        # Each clock hour's weight is spread over the open minutes of that hour.
        minutes_in_hour: dict[int, float] = {}
        for s, e, h in pieces:
            minutes_in_hour[h] = minutes_in_hour.get(h, 0.0) + e - s
        hours_seen = {h for _, _, h in pieces}
        total = sum(profile.get(f"{h:02d}", 0.0) for h in hours_seen)
        per_minute = [
            (w / total / minutes_in_hour[h]) if total > 0 else 0.0
            for w, (_, _, h) in zip(weights, pieces, strict=True)
        ]
    else:
        total_minutes = sum(e - s for s, e, _ in pieces)
        per_minute = [1.0 / total_minutes if total_minutes else 0.0] * len(pieces)
    return [(s, e, r) for (s, e, _), r in zip(pieces, per_minute, strict=True) if r > 0]


def arrival_times(
    segments: list[Segment], rng: np.random.Generator, horizon: float
) -> Iterator[float]:
    """The arrival instants (minutes) before ``horizon``: exponential gaps drawn in blocks
    of 4,096 from ``rng``, restarted at each segment's start."""
    gaps: list[float] = []
    for start, end, rate in segments:
        if start >= horizon:
            return
        end = min(end, horizon)
        t = start
        while True:
            if not gaps:
                gaps = rng.standard_exponential(4096).tolist()
                gaps.reverse()
            t += gaps.pop() / rate
            if t >= end:
                break
            yield t


class ArrivalStream:
    """``create()`` at each arrival instant, until ``horizon`` or until ``still_open()``
    says no more arrivals are needed (asked only from ``open_until`` on: before it, they
    are). Driven by event callbacks (see ``schedule``); each arrival is scheduled as a
    process's ``env.timeout(t - env.now)`` would be."""

    def __init__(
        self,
        env: simpy.Environment,
        segments: list[Segment],
        rng: np.random.Generator,
        horizon: float,
        create: Callable[[], None],
        still_open: Callable[[], bool] = lambda: True,
        open_until: float = 0.0,
    ):
        self.env = env
        self.times = arrival_times(segments, rng, horizon)
        self.create = create
        self.still_open = still_open
        self.open_until = open_until
        self._queue: list[Any] = env._queue
        self._eid = env._eid
        self._arrive_cb: list[Callable[[Any], None]] = [self._arrive]
        # One arrival is pending at a time: its event is reused (the loop clears the
        # callbacks when it fires; they are set again before it is pushed).
        self._arrival = Call(self._arrive_cb)
        at_start(env, self._next)

    def _next(self, _event: object = None) -> None:
        t = next(self.times, None)
        if t is not None:
            now = self.env._now
            arrival = self._arrival
            arrival.callbacks = self._arrive_cb
            heappush(self._queue, (now + (t - now), NORMAL, next(self._eid), arrival))

    def _arrive(self, _event: object) -> None:
        if self.env._now >= self.open_until and not self.still_open():
            return
        self.create()
        t = next(self.times, None)
        if t is not None:
            now = self.env._now
            arrival = self._arrival
            arrival.callbacks = self._arrive_cb
            heappush(self._queue, (now + (t - now), NORMAL, next(self._eid), arrival))

"""Arrivals: a non-homogeneous Poisson process, exact for rates that are constant per hour.

With a ``day_factor`` each day's rates are first multiplied by a random factor of mean 1
(a Gamma-Poisson, over-dispersed process); within the day it is again Poisson.

The rate is piecewise constant (per hour of day × weekday factor) over the ticket hours
(:func:`simlib.timekeeping.rate_segments`), so arrivals are generated segment by segment
with exponential gaps: by memorylessness a gap that crosses a segment's end is simply
restarted at the next segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from simpy.events import NORMAL

from simlib.engine.schedule import Call, Environment, at_start
from simlib.timekeeping import DAY, Segment

__all__ = ["ArrivalStream", "arrival_times", "with_day_factors"]


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
        env: Environment,
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
        self._push = env.push
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
            self._push(now + (t - now), NORMAL, next(self._eid), arrival)

    def _arrive(self, _event: object) -> None:
        if self.env._now >= self.open_until and not self.still_open():
            return
        self.create()
        t = next(self.times, None)
        if t is not None:
            now = self.env._now
            arrival = self._arrival
            arrival.callbacks = self._arrive_cb
            self._push(now + (t - now), NORMAL, next(self._eid), arrival)

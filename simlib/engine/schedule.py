"""Driving SimPy through its event list with callbacks instead of processes.

A SimPy process costs a generator resume and a ``Timeout`` object on every event. The
engine's officers, arrivals and timers instead put a plain event object with callbacks on
the environment's event list, exactly where ``env.timeout(delay)`` would have put its
timeout (same time, priority and sequence number), and a process start becomes an urgent
event at the current instant, as ``env.process`` schedules one. So the order in which
things happen, and hence the records, is the same as with processes, at a fraction of the
cost per event. ``Environment.step`` reads only ``callbacks`` and ``_ok`` of an event.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

__all__ = ["Call", "at_start", "later"]


class Call:
    """An event on SimPy's list that only calls back (a timeout without the object)."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callbacks: list[Callable[[Any], None]]):
        self._ok = True
        self._value: Any = None
        self.callbacks: list[Callable[[Any], None]] | None = callbacks


def later(env: simpy.Environment, delay: float, callback: Callable[[Any], None]) -> None:
    """Call ``callback(event)`` after ``delay``, ordered as ``env.timeout(delay)`` would be."""
    queue: list[Any] = env._queue
    heappush(queue, (env._now + delay, NORMAL, next(env._eid), Call([callback])))


def at_start(env: simpy.Environment, callback: Callable[[Any], None]) -> None:
    """Call ``callback(event)`` now, ordered as the start of a new ``env.process`` would be."""
    queue: list[Any] = env._queue
    heappush(queue, (env._now, URGENT, next(env._eid), Call([callback])))

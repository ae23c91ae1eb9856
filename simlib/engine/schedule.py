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
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EventPriority, StopSimulation
from simpy.events import NORMAL, URGENT

__all__ = ["Call", "at_start", "later", "run_until"]


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


def run_until(env: simpy.Environment, until: simpy.Event) -> None:
    """``env.run(until=until)`` with SimPy's loop written out: ``Environment.step``'s body
    inline, so that each of a run's millions of events costs no method call and no
    ``try`` of its own. The same events in the same order (one heap, popped the same
    way), and the same ends: ``until`` processed, a failed event that nobody defused
    raised, or a ``RuntimeError`` if the events run out first."""
    callbacks = until.callbacks
    if callbacks is None:
        return  # already processed
    callbacks.append(StopSimulation.callback)
    queue: list[Any] = env._queue
    while queue:
        env._now, _, _, event = heappop(queue)
        callbacks, event.callbacks = event.callbacks, None
        try:  # free in Python 3.11 unless raised
            for callback in callbacks:
                callback(event)
        except StopSimulation:  # as SimPy: the event's other callbacks run on resuming
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            env.schedule(event, EventPriority(-1))
            return
        if not event._ok and not hasattr(event, "_defused"):
            failure = event._value
            crash = type(failure)(*failure.args)
            crash.__cause__ = failure
            raise crash
    raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {until}')

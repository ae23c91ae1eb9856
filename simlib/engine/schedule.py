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
from typing import Any

import simpy
from simpy.core import EmptySchedule, EventPriority, StopSimulation
from simpy.events import NORMAL, URGENT

from simlib.engine.kernel.native import EventList, event_heap

__all__ = ["Call", "Environment", "at_start", "later", "run_until"]


class Environment(simpy.Environment):
    """SimPy's environment with its event list in C: the hall kernel's ``EventHeap`` when it
    is built (``kernel.native.event_heap``; else heapq). An event goes on it as
    ``push(time, priority, sequence number, event)`` and comes off in the order of SimPy's
    heap of ``(time, priority, sequence number, event)`` tuples (the sequence numbers are
    unique, so the event itself is never compared): the same events in the same order.
    Comparing two doubles in C instead of two tuples of Python objects (with a tuple
    allocated per event) was a sixth of a run's instructions on the district hall.
    ``schedule`` puts SimPy's own events (timeouts, processes) on it; ``peek`` is not
    offered (nothing in the engine asks)."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.event_list: EventList = event_heap()
        self.push = self.event_list.push
        self._queue = None  # type: ignore[assignment]  # SimPy's list is not used: fail loudly

    def schedule(
        self, event: simpy.Event, priority: EventPriority = NORMAL, delay: float = 0
    ) -> None:
        """Schedule ``event`` with ``priority`` after ``delay`` (as SimPy does)."""
        self.push(self._now + delay, priority, next(self._eid), event)

    def peek(self) -> float:
        raise NotImplementedError("the engine's event list has no peek")

    def step(self) -> None:
        """Process the next event (SimPy's ``step`` on this event list)."""
        try:
            self._now, _, event = self.event_list.pop()
        except IndexError:
            raise EmptySchedule from None
        callbacks, event.callbacks = event.callbacks, None
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc


class Call:
    """An event on SimPy's list that only calls back (a timeout without the object)."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callbacks: list[Callable[[Any], None]]):
        self._ok = True
        self._value: Any = None
        self.callbacks: list[Callable[[Any], None]] | None = callbacks


def later(env: Environment, delay: float, callback: Callable[[Any], None]) -> None:
    """Call ``callback(event)`` after ``delay``, ordered as ``env.timeout(delay)`` would be."""
    env.push(env._now + delay, NORMAL, next(env._eid), Call([callback]))


def at_start(env: Environment, callback: Callable[[Any], None]) -> None:
    """Call ``callback(event)`` now, ordered as the start of a new ``env.process`` would be."""
    env.push(env._now, URGENT, next(env._eid), Call([callback]))


def run_until(env: Environment, until: simpy.Event) -> None:
    """``env.run(until=until)`` with SimPy's loop written out: ``Environment.step``'s body
    inline, so that each of a run's millions of events costs no method call and no
    ``try`` of its own. The same events in the same order (one event list, popped the
    same way), and the same ends: ``until`` processed, a failed event that nobody defused
    raised, or a ``RuntimeError`` if the events run out first."""
    callbacks = until.callbacks
    if callbacks is None:
        return  # already processed
    callbacks.append(StopSimulation.callback)
    events = env.event_list
    pop = events.pop
    while events:
        env._now, _, event = pop()
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

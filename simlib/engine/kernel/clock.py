"""A heapq event list that stands in for ``simpy.Environment`` in the hall kernel.

It offers the part of SimPy's interface the engine uses (``now``, ``timeout``, ``event``,
``process``, ``run(until=event)`` and the event list ``_queue``/``_eid`` that the engine's
callbacks push on) with SimPy's ordering rule: events run by (time, priority, sequence
number), a process starts with an urgent event, ``timeout`` and ``succeed`` schedule a
normal one. So a model run on a ``Clock`` does exactly what it does on SimPy, event for
event, and its records are identical; it only skips SimPy's general machinery (failure
handling, conditions, interrupts, resources) that the engine does not use.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from heapq import heappop, heappush
from itertools import count
from typing import Any

__all__ = ["Clock", "Event"]

URGENT, NORMAL = 0, 1
_PENDING = object()


class Event:
    """An event: callbacks run when it is taken off the list (``callbacks`` is then None)."""

    __slots__ = ("_ok", "_value", "callbacks", "env")

    def __init__(self, env: Clock):
        self.env = env
        self.callbacks: list[Callable[[Any], None]] | None = []
        self._value: Any = _PENDING
        self._ok = True

    @property
    def triggered(self) -> bool:
        return self._value is not _PENDING

    @property
    def value(self) -> Any:
        return self._value

    def succeed(self, value: Any = None) -> Event:
        if self._value is not _PENDING:
            raise RuntimeError("event already triggered")
        self._value = value
        env = self.env
        heappush(env._queue, (env._now, NORMAL, next(env._eid), self))
        return self


class _Process:
    """A generator resumed by the events it yields (SimPy's ``Process``, minus failures)."""

    __slots__ = ("env", "generator")

    def __init__(self, env: Clock, generator: Generator[Any, Any, Any]):
        self.env = env
        self.generator = generator
        start = Event(env)
        start._value = None
        start.callbacks = [self._resume]
        heappush(env._queue, (env._now, URGENT, next(env._eid), start))

    def _resume(self, event: Any) -> None:
        try:
            target = self.generator.send(event._value)
        except StopIteration:
            return
        target.callbacks.append(self._resume)


class _Stop(Exception):
    pass


def _stop(_event: object) -> None:
    raise _Stop


class Clock:
    """The event list and the simulation clock (minutes)."""

    def __init__(self) -> None:
        self._now = 0.0
        self._queue: list[tuple[float, int, int, Any]] = []
        self._eid = count()

    @property
    def now(self) -> float:
        return self._now

    def timeout(self, delay: float) -> Event:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        event = Event(self)
        event._value = None
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), event))
        return event

    def event(self) -> Event:
        return Event(self)

    def process(self, generator: Generator[Any, Any, Any]) -> _Process:
        return _Process(self, generator)

    def run(self, until: Event) -> None:
        """Process events until ``until`` has been processed."""
        assert until.callbacks is not None
        until.callbacks.append(_stop)
        queue = self._queue
        try:
            while queue:
                self._now, _, _, event = heappop(queue)
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
        except _Stop:
            return
        raise RuntimeError("no events left before the end of the run")

"""Officers woken at one instant share one event (``officers.WakeUps``) and must wake in
the same order, among the same events, as with one wake-up event each."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from simpy.events import NORMAL

from simlib.engine.kernel.native import PyEventHeap
from simlib.engine.officers import Desk, HallState, Job, Officer, WakeUps
from simlib.engine.records import PoolTally
from simlib.engine.schedule import Call, Environment, at_start


def _officers(n: int) -> tuple[Environment, list[Officer], list[str]]:
    """``n`` idle officers (started and asleep at time 0) who note when they wake. The
    event list is heapq's (the same order as the C heap), so that the test can read it."""
    env = Environment()
    env.event_list = PyEventHeap()
    env.push = env.event_list.push
    records: Any = SimpleNamespace(tally_by_code=[PoolTally()], warmup=0.0, horizon=1e9)
    desk = Desk(0, "pool", PoolTally())
    hall = HallState()
    officers = [Officer(env, desk, j, hall, records) for j in range(n)]
    env.run(until=1)  # their starts run: nothing to do, they sleep
    seen: list[str] = []
    for officer in officers:
        officer._woken = lambda job, name=f"o{officer.index}": seen.append(name)  # type: ignore[method-assign]
    return env, officers, seen


def _wake_events(env: Environment) -> list[list[int]]:
    assert isinstance(env.event_list, PyEventHeap)
    return [
        [o.index for o, _ in event.officers]
        for *_, event in sorted(env.event_list._items)
        if isinstance(event, WakeUps)
    ]


def test_wake_ups_join_while_nothing_else_is_scheduled() -> None:
    env, officers, seen = _officers(4)
    assert all(o.asleep for o in officers)
    officers[0].hand(None)
    officers[1].hand(None)
    env.timeout(0)  # an event in between: the next wake-up cannot join
    officers[2].hand(None)
    officers[3].hand(None)
    assert _wake_events(env) == [[0, 1], [2, 3]]
    env.run(until=2)
    assert seen == ["o0", "o1", "o2", "o3"]


def _order(batched: bool) -> list[str]:
    """Three wake-ups at one instant; the first woken schedules something urgent then."""
    env, officers, seen = _officers(3)

    def urgent_after_first(job: Job | None) -> None:
        seen.append("o0")
        at_start(env, lambda _event: seen.append("urgent"))

    officers[0]._woken = urgent_after_first  # type: ignore[method-assign]
    if batched:
        for officer in officers:
            officer.hand(None)
        assert _wake_events(env) == [[0, 1, 2]]
    else:  # one event each, as before the batching
        for officer in officers:
            officer.asleep = False
            event = Call([lambda _e, o=officer: o._woken(None)])
            env.push(env.now, NORMAL, next(env._eid), event)
    env.run(until=2)
    return seen


def test_something_urgent_between_two_wake_ups_runs_between_them() -> None:
    assert _order(batched=False) == ["o0", "urgent", "o1", "o2"]
    assert _order(batched=True) == _order(batched=False)

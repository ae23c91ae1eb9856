"""``run_until`` on the engine's ``Environment`` (its event list in C when built): SimPy's
``env.run(until=event)`` with the loop written out must process the same events in the
same order and end the same ways as SimPy on its own heap."""

from __future__ import annotations

import pytest
import simpy

from simlib.engine.schedule import Environment, run_until


def _trace(use_ours: bool, step: bool = False) -> tuple[list[tuple[float, str]], float, int]:
    """Processes with simultaneous timeouts, urgent starts and a stop event mid-run; ours
    with ``run_until``, or (``step``) with SimPy's ``run``, stepping through our ``step``."""
    env = Environment() if use_ours else simpy.Environment()
    seen: list[tuple[float, str]] = []
    stop = env.event()

    def started(name: str):  # its start is urgent: before the timeouts due now
        seen.append((env.now, f"start {name}"))
        yield env.timeout(0)

    def worker(name: str, gaps: list[float]):
        for gap in gaps:
            yield env.timeout(gap)
            seen.append((env.now, name))
            env.process(started(name))
            if env.now >= 6 and not stop.triggered:
                stop.succeed()

    for k, gaps in enumerate(([1, 1, 2, 3], [2, 0, 2, 1, 5], [0.5, 1.5, 1, 3])):
        env.process(worker(f"w{k}", gaps))
    if use_ours:
        assert isinstance(env, Environment)
        if step:
            env.run(until=stop)
        else:
            run_until(env, stop)
        return seen, env.now, len(env.event_list)
    env.run(until=stop)
    return seen, env.now, len(env._queue)


def test_same_events_same_order_same_end() -> None:
    assert _trace(True) == _trace(False)
    assert _trace(True, step=True) == _trace(False)
    seen, now, left = _trace(True)
    assert [t for t, _ in seen] == sorted(t for t, _ in seen) and len(seen) == 22
    assert now == 6 and left > 0  # stopped at the event, later events still pending


def test_running_out_and_failures_end_as_simpy_does() -> None:
    env = Environment()
    env.timeout(1)
    with pytest.raises(RuntimeError, match="until"):
        run_until(env, env.event())

    env = Environment()

    def broken():
        yield env.timeout(1)
        raise ValueError("boom")

    env.process(broken())
    with pytest.raises(ValueError, match="boom"):
        run_until(env, env.event())
    done = env.event()
    done.callbacks = None  # already processed: nothing to run
    run_until(env, done)

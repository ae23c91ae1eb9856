"""Files that one courier round brings share one event (``flow.Round``) and must start
their steps in the same order, among the same events, as with one timer each."""

from __future__ import annotations

from array import array
from types import SimpleNamespace
from typing import Any

from simlib.engine.flow import CaseFlow, Round
from simlib.engine.schedule import Environment, at_start
from simlib.scenario.dists import Constant
from simlib.timekeeping import DAY

ROUND = 10 * 60.0  # 10:00 on day 0


def _flow(env: Environment) -> CaseFlow:
    """A case flow whose steps only note that they started (no hall, no officers)."""
    cols = {name: array("d") for name in ("visits", "status", "accepted", "decision", "revoked")}
    records: Any = SimpleNamespace(
        detail="kpi", case_cols=lambda: cols, cap=1e9, row_lists=lambda: ([], [])
    )
    hall: Any = SimpleNamespace(bind=lambda served, left: None)
    return CaseFlow(env, records, SimpleNamespace(), hall, Constant(value=1.0))


def _order(batched: bool) -> list[str]:
    """Three files handed over at 08:00 for the next day's 10:00 round; a timeout due then,
    set between the second and the third; the first file's step schedules something urgent."""
    env = Environment()
    flow = _flow(env)
    seen: list[str] = []
    step: Any = SimpleNamespace(name="step")

    def do_step(case: Any, _step: Any, _kind: int) -> None:
        seen.append(case)
        if case == "f0":
            at_start(env, lambda _event: seen.append("urgent"))

    flow._do_step = do_step  # type: ignore[method-assign]

    def hand_over(case: str) -> None:
        delay = ROUND + DAY - env._now  # the next day's round, as _step computes it
        if batched:
            flow._by_courier(delay, case, step)  # type: ignore[arg-type]
        else:  # one timer each, as before the rounds
            flow._after(delay, flow._handed_over, (case, step))

    env.run(until=8 * 60)
    hand_over("f0")
    hand_over("f1")
    env.timeout(ROUND + DAY - env.now).callbacks.append(lambda _event: seen.append("timeout"))
    hand_over("f2")
    if batched:
        rounds = list(flow._rounds.values())
        assert len(rounds) == 1 and isinstance(rounds[0], Round)
        assert [case for _, case, _ in rounds[0].files] == ["f0", "f1", "f2"]
    env.run(until=2 * DAY)
    return seen


def test_events_between_the_files_of_a_round_run_between_them() -> None:
    assert _order(batched=False) == ["f0", "urgent", "f1", "timeout", "f2"]
    assert _order(batched=True) == _order(batched=False)


def test_a_round_that_has_begun_takes_no_more_files() -> None:
    env = Environment()
    flow = _flow(env)
    step: Any = SimpleNamespace(name="step")
    seen: list[str] = []
    flow._do_step = lambda case, _step, _kind: seen.append(case)  # type: ignore[method-assign]
    flow._by_courier(ROUND, "f0", step)  # type: ignore[arg-type]
    assert list(flow._rounds) == [ROUND]
    env.run(until=ROUND + 1)
    assert seen == ["f0"] and not flow._rounds
    flow._by_courier(ROUND + DAY - env.now, "f1", step)  # type: ignore[arg-type]
    env.run(until=2 * DAY)
    assert seen == ["f0", "f1"]


def test_a_courier_arrives_at_the_next_round_whatever_was_asked_before() -> None:
    """``arrives`` keeps its last answer: it must give the bisection's for any order of
    questions (the engine asks in time order), ties on a round and after the last round."""
    import bisect
    import math
    import random

    from simlib.engine.model import Model
    from tests.unit.golden_halls import chains_hall

    model = Model(chains_hall(), 1)
    arrives = model._courier(["10:00", "15:00"])
    times = sorted(d * DAY + h * 60.0 for d in model.calendar.workdays() for h in (10, 15))
    rng = random.Random(7)
    asked = sorted(rng.uniform(0, times[-1] + DAY) for _ in range(300))
    asked += (
        times[:5]
        + [times[3] + 1, times[3], times[-1], times[-1] + 1]
        + [rng.uniform(0, 5 * DAY) for _ in range(50)]
    )
    for t in asked:
        i = bisect.bisect_left(times, t)
        assert arrives(t) == (times[i] if i < len(times) else math.inf), t

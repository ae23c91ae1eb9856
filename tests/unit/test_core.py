"""The run core: one function under replicate, compare and sweep."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from simlib.experiment.core import Job, evaluate, replication_seed, run_kpis
from tests.helpers import always_open, desk_matter, exp


def _desk(count: int) -> Any:
    return always_open(2, 0, {"d": {"count": count}}, [desk_matter(3, exp(10), pool="d")])


def fails_with_one_officer(scenario: Any, seed: int) -> dict[str, Any]:
    if scenario.pools["d"].count == 1:
        raise RuntimeError("no luck")
    return run_kpis(scenario, seed)


def test_failures_are_rows_and_the_batch_goes_on() -> None:
    jobs = [Job(_desk(c), replication_seed(1, r), {"c": c, "r": r}) for c in (1, 2) for r in (0, 1)]
    seen: list[tuple[int, int, int]] = []
    rows = list(evaluate(jobs, run=fails_with_one_officer, on_progress=lambda *a: seen.append(a)))
    assert len(rows) == 4 and seen[-1] == (4, 4, 2)
    failed = [r for r in rows if r["error"] is not None]
    assert {r["c"] for r in failed} == {1} and all(
        "RuntimeError: no luck" in r["error"] for r in failed
    )
    ok = [r for r in rows if r["error"] is None]
    assert all(r["cases_arrived"] > 0 for r in ok)


def test_rows_do_not_depend_on_the_executor() -> None:
    jobs = [Job(_desk(2), replication_seed(3, r), {"r": r}) for r in range(3)]
    sequential = sorted(evaluate(jobs), key=lambda r: r["r"])
    with ThreadPoolExecutor(2) as pool:
        threaded = sorted(evaluate(jobs, pool), key=lambda r: r["r"])
    drop = {"seconds"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in sequential] == [
        {k: v for k, v in r.items() if k not in drop} for r in threaded
    ]
    assert len({r["hall_wait_mean_min"] for r in sequential}) == 3  # different seeds differ


def test_identical_jobs_run_once_but_each_gets_its_row() -> None:
    calls: list[int] = []

    def counting(scenario: Any, seed: int) -> dict[str, Any]:
        calls.append(seed)
        return {"x": 1.0}

    jobs = [Job(_desk(2), 5, {"variant": v}) for v in ("a", "b")]
    rows = list(evaluate(jobs, run=counting))
    assert calls == [5] and sorted(r["variant"] for r in rows) == ["a", "b"]


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_bad_seeds_are_refused(seed: Any) -> None:
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        list(evaluate([Job(_desk(1), seed)]))

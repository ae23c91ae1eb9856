"""The run core: every batch of simulation runs in simlib goes through :func:`evaluate`.

``replicate``, ``compare``, ``sweep`` (and ``optimize``) describe their work as
:class:`Job` s — a scenario, a seed, and tags saying what the run is (``replication``,
``variant``, ``point``, ...) — and get back one flat row per job::

    from simlib.experiment.core import Job, evaluate, replication_seed

    jobs = [Job(scenario, replication_seed(1, r), {"replication": r}) for r in range(10)]
    for row in evaluate(jobs, executor=None, on_progress=print):
        ...  # {"replication": r, "seed": s, "seconds": t, <KPI columns>..., "error": None}

Contract:

* ``executor``: ``None`` runs in this process, in order; any
  ``concurrent.futures.Executor`` (:func:`process_pool`, a Dask client's
  ``get_executor()``) runs jobs in parallel. A row depends only on its (scenario, seed),
  never on the executor or the order: same scenario + seed, same KPIs.
* Rows are yielded as runs finish (completion order, not job order; sort by your tags).
  Each row is ``{**tags, "seed", "seconds", **kpis, "error"}``; ``error`` is None, or one
  line naming the exception of a run that failed, whose KPI columns are then absent
  (NaN in a DataFrame). A failing run never stops the batch.
* ``on_progress(done, total, failed)`` is called after every finished run.
* ``run`` (default :func:`run_kpis`) maps (scenario, seed) to a flat dict of numbers; pass
  another module-level function to collect other results. It must be picklable when an
  executor is used.
* Identical (scenario, seed) pairs are run once and their row is shared (a reform stacked
  first is the same scenario as that reform alone).
* ``store`` (a :class:`~simlib.experiment.store.RunStore`) keeps every finished run under
  a key of everything it depends on (scenario, seed, measure, simlib's version): a job
  whose run is stored is not run again, its row is read back by key. Without ``store``,
  the shared cache named by ``SIMLIB_CACHE`` (``--cache DIR``) is used if set.
* Ctrl-C (or any exception in the caller) cancels the jobs not yet started.
* Seeds must be integers >= 0 (:func:`check_seed`); :func:`replication_seed` derives the
  seed of replication r from a base seed, the same everywhere (common random numbers).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from simlib.engine import simulate
from simlib.experiment.store import RunStore, measure_name, run_key, shared_cache
from simlib.metrics import kpi_row
from simlib.scenario.model import Scenario

__all__ = [
    "Job",
    "Progress",
    "RunFn",
    "check_seed",
    "evaluate",
    "replication_seed",
    "run_kpis",
    "safe_run",
]

RunFn = Callable[[Scenario, int], dict[str, Any]]
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class Job:
    """One run to do: ``scenario`` with ``seed``; ``tags`` are copied into its row."""

    scenario: Scenario
    seed: int
    tags: Mapping[str, Any] = field(default_factory=dict)


def check_seed(seed: Any, what: str = "seed") -> int:
    """``seed`` as an int >= 0, or a ValueError saying what is allowed."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{what} must be a whole number >= 0; got {seed!r}")
    return int(seed)


def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of a study seeded ``seed`` (stable everywhere)."""
    check_seed(seed)
    return int(np.random.SeedSequence([seed, replication]).generate_state(1, np.uint32)[0])


def run_kpis(
    scenario: Scenario, seed: int, detail: Literal["full", "kpi"] = "kpi"
) -> dict[str, Any]:
    """One run's KPIs as one flat row: pooled, per pool, per matter, per hour (the default
    work unit of :func:`evaluate`)."""
    return kpi_row(simulate(scenario, seed, detail), scenario)


def safe_run(run: RunFn, scenario: Scenario, seed: int) -> dict[str, Any]:
    """``run(scenario, seed)`` with ``seed``, ``seconds`` and ``error`` added; an exception
    becomes the row's error (a failed run is a result, not a crash)."""
    started = time.perf_counter()
    try:
        values: dict[str, Any] = dict(run(scenario, seed))
        error = None
    except Exception as exc:
        values = {}
        error = traceback.format_exception_only(type(exc), exc)[-1].strip()
    values["seed"] = seed
    values["seconds"] = time.perf_counter() - started
    values["error"] = error
    return values


def evaluate(
    jobs: Iterable[Job],
    executor: Executor | None = None,
    on_progress: Progress | None = None,
    run: RunFn = run_kpis,
    store: RunStore | None = None,
) -> Iterator[dict[str, Any]]:
    """Run every job; yield one row per job as runs finish (see the module docstring)."""
    jobs = list(jobs)
    for job in jobs:
        check_seed(job.seed)
    if store is None:
        cache = shared_cache()
        store = RunStore(cache) if cache is not None else None
    measure = measure_name(run)
    groups: dict[tuple[str, int], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.scenario.model_dump_json(), job.seed), []).append(job)
    total, done, failed = len(jobs), 0, 0
    keys: dict[tuple[str, int], str] = {}

    def rows_of(key: tuple[str, int], values: dict[str, Any]) -> Iterator[dict[str, Any]]:
        nonlocal done, failed
        for job in groups[key]:
            done += 1
            failed += values["error"] is not None
            if on_progress is not None:
                on_progress(done, total, failed)
            yield {**job.tags, **values}

    def finished(key: tuple[str, int], values: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if store is not None and key in keys:
            store.put(keys[key], values)
        yield from rows_of(key, values)

    todo: dict[tuple[str, int], list[Job]] = {}
    for key, same in groups.items():
        if store is not None:
            keys[key] = run_key(same[0].scenario, same[0].seed, measure)
            stored = store.get(keys[key])
            if stored is not None:
                yield from rows_of(key, stored)
                continue
        todo[key] = same
    if executor is None:
        for key, same in todo.items():
            yield from finished(key, safe_run(run, same[0].scenario, same[0].seed))
        return
    futures: dict[Future[dict[str, Any]], tuple[str, int]] = {}
    try:
        for key, same in todo.items():
            futures[executor.submit(safe_run, run, same[0].scenario, same[0].seed)] = key
        for future in as_completed(futures):
            key = futures[future]
            try:
                values = future.result()
            except Exception as exc:  # the worker died (a broken pool, a lost Dask worker)
                reason = traceback.format_exception_only(type(exc), exc)[-1].strip()
                values = {"seed": key[1], "seconds": float("nan"), "error": reason}
                yield from rows_of(key, values)  # not stored: a lost worker is no result
                continue
            yield from finished(key, values)
    finally:
        for future in futures:
            future.cancel()

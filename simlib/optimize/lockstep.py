"""Several searches on one oracle in lockstep: their runs of a phase go out as one batch.

A portfolio frontier searches each budget; searched one after the other, a selection round
of three finalists or a screening round of a few packages leaves one of two workers idle.
Here each search runs in its own thread and asks a shared :class:`Lockstep` oracle for
observations; once every search still running is waiting, the caller's thread sends the
union of their requests to the real oracle as one batch (a run two searches want is made
once; runs are submitted from the caller's thread, and run in the executor's workers).
Each search gets exactly the observations it would get alone (an observation depends only
on its package and replication), so its decisions are those of the sequential definition,
on any executor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from simlib.optimize.screen import Observations, Portfolio, Request

__all__ = ["Lockstep", "in_lockstep"]

T = TypeVar("T")


class _BatchOracle(Protocol):
    def observe_all(self, requests: Sequence[Request]) -> list[Observations]: ...


class Lockstep:
    """The oracle the searches share: a search's request waits until every running search
    has one; then the dispatching thread (:func:`in_lockstep`'s caller) runs them."""

    def __init__(self, parties: int, workers: int = 1):
        if parties < 1:
            raise ValueError(f"lockstep needs at least one search; got {parties}")
        self.active, self.workers = parties, workers  # the real oracle's workers
        self._cond = threading.Condition()
        self._queue: list[tuple[int, list[Request]]] = []
        self._answers: dict[int, list[Observations] | BaseException] = {}
        self._tickets = 0
        self.batches: list[int] = []  # requests per batch sent

    def observe(self, portfolios: Sequence[Portfolio], replications: Sequence[int]) -> Observations:
        return self.observe_all([(portfolios, replications)])[0]

    def observe_all(self, requests: Sequence[Request]) -> list[Observations]:
        with self._cond:
            ticket = self._tickets
            self._tickets += 1
            self._queue.append((ticket, [(list(p), list(r)) for p, r in requests]))
            self._cond.notify_all()
            while ticket not in self._answers:
                self._cond.wait()
            out = self._answers.pop(ticket)
        if isinstance(out, BaseException):
            raise out
        return out

    def leave(self) -> None:
        """A search has finished: the others no longer wait for it."""
        with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def dispatch(self, oracle: _BatchOracle) -> None:
        """Until every search has left: once all running ones wait, run their requests as
        one batch (in this thread, so runs are submitted from the caller's thread)."""
        while True:
            with self._cond:
                while self.active and len(self._queue) < self.active:
                    self._cond.wait()
                if not self.active:
                    return
                queue, self._queue = self._queue, []
            flat = [req for _, reqs in queue for req in reqs]
            self.batches.append(len(flat))
            answers: dict[int, list[Observations] | BaseException] = {}
            try:
                found = oracle.observe_all(flat)
            except Exception as error:  # every waiting search stops with the run's error
                answers = {ticket: error for ticket, _ in queue}
            else:
                at = 0
                for ticket, reqs in queue:
                    answers[ticket] = found[at : at + len(reqs)]
                    at += len(reqs)
            with self._cond:
                self._answers.update(answers)
                self._cond.notify_all()


class _Result(Generic[T]):
    value: T
    error: BaseException | None = None


def in_lockstep(oracle: _BatchOracle, tasks: Sequence[Callable[[Lockstep], T]]) -> list[T]:
    """Run each task (given the shared oracle) in its own thread, in lockstep, this thread
    running the batches; the tasks' results in order. The first error (in task order) is
    raised once all have stopped."""
    shared = Lockstep(len(tasks), int(getattr(oracle, "workers", 1)))
    results: list[_Result[Any]] = [_Result() for _ in tasks]

    def work(task: Callable[[Lockstep], T], out: _Result[Any]) -> None:
        try:
            out.value = task(shared)
        except BaseException as error:
            out.error = error
        finally:
            shared.leave()

    threads = [
        threading.Thread(target=work, args=(task, out), daemon=True)
        for task, out in zip(tasks, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    shared.dispatch(oracle)
    for thread in threads:
        thread.join()
    for out in results:
        if out.error is not None:
            raise out.error
    return [out.value for out in results]

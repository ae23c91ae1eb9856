"""The hall: tickets, reneging, and what happens to waiting tickets at closing time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import simpy

from simlib.engine.officers import HallState, Job, Officer, WorkQueue
from simlib.engine.records import OUTCOMES, VISIT_KINDS, Records

if TYPE_CHECKING:
    from simlib.engine.calendar import HallCalendar
    from simlib.engine.streams import Draws

__all__ = ["Hall", "Ticket"]

SERVED, RENEGED, SENT_HOME, WAITING, IN_SERVICE = (OUTCOMES.index(o) for o in OUTCOMES)
SUBMIT, RETURN, COLLECT, SUPPLEMENT, STEP_VISIT = (VISIT_KINDS.index(k) for k in VISIT_KINDS)


class Ticket:
    """A walk-in waiting for a window: the job, and what to do when served or not."""

    __slots__ = ("case", "job", "kind", "on_left", "on_served", "queue")

    def __init__(
        self,
        case: int,
        kind: int,
        job: Job,
        queue: WorkQueue,
        on_served: Callable[[float], None],
        on_left: Callable[[bool], None],
    ):
        self.case = case
        self.kind = kind
        self.job = job
        self.queue = queue
        self.on_served = on_served  # called with the service end time
        self.on_left = on_left  # called with True if the applicant will come back


class Hall:
    """Issues tickets into the hall queues and handles reneging and closing time."""

    def __init__(
        self,
        env: simpy.Environment,
        records: Records,
        calendar: HallCalendar,
        state: HallState,
        queues: list[WorkQueue],
        at_close: str,
        patience: object | None,
        renege_return_prob: float,
    ):
        self.env = env
        self.records = records
        self.calendar = calendar
        self.state = state
        self.queues = queues
        self.at_close = at_close
        self.patience = patience
        self.renege_return_prob = renege_return_prob
        self.waiting: dict[Job, Ticket] = {}

    def issue(
        self,
        case: int,
        kind: int,
        queue: WorkQueue,
        pool: int,
        activity: int,
        work: float,
        draws: Draws,
        visit_no: int,
        on_served: Callable[[float], None],
        on_left: Callable[[bool], None],
    ) -> None:
        """A ticket for ``case``: served by an officer of ``queue``, or reneges, or is sent home."""
        job = Job(case, activity, pool, work, True, self._served)
        ticket = Ticket(case, kind, job, queue, on_served, on_left)
        self.waiting[job] = ticket
        queue.put(job, self.env.now)
        if self.patience is not None and not job.taken:
            patience = self.patience.quantile(draws.u("patience", visit_no))
            timer = self.env.timeout(patience)
            timer.callbacks.append(lambda _ev: self._renege(ticket, draws, visit_no))

    def _served(self, job: Job, start: float, end: float, officer: Officer) -> None:
        ticket = self.waiting.pop(job)
        rec = self.records
        rec.visit(ticket.case, ticket.kind, job.pool, job.enqueued, start, end, SERVED)
        rec.step(
            ticket.case, job.activity, officer.desk.code, officer.index, job.enqueued, start, end
        )
        ticket.on_served(end)

    def _renege(self, ticket: Ticket, draws: Draws, visit_no: int) -> None:
        if not ticket.queue.withdraw(ticket.job):
            return
        self._leave(ticket, RENEGED, draws.u("renege_return", visit_no) < self.renege_return_prob)

    def _leave(self, ticket: Ticket, outcome: int, comes_back: bool) -> None:
        del self.waiting[ticket.job]
        job = ticket.job
        nan = float("nan")
        self.records.visit(
            ticket.case, ticket.kind, job.pool, job.enqueued, nan, self.env.now, outcome
        )
        ticket.on_left(comes_back)

    def closing(self) -> Iterator[simpy.Event]:
        """SimPy process: at each closing time serve the leftovers or send them home."""
        env = self.env
        closes = self.calendar.closing_times()
        opens = self.calendar.open.starts
        for close in closes:
            if close >= self.records.horizon:
                break
            yield env.timeout(close - env.now)
            if self.at_close == "send_home":
                for queue in self.queues:
                    for job in queue.waiting():
                        queue.withdraw(job)
                        self._leave(self.waiting[job], SENT_HOME, True)
                continue
            self.state.overtime = True
            for queue in self.queues:
                for desk in queue.owners:
                    for officer in desk.officers:
                        officer.hand(None)  # off duty, waiting: look at the leftovers
            nxt = next((s for s in opens if s > close), None)
            if nxt is None or nxt >= self.records.horizon:
                break
            yield env.timeout(nxt - env.now)
            self.state.overtime = False

    def flush(self) -> None:
        """At the end of the run, record the tickets still waiting or being served."""
        nan = float("nan")
        for job, ticket in self.waiting.items():
            call, outcome = (job.started, IN_SERVICE) if job.taken else (nan, WAITING)
            self.records.visit(ticket.case, ticket.kind, job.pool, job.enqueued, call, nan, outcome)

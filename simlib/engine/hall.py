"""The hall: tickets, reneging, and what happens to waiting tickets at closing time."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

import simpy
from simpy.events import NORMAL

from simlib.engine.balking import BalkingRule
from simlib.engine.kernel.native import EventList, event_heap
from simlib.engine.officers import INF, HallState, Job, Officer, WorkQueue, new_job
from simlib.engine.records import CHUNK, OUTCOMES, VISIT_KINDS, Records
from simlib.engine.schedule import Call, Environment
from simlib.scenario.dists import BaseDistribution

if TYPE_CHECKING:
    from simlib.timekeeping import HallCalendar

__all__ = ["Hall", "Ticket", "new_ticket"]

SERVED, RENEGED, SENT_HOME, WAITING, IN_SERVICE = (OUTCOMES.index(o) for o in OUTCOMES[:5])
BALKED = OUTCOMES.index("balked")
SUBMIT, RETURN, COLLECT, SUPPLEMENT, STEP_VISIT = (VISIT_KINDS.index(k) for k in VISIT_KINDS[:5])


Ticket = Job  # a walk-in's ticket: the window job, with whose it is and what it is for
J = TypeVar("J", bound=Job)


def new_ticket(
    cls: type[J],
    holder: Any,
    kind: int,
    queue: WorkQueue,
    pool: int,
    activity: int,
    work: float,
    visit_no: int,
    on_done: Callable[[J, float, float, Officer], None],
) -> J:
    """A ticket of class ``cls`` (``Job``, or a booked ticket) for ``holder``, every field
    set here: cheaper than a class's ``__init__``, which CPython calls from C."""
    ticket: J = new_job(cls)
    ticket.case = holder.id
    ticket.activity = activity
    ticket.pool = pool
    ticket.work = work
    ticket.window = True
    ticket.on_done = on_done  # type: ignore[assignment]  # it is given back its own J
    ticket.enqueued = 0.0
    ticket.started = -1.0
    ticket.taken = False
    ticket.deadline = INF
    ticket.holder = holder
    ticket.kind = kind
    ticket.queue = queue
    ticket.visit_no = visit_no
    return ticket


class Hall:
    """Issues tickets into the hall queues and handles reneging and closing time."""

    def __init__(
        self,
        env: Environment,
        records: Records,
        calendar: HallCalendar,
        state: HallState,
        queues: list[WorkQueue],
        at_close: str,
        patience: BaseDistribution | None,
        renege_return_prob: float,
        balking: BalkingRule | None = None,
    ):
        self.env = env
        self.records = records
        self.calendar = calendar
        self.state = state
        self.queues = queues
        self.at_close = at_close
        self.patience = patience
        self.renege_return_prob = renege_return_prob
        self.balking = balking  # None: everyone takes a ticket
        self.appointments: Any = None  # an AppointmentDesk when some matter books slots
        self._log = records.detail == "full"  # the event log is kept
        self._visit_rows, self._step_rows = records.row_lists()
        self.waiting: dict[Ticket, None] = {}  # insertion-ordered: flushing is deterministic
        self.on_served: Callable[[Ticket], None] = lambda ticket: None
        self.on_left: Callable[[Ticket, bool], None] = lambda ticket, comes_back: None
        # Patience ends not yet due, (time, sequence number, ticket): only the earliest has a
        # timer on the event list (see ``_renege_due``), so a ticket called in time costs no
        # event. The earliest is held apart (``_head``), the others wait in an event list in
        # C (``kernel.native.event_heap``, pushed as (time, number, number, ticket)), so
        # that no tuple is compared. ``_armed``: the sequence numbers that have their timer.
        self._head: tuple[float, int, Ticket] | None = None
        self._pending: EventList = event_heap()
        self._armed: set[int] = set()
        self._renege_cb: list[Callable[[Any], None]] = [self._renege_due]  # shared by all

    def bind(
        self, on_served: Callable[[Ticket], None], on_left: Callable[[Ticket, bool], None]
    ) -> None:
        """What to do when a ticket is served, or its holder leaves (True: comes back later)."""
        self.on_served = on_served
        self.on_left = on_left

    def issue(
        self,
        holder: Any,
        kind: int,
        queue: WorkQueue,
        pool: int,
        activity: int,
        work: float,
        visit_no: int,
    ) -> None:
        """A ticket for ``holder`` (a case): served by an officer of ``queue``, or reneges, or
        is sent home; the bound handlers hear which."""
        if (
            self.appointments is not None
            and kind == SUBMIT
            and self.appointments.books(holder, queue, pool, activity, work, visit_no)
        ):
            return  # booked a slot: comes then (see engine.appointments)
        ticket = new_ticket(Job, holder, kind, queue, pool, activity, work, visit_no, self._served)
        if self.balking is not None and self.balking.balks(holder, queue, visit_no):
            self._balk(ticket)
            return
        self.waiting[ticket] = None
        queue.put(ticket, self.env._now)
        quantile = holder.plan.patience_quantile  # the matter's own, else the hall's
        if quantile is not None and not ticket.taken:
            patience = quantile(holder.u("patience", visit_no))
            env = self.env
            at, seq = env._now + patience, next(env._eid)  # as env.timeout(patience) would be
            head = self._head
            # The earliest patience end (its number is the largest yet, so an equal time is
            # later): its timer goes on the list.
            if head is None or at < head[0]:
                if head is not None:
                    self._pending.push(head[0], head[1], head[1], head[2])
                self._head = (at, seq, ticket)
                self._arm(at, seq)
            else:
                self._pending.push(at, seq, seq, ticket)

    def _served(self, ticket: Ticket, start: float, end: float, officer: Officer) -> None:
        del self.waiting[ticket]
        # Records.visit and Records.step written out (see Records.row_lists).
        case, enqueued = ticket.case, ticket.enqueued
        rows = self._visit_rows
        rows.append((case, ticket.kind, ticket.pool, enqueued, start, end, SERVED))
        if len(rows) >= CHUNK:
            self.records.flush_rows()
        if self._log:
            rows = self._step_rows
            rows.append(
                (case, ticket.activity, officer.desk.code, officer.index, enqueued, start, end)
            )
            if len(rows) >= CHUNK:
                self.records.flush_rows()
        self.on_served(ticket)

    def _arm(self, at: float, seq: int) -> None:
        """Put a patience end's timer on the event list with the key (time, priority,
        sequence number) that ``env.timeout(patience)`` got when the ticket was issued."""
        timer = Call(self._renege_cb)
        timer._value = seq
        self._armed.add(seq)
        self.env.push(at, NORMAL, seq, timer)

    def _renege_due(self, timer: Call) -> None:
        """A patience end is due. Only the earliest pending one ever has a timer, and it keeps
        the key it got at issue, so reneging happens at the same instant and in the same
        order among simultaneous events as with one timeout per ticket; tickets called
        before their patience ran out are dropped here without an event of their own."""
        seq = timer._value
        self._armed.discard(seq)
        pending = self._pending
        head = self._head
        if head is not None and head[1] == seq:
            self._head = pending.pop() if pending else None
            self._renege(head[2])  # may issue a ticket (a new head)
            head = self._head
        while head is not None and head[2].taken:  # called in time: nothing to do
            head = pending.pop() if pending else None
        self._head = head
        if head is not None and head[1] not in self._armed:
            self._arm(head[0], head[1])

    def _renege(self, ticket: Ticket) -> None:
        if not ticket.queue.withdraw(ticket):
            return
        back = ticket.holder.u("renege_return", ticket.visit_no) < self.renege_return_prob
        self._leave(ticket, RENEGED, back)

    def _balk(self, ticket: Ticket) -> None:
        """Left at the display without a ticket: a visit with no call, recorded as balked."""
        assert self.balking is not None
        now = self.env._now
        self.records.visit(ticket.case, ticket.kind, ticket.pool, now, float("nan"), now, BALKED)
        self.on_left(ticket, self.balking.comes_back(ticket.holder, ticket.visit_no))

    def _leave(self, ticket: Ticket, outcome: int, comes_back: bool) -> None:
        del self.waiting[ticket]
        nan = float("nan")
        self.records.visit(
            ticket.case, ticket.kind, ticket.pool, ticket.issued, nan, self.env._now, outcome
        )
        self.on_left(ticket, comes_back)

    def closing(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: at each closing time serve the leftovers or send them home."""
        env = self.env
        closes = self.calendar.closing_times()
        opens = self.calendar.open.starts
        for close in closes:
            if close >= self.records.cap:
                break
            yield env.timeout(close - env.now)
            if self.at_close == "send_home":
                for queue in self.queues:
                    for ticket in queue.waiting():
                        queue.withdraw(ticket)
                        self._leave(ticket, SENT_HOME, True)
                continue
            self.state.overtime = True
            self.state.closed_at = close
            for queue in self.queues:
                for desk in queue.owners:
                    for officer in desk.officers:
                        officer.hand(None)  # off duty, waiting: look at the leftovers
            nxt = next((s for s in opens if s > close), None)
            if nxt is None or nxt >= self.records.cap:
                break
            yield env.timeout(nxt - env.now)
            self.state.overtime = False

    def flush(self) -> None:
        """At the end of the run, record the tickets still waiting or being served."""
        nan = float("nan")
        for ticket in self.waiting:
            call, outcome = (ticket.started, IN_SERVICE) if ticket.taken else (nan, WAITING)
            self.records.visit(
                ticket.case, ticket.kind, ticket.pool, ticket.enqueued, call, nan, outcome
            )

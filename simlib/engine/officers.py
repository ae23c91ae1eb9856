"""Officers pull work: queues, pools (desks) and the officer process.

One mechanism gives dedicated windows, comprehensive windows, AB posts and absences: an
officer on duty takes the next item from the queues its pool serves (hall tickets first,
then back-office work), then from the queues of pools it backs up while those have absent
officers. A new item goes straight to an idle officer who may serve it, else it waits.
Window service is non-preemptive; back-office work counts working minutes and, when the
shift ends, stays on the officer's desk until the next period the officer is present.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simpy.events import NORMAL

from simlib.engine.schedule import Call, Environment, at_start

if TYPE_CHECKING:
    from simlib.engine.records import PoolTally, Records

INF = math.inf  # a constant, not float("inf") parsed for every job, ticket and case

__all__ = [
    "INF",
    "DeadlineQueue",
    "Desk",
    "HallState",
    "Job",
    "Officer",
    "PriorityQueue",
    "WorkQueue",
    "new_job",
]


class Job:
    """One piece of work for an officer: a ticket at a window (``hall.new_ticket``) or a
    back-office task (``flow.new_step_job``).

    One class for both, with the fields of each (a ticket's ``kind``, ``queue`` and
    ``visit_no``, a task's ``step`` and ``attempt``, and the ``holder`` of both), not a
    subclass each: the queues and the officer's loop read the fields of every job, and
    CPython specialises such a read to one class, falling back to a slower lookup where
    it sees two classes in turn."""

    __slots__ = (
        "activity",
        "attempt",
        "case",
        "deadline",
        "enqueued",
        "holder",
        "kind",
        "on_done",
        "pool",
        "queue",
        "started",
        "step",
        "taken",
        "visit_no",
        "window",
        "work",
    )
    holder: Any  # the case whose work it is (``flow.Case``)
    kind: int  # a ticket's visit kind (``records.VISIT_KINDS``)
    queue: WorkQueue  # a ticket's hall queue
    visit_no: int  # a ticket's visit of its case (0: the first)
    step: Any  # a task's step (``flow.StepPlan``; None: the online pre-review)
    attempt: int  # a task's attempt at its step (0: the first)

    def __init__(
        self,
        case: int,
        activity: int,
        pool: int,
        work: float,
        window: bool,
        on_done: Callable[[Job, float, float, Officer], None],
    ):
        self.case = case
        self.activity = activity
        self.pool = pool  # whose work it is (for waits per pool)
        self.work = work  # minutes still to do
        self.window = window
        self.on_done = on_done  # called with (job, first service start, end, officer)
        self.enqueued = 0.0
        self.started = -1.0  # first service start; -1 while waiting
        self.taken = False  # left the queue (served, reneged or sent home)
        self.deadline = INF  # for deadline-first back offices

    @property
    def issued(self) -> float:
        """A ticket's wait is measured from when it was taken (a booked one: its slot)."""
        return self.enqueued


# ``new_job(cls)``: a job of class ``cls`` without ``__init__``, for the factories that set
# every field themselves (``hall.new_ticket``, ``flow.new_step_job``). Any: it returns cls.
new_job: Any = object.__new__


class WorkQueue:
    """FIFO of jobs with lazy removal (reneged tickets are skipped when reached)."""

    def __init__(self, name: str, owners: list[Desk]):
        self.name = name
        self.owners = owners
        self.items: deque[Job] = deque()
        self.live = 0  # items not yet taken
        # Plain first-in first-out (no ``_push`` of a subclass): ``put`` appends itself.
        self._fifo = type(self)._push is WorkQueue._push

    def put(self, job: Job, now: float) -> None:
        job.enqueued = now
        for desk in self.owners:
            if desk.idle:
                job.taken = True
                desk.idle.pop().hand(job)
                return
        for desk in self.owners:
            backup = desk.backup
            if backup is not None and backup.idle and desk.absent_today:
                job.taken = True
                backup.idle.pop().hand(job)
                return
        if self._fifo:
            self.items.append(job)
        else:
            self._push(job)
        self.live += 1

    def _push(self, job: Job) -> None:
        self.items.append(job)

    def pop(self) -> Job | None:
        items = self.items
        while items:
            job = items.popleft()
            if not job.taken:
                self.live -= 1
                job.taken = True
                return job
        return None

    def withdraw(self, job: Job) -> bool:
        """Take a waiting job out (reneging, sent home); False if it was already taken."""
        if job.taken:
            return False
        job.taken = True
        self.live -= 1
        return True

    def waiting(self) -> list[Job]:
        return [j for j in self.items if not j.taken]


class DeadlineQueue(WorkQueue):
    """Earliest deadline first (ties and no-deadline work in arrival order)."""

    def __init__(self, name: str, owners: list[Desk]):
        super().__init__(name, owners)
        self.heap: list[tuple[float, int, Job]] = []
        self._seq = 0

    def _push(self, job: Job) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (job.deadline, self._seq, job))

    def pop(self) -> Job | None:
        heap = self.heap
        while heap:
            job = heapq.heappop(heap)[2]
            if not job.taken:
                self.live -= 1
                job.taken = True
                return job
        return None

    def waiting(self) -> list[Job]:
        return [entry[2] for entry in sorted(self.heap) if not entry[2].taken]


class PriorityQueue(DeadlineQueue):
    """Hall tickets by priority (higher first), FIFO within a level; non-preemptive.

    Used only for a hall queue whose matters have different priorities, so that the plain
    FIFO queue of every other hall keeps its hot path. ``rank`` maps a ticket to its
    priority (the engine passes one that reads the ticket's matter)."""

    def __init__(self, name: str, owners: list[Desk], rank: Callable[[Job], int]):
        super().__init__(name, owners)
        self.rank = rank

    def _push(self, job: Job) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (-self.rank(job), self._seq, job))


class Desk:
    """A pool of officers: its queues, who is idle, who is absent today, whom it backs up."""

    def __init__(self, code: int, name: str, tally: PoolTally):
        self.code = code
        self.name = name
        self.tally = tally
        self.officers: list[Officer] = []
        self.hall_queue: WorkQueue | None = None
        self.back_queue: WorkQueue | None = None
        self.queues: list[WorkQueue] = []  # own queues, in the order officers look at them
        self.backup: Desk | None = None  # takes our work while we have absentees
        self.backs_up: list[Desk] = []
        self.idle: list[Officer] = []
        self.absent_today = 0

    def wake_idle(self) -> None:
        """Idle officers look at the queues again (e.g. a backed-up pool lost officers)."""
        idle, self.idle = self.idle, []
        for officer in idle:
            officer.hand(None)


class Officer:
    """An officer who pulls work while on duty, driven by SimPy event callbacks.

    It behaves exactly as a SimPy process looping "take the next job, serve it" would (the
    same events at the same instants, scheduled in the same order, so records are identical),
    without a generator to resume on every event: the loop body runs in the callbacks of
    its service timeouts and of its wake-up event."""

    def __init__(self, env: Environment, desk: Desk, index: int, hall: HallState, records: Records):
        self.env = env
        self.desk = desk
        self.index = index
        self.hall = hall
        self.records = records
        self.on_duty = False
        self.absent = False  # today (the roster says): no overtime either
        self.duty_end = 0.0
        self.held: Job | None = None  # back-office work left unfinished at shift end
        self.asleep = False  # waiting for work: ``hand`` wakes it
        self.job: Job | None = None  # in service
        self.start = 0.0  # of the current service (chunk)
        self.chunk = 0.0  # back-office minutes of the current service
        self._push = env.push  # service ends go on the event list directly
        self._before = env.event_list.before  # for the wake-ups of one instant (``_wake``)
        self._eid = env._eid
        self._tally = desk.tally
        self._tallies = records.tally_by_code
        self._warmup, self._horizon = records.warmup, records.horizon
        # The callbacks of a service end (shared: SimPy only iterates over them).
        self._window_cb: list[Callable[[Any], None]] = [self._window_done]
        self._back_cb: list[Callable[[Any], None]] = [self._back_done]
        # An officer serves one job at a time, so one service-end event is reused for every
        # service (the event loop clears its callbacks when it fires; they are set again).
        self._service_end = Call(self._window_cb)
        at_start(env, self._loop)  # started as a SimPy process would be

    def hand(self, job: Job | None) -> None:
        """Wake the waiting officer, with a job or just to look again (None): at the current
        instant, after what is already scheduled then (as ``event.succeed(job)`` would)."""
        if self.asleep:
            self.asleep = False
            if job is not None and (job.window or self.env._now < self.duty_end):
                # Handed work it can start now: start at once. A wake-up event would run
                # next anyway (nothing else is due at the instant work is handed over,
                # which follows an arrival, a return or a service end), so this only saves
                # the event; the golden records pin it.
                self._begin(job)
                return
            # The wake-up keeps its own sequence number; it joins the last wake-up event
            # when nothing was scheduled since (a shift start wakes a whole pool at once).
            eid = next(self._eid)
            now = self.env._now
            hall = self.hall
            wakes = hall.wakes
            if wakes is not None and wakes.last == eid - 1 and wakes.at == now:
                wakes.officers.append((self, job))
                wakes.last = eid
                return
            wakes = hall.wakes = WakeUps(now, eid, [(self, job)])
            self._push(now, NORMAL, eid, wakes)

    def _next(self) -> Job | None:
        desk = self.desk
        if self.on_duty and self.env._now < self.duty_end:
            if self.held is not None:
                job, self.held = self.held, None
                return job
            for queue in desk.queues:
                if queue.live:
                    return queue.pop()
            return self._backed_up_work()
        return self._leftover()

    def _backed_up_work(self) -> Job | None:
        """Work of a pool this officer backs up (an AB post) whose officer is absent today."""
        for other in self.desk.backs_up:
            if other.absent_today:
                for queue in other.queues:
                    if queue.live:
                        return queue.pop()
        return None

    def _leftover(self, call: Callable[[WorkQueue], Job | None] | None = None) -> Job | None:
        """Off duty: only leftover tickets after closing, when the hall serves them all, by the
        officers whose shift ran until closing (not those who left earlier or are absent).
        ``call`` takes the ticket from the queue (a skilled officer calls only its skills)."""
        leftover = self.desk.hall_queue
        hall = self.hall
        if (
            hall.overtime
            and not self.absent
            and leftover is not None
            and leftover.live
            and self.duty_end >= hall.closed_at
        ):
            return leftover.pop() if call is None else call(leftover)
        return None

    def _loop(self, _event: object = None) -> None:
        """Take jobs until one needs time (a service timeout) or none is left (sleep).
        ``_next`` and ``_begin`` written out (two calls less per job: this runs after
        every service); a subclass with its own ``_next`` loops with ``_loop_next``
        (``__init_subclass__``)."""
        desk, env = self.desk, self.env
        while True:
            start = env._now
            if self.on_duty and start < self.duty_end:
                job = self.held
                if job is not None:
                    self.held = None
                else:
                    for queue in desk.queues:
                        if queue.live:
                            job = queue.pop()
                            break
                    else:
                        job = self._backed_up_work()
            else:
                job = self._leftover()
            if job is None:  # sleep until handed work (idle only while on duty)
                self.asleep = True
                if self.on_duty:
                    desk.idle.append(self)
                return
            # self._begin(job), the same statements:
            if job.started < 0.0:
                job.started = start
                if self._warmup <= start < self._horizon:
                    pool_tally = self._tallies[job.pool]
                    pool_tally.wait_sum += start - job.enqueued
                    pool_tally.wait_n += 1
            self.job = job
            self.start = start
            end = self._service_end
            if job.window:
                end.callbacks = self._window_cb
                push = self._push
                push(start + job.work, NORMAL, next(self._eid), end)
                return
            chunk = self.duty_end - start
            if job.work < chunk:
                chunk = job.work
            if chunk > 0.0:
                self.chunk = chunk
                end.callbacks = self._back_cb
                push = self._push
                push(start + chunk, NORMAL, next(self._eid), end)
                return
            self._back_finish(job, start)

    def _loop_next(self, _event: object = None) -> None:
        """``_loop`` taking each job from ``_next``."""
        while True:
            job = self._next()
            if job is None:  # sleep until handed work (idle only while on duty)
                self.asleep = True
                if self.on_duty:
                    self.desk.idle.append(self)
                return
            if self._begin(job):
                return

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """An officer that picks its jobs its own way (``_next``) loops over them."""
        super().__init_subclass__(**kwargs)
        if cls._next is not Officer._next and cls._loop is Officer._loop:
            cls._loop = Officer._loop_next  # type: ignore[method-assign]

    def _woken(self, job: Job | None) -> None:
        if job is None or not self._begin(job):
            self._loop()

    def _begin(self, job: Job) -> bool:
        """Start serving ``job``; False if it ended at once (no time left in the shift).
        A service end is scheduled as ``env.timeout(delay)`` would be (same time, priority
        and sequence number), with a plain event object."""
        start = self.env._now
        if job.started < 0.0:  # a float literal: the comparison of two floats is the fast one
            job.started = start
            if self._warmup <= start < self._horizon:
                pool_tally = self._tallies[job.pool]
                pool_tally.wait_sum += start - job.enqueued
                pool_tally.wait_n += 1
        self.job = job
        self.start = start
        end = self._service_end
        if job.window:
            end.callbacks = self._window_cb
            self._push(start + job.work, NORMAL, next(self._eid), end)
            return True
        chunk = self.duty_end - start
        if job.work < chunk:
            chunk = job.work
        if chunk > 0.0:
            self.chunk = chunk
            end.callbacks = self._back_cb
            self._push(start + chunk, NORMAL, next(self._eid), end)
            return True
        self._back_finish(job, start)
        return False

    def _window_done(self, _event: object) -> None:
        job, start, end = self.job, self.start, self.env._now
        warmup, horizon = self._warmup, self._horizon
        tally = self._tally
        if end > self.duty_end:  # served past the shift: overtime is available time
            tally.available += _overlap(max(start, self.duty_end), end, warmup, horizon)
        if start >= warmup and end <= horizon:
            tally.busy += end - start
        else:
            tally.busy += _overlap(start, end, warmup, horizon)
        assert job is not None
        job.on_done(job, job.started, end, self)
        self._loop()

    def _back_done(self, _event: object) -> None:
        job, start, end = self.job, self.start, self.env._now
        assert job is not None
        job.work -= self.chunk
        warmup, horizon = self._warmup, self._horizon
        if job.work > 1e-9:  # the shift ended first: the rest waits on the desk
            self._tally.busy += _overlap(start, end, warmup, horizon)
            self.held = job
        else:
            if start >= warmup and end <= horizon:
                self._tally.busy += end - start
            else:
                self._tally.busy += _overlap(start, end, warmup, horizon)
            job.on_done(job, job.started, end, self)
        self._loop()

    def _back_finish(self, job: Job, start: float) -> None:
        end = self.env._now
        warmup, horizon = self._warmup, self._horizon
        if job.work > 1e-9:
            self._tally.busy += _overlap(start, end, warmup, horizon)
            self.held = job
            return
        if start >= warmup and end <= horizon:
            self._tally.busy += end - start
        else:
            self._tally.busy += _overlap(start, end, warmup, horizon)
        job.on_done(job, job.started, end, self)


class HallState:
    """What officers need to know about the hall: is it after closing, serving leftovers?
    And the officers' last wake-up event, which later wake-ups may join."""

    __slots__ = ("closed_at", "overtime", "wakes")

    def __init__(self) -> None:
        self.overtime = False
        self.closed_at = 0.0  # the last closing time
        self.wakes: WakeUps | None = None


class WakeUps(Call):
    """The wake-ups of officers handed work or told to look again at one instant, with
    consecutive sequence numbers ``first`` to ``last``: one event instead of one each.

    When it comes off the event list it wakes its next officer, then the one after while
    nothing else on the list comes before that officer's key (time, priority, sequence
    number); else it goes back on the list under that key, and whatever comes first --
    something urgent a woken officer scheduled at this instant -- runs first. So officers
    wake in the same order, among the same events, as with an event each, without a push
    and a pop per officer (the list's ``before``)."""

    __slots__ = ("at", "first", "last", "next", "officers")

    def __init__(self, at: float, eid: int, officers: list[tuple[Officer, Job | None]]):
        super().__init__(_WAKE)
        self.at = at
        self.first = self.last = eid
        self.officers = officers
        self.next = 0  # the officer to wake when it comes off the list


def _wake(wakes: WakeUps) -> None:
    """Wake the next officers of ``wakes`` (see ``WakeUps``)."""
    k, officers, at = wakes.next, wakes.officers, wakes.at
    officer, job = officers[k]
    hall = officer.hall
    if hall.wakes is wakes:
        hall.wakes = None  # it runs: later wake-ups need an event of their own
    before = officer._before
    while True:
        officer._woken(job)
        k += 1
        if k == len(officers):
            return
        eid = wakes.first + k
        if before(at, NORMAL, eid):  # something comes first: wait on the list
            wakes.next = k
            wakes.callbacks = _WAKE
            officer._push(at, NORMAL, eid, wakes)
            return
        officer, job = officers[k]


_WAKE: list[Callable[[Any], None]] = [_wake]  # shared: the event loop only iterates over it


def _overlap(a: float, b: float, lo: float, hi: float) -> float:
    # max(0.0, min(b, hi) - max(a, lo)), written out: the same values (NaN included), at a
    # fraction of the cost of three builtin calls (every service before the warm-up's end).
    b = hi if hi < b else b
    a = lo if lo > a else a
    d = b - a
    return d if d > 0.0 else 0.0

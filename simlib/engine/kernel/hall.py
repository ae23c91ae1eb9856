"""The hall kernel's event loop: a window-only hall on a heapq of tuples, without SimPy.

It runs the SimPy engine's model of a hall whose tickets only meet window pools (see
``applies``) with plain data: an event is a tuple ``(time, priority, sequence, kind,
payload)`` dispatched on ``kind`` inline, a ticket is a list, an officer a ``__slots__``
object, and the per-ticket stages (issue, call, service end, check, return, reneging,
collection) are written out in one loop instead of going through the engine's objects.

Why the records are identical, ticket by ticket: every event the SimPy engine schedules
that has an effect is scheduled here at the same instant, computed with the same
floating-point expression, with the same priority, and in the same order relative to the
others (the sequence number only breaks ties, so the events that only SimPy has, such as
the backlog sampler's or the officers' start events, do not change the order of the rest).
Random numbers are indexed by applicant, purpose and attempt (``streams``), so the order
in which they are drawn does not matter; the arrival and absence streams are drawn by the
same code (``arrival_times``, ``roster``). Reneging is lazy: the timer of a ticket that
was called first finds it taken and does nothing, as in the engine.
``tests/unit/test_kernel.py`` compares every record of both engines on several halls.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Generator, Iterator
from hashlib import blake2b
from heapq import heappop, heappush
from itertools import count
from typing import Any, cast

from simlib.engine.arrivals import arrival_times, with_day_factors
from simlib.engine.flow import sampler
from simlib.engine.hall import COLLECT, IN_SERVICE, RENEGED, RETURN, SENT_HOME, SUBMIT, WAITING
from simlib.engine.officers import Desk, Officer
from simlib.engine.quantiles import quantile_fn
from simlib.engine.records import STATUSES, PoolTally, Records
from simlib.engine.roster import Crew, roster
from simlib.engine.start import QUIET_TAIL, hall_calendar, new_records
from simlib.engine.streams import _PACK, _SCALE, ApplicantDraws, Draws, stream
from simlib.scenario.dists import MaxOf
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY, HallCalendar, rate_segments

__all__ = ["run_hall"]

# Every event here has SimPy's normal priority (urgent ones are only the processes' starts,
# done first at time 0), so an event is ordered by (time, sequence number) alone.
DECIDED, ABANDONED = STATUSES.index("decided"), STATUSES.index("abandoned")
SERVED = 0
NAN = float("nan")

# Event kinds.
ARRIVE, END, RENEGE, RETURN_TO_SUBMIT, RETURN_TO_COLLECT, WAKE = 0, 1, 2, 3, 4, 5
ROSTER, CLOSING, HORIZON, CAP, STOP, DAY_STARTS = 6, 7, 8, 9, 10, 11

# What the hall draws for an applicant (streams.Draws purposes).
PURPOSES = (
    "accept_time",
    "patience",
    "complete",
    "return_delay",
    "renege_return",
    "renege_delay",
    "collect_delay",
    "collect_time",
)

# A ticket: [case, kind, pool, work, enqueued, started, taken, visit_no, queue, activity, id]
T_CASE, T_KIND, T_POOL, T_WORK, T_ENQ, T_START, T_TAKEN, T_VISIT, T_QUEUE, T_ACT, T_ID = range(11)


class _Matter:
    """A matter, resolved for the kernel: its draws, quantiles and hall queue."""

    def __init__(self, code: int, scenario: Scenario, seed: int, queue: _Queue, pool: int):
        m = scenario.matters[code]
        self.code = code
        self.draws = ApplicantDraws(seed, m.id)
        self.queue = queue
        self.pool = pool
        self.accept = sampler(m.acceptance.time, "accept_time")
        self.complete_prob = m.complete_prob
        self.collect_in_person = m.collection == "in_person"
        self.collect_time = quantile_fn(m.collection_time)
        patience = m.patience if m.patience is not None else scenario.hall.patience
        self.patience = quantile_fn(patience) if patience is not None else None
        # A single acceptance time (not the longest of several): its quantile, drawn inline.
        self.accept_q = (
            None if isinstance(m.acceptance.time, MaxOf) else quantile_fn(m.acceptance.time)
        )
        # The uniforms' blocks of first attempts per purpose, shared with ``draws`` (which
        # fills them), and the hash keys of later attempts: ``Draws.u`` written out.
        self.first: dict[str, dict[int, list[float]]] = {
            p: self.draws._blocks.setdefault(p, {}) for p in PURPOSES
        }
        self.keys = {p: self.draws.key(p) for p in PURPOSES}
        self.patience_blocks = self.first["patience"]
        self.accept_blocks = self.first["accept_time"]
        self.complete_blocks = self.first["complete"]


class _Case(Draws):
    """An application at the hall (a ``Draws``: its applicant's uniforms)."""

    __slots__ = ("cohort", "collections", "habit", "id", "matter", "submissions", "visits")

    def __init__(self, case_id: int, matter: _Matter, index: int, habit: float):
        self.owner = matter.draws
        self.index = index
        self.id = case_id
        self.matter = matter
        self.habit = habit
        self.submissions = 0
        self.visits = 0
        self.collections = 0
        self.cohort = False


class _Queue:
    """A hall queue: FIFO, or by priority (higher first, FIFO within a level) when its
    matters have several levels; tickets taken by reneging stay in it and are skipped."""

    __slots__ = ("fifo", "heap", "items", "live", "owners", "seq")

    def __init__(self, owners: list[_Desk], by_priority: bool):
        self.owners = owners
        self.fifo = not by_priority
        self.items: deque[list[Any]] = deque()
        self.heap: list[tuple[int, int, list[Any]]] = []
        self.seq = 0
        self.live = 0

    def pop(self) -> list[Any] | None:
        if self.fifo:
            items = self.items
            while items:
                ticket = items.popleft()
                if not ticket[T_TAKEN]:
                    self.live -= 1
                    ticket[T_TAKEN] = True
                    return ticket
            return None
        heap = self.heap
        while heap:
            ticket = heappop(heap)[2]
            if not ticket[T_TAKEN]:
                self.live -= 1
                ticket[T_TAKEN] = True
                return ticket
        return None

    def waiting(self) -> list[list[Any]]:
        if self.fifo:
            return [t for t in self.items if not t[T_TAKEN]]
        return [entry[2] for entry in sorted(self.heap) if not entry[2][T_TAKEN]]


class _Desk:
    """A pool: its officers, hall queue, who is idle and absent, whom it backs up."""

    def __init__(self, code: int, name: str, tally: PoolTally):
        self.code = code
        self.name = name
        self.tally = tally
        self.officers: list[_Officer] = []
        self.queue: _Queue | None = None  # its hall queue (None: a pool without tickets)
        self.backup: _Desk | None = None
        self.backs_up: list[_Desk] = []
        self.idle: list[_Officer] = []
        self.absent_today = 0

    def wake_idle(self) -> None:
        idle, self.idle = self.idle, []
        for officer in idle:
            officer.hand(None)


class _Officer:
    """An officer's state; the kernel's loop does its work (``hand`` is for the roster)."""

    __slots__ = (
        "absent",
        "asleep",
        "desk",
        "duty_end",
        "index",
        "kernel",
        "on_duty",
        "start",
        "ticket",
    )

    def __init__(self, kernel: _Kernel, desk: _Desk, index: int):
        self.kernel = kernel
        self.desk = desk
        self.index = index
        self.on_duty = False
        self.absent = False
        self.duty_end = 0.0
        self.asleep = True  # its start (as a SimPy process) found nothing to do
        self.ticket: list[Any] | None = None
        self.start = 0.0

    def hand(self, ticket: None) -> None:
        """Wake the waiting officer to look at the queues again (roster, closing)."""
        if self.asleep:
            self.asleep = False
            kernel = self.kernel
            heappush(kernel.events, (kernel.now, next(kernel.seq), WAKE, self))


class _IdleOfficer(_Officer):
    """An officer of a pool no ticket can reach (a back office, with no window it backs up):
    on and off duty, present or absent (the roster counts its time), never woken, since
    waking would only find nothing to do. The engine's wake-ups of such officers change
    nothing else, so leaving them out keeps the records identical."""

    __slots__ = ()

    def hand(self, ticket: None) -> None:
        pass


class _ProcessClock:
    """What the roster and closing processes see of the clock: ``now`` and ``timeout``,
    which puts their next step on the kernel's list as ``env.timeout`` would."""

    def __init__(self, kernel: _Kernel, kind: int):
        self.kernel = kernel
        self.kind = kind

    @property
    def now(self) -> float:
        return self.kernel.now

    def timeout(self, delay: float) -> None:
        k = self.kernel
        heappush(k.events, (k.now + delay, next(k.seq), self.kind, None))


class _Kernel:
    """One run of a window-only hall."""

    def __init__(self, scenario: Scenario, seed: int, records: Records, calendar: HallCalendar):
        self.scenario = scenario
        self.seed = seed
        self.records = records
        self.calendar = calendar
        self.now = 0.0
        self.events: list[tuple[float, int, int, Any]] = []
        self.seq = count()
        self.overtime = False
        self.closed_at = 0.0
        self.stopped = False  # the run's end is scheduled
        pools = list(scenario.pools)
        self.desks = [_Desk(i, p, records.tally[p]) for i, p in enumerate(pools)]
        by_id = {d.name: d for d in self.desks}
        for pid, pool in scenario.pools.items():
            if pool.backup is not None:
                by_id[pid].backup = by_id[pool.backup]
                by_id[pool.backup].backs_up.append(by_id[pid])
        # Hall queues as the engine wires them (Model._wire_queues without skills/bookings).
        acceptance = list(dict.fromkeys(m.acceptance.pool for m in scenario.matters))

        def queue_for(served: list[str]) -> _Queue:
            levels = {m.priority for m in scenario.matters if m.acceptance.pool in served}
            return _Queue([by_id[p] for p in served], len(levels) >= 2)

        self.queues: list[_Queue] = []
        if scenario.hall.mode == "comprehensive":
            shared = queue_for(acceptance)
            self.queues.append(shared)
            for p in acceptance:
                by_id[p].queue = shared
        else:
            for p in acceptance:
                own = by_id[p].queue = queue_for([p])
                self.queues.append(own)
        for pid, pool in scenario.pools.items():
            desk = by_id[pid]
            reached = desk.queue is not None or any(d.queue for d in desk.backs_up)
            kind = _Officer if reached else _IdleOfficer
            desk.officers = [kind(self, desk, j) for j in range(pool.count)]
        self.matters = []
        for code, m in enumerate(scenario.matters):
            desk = by_id[m.acceptance.pool]
            assert desk.queue is not None
            self.matters.append(_Matter(code, scenario, seed, desk.queue, desk.code))
        self.priority = [m.priority for m in scenario.matters]

    # --- processes reused from the engine ------------------------------------------------
    def _roster(self) -> Iterator[Any]:
        scenario, records = self.scenario, self.records
        crews = []
        for pid, pool in scenario.pools.items():
            desk, first = self.desks[list(scenario.pools).index(pid)], 0
            for shift in pool.crews():
                officers = desk.officers[first : first + shift.count]
                periods = self.calendar.shift_periods(
                    shift.hours, shift.days, shift.hours_by_weekday
                )
                crews.append(
                    Crew(
                        cast(Desk, desk),
                        cast(list[Officer], officers),
                        first,
                        periods,
                        pool.absence,
                    )
                )
                first += shift.count
        env = cast(Any, _ProcessClock(self, ROSTER))
        return roster(env, crews, self.seed, records.warmup, records.horizon, records.cap)

    def _closing(self) -> Generator[None, None, None]:
        """Hall.closing: at each closing time serve the leftovers or send them home."""
        env = _ProcessClock(self, CLOSING)
        closes = self.calendar.closing_times()
        opens = self.calendar.open.starts
        cap = self.records.cap
        for close in closes:
            if close >= cap:
                break
            env.timeout(close - self.now)
            yield
            if self.scenario.hall.at_close == "send_home":
                for queue in self.queues:
                    for ticket in queue.waiting():
                        ticket[T_TAKEN] = True
                        queue.live -= 1
                        self.leave(ticket, SENT_HOME, True)
                continue
            self.overtime = True
            self.closed_at = close
            for queue in self.queues:
                for desk in queue.owners:
                    for officer in desk.officers:
                        officer.hand(None)
            nxt = next((s for s in opens if s > close), None)
            if nxt is None or nxt >= cap:
                break
            env.timeout(nxt - self.now)
            yield
            self.overtime = False

    # --- the hall -------------------------------------------------------------------------
    def leave(self, ticket: list[Any], outcome: int, comes_back: bool) -> None:
        """A waiting ticket's holder left (reneged, sent home): record it, maybe come back."""
        now = self.now
        del self.waiting[ticket[T_ID]]
        self.visit(
            ticket[T_CASE].id, ticket[T_KIND], ticket[T_POOL], ticket[T_ENQ], NAN, now, outcome
        )
        case = ticket[T_CASE]
        if ticket[T_KIND] == COLLECT:
            if comes_back:
                self.come_back(case, case.visits, "renege_delay", RETURN_TO_COLLECT)
            else:
                self.finished(case)
        elif comes_back:
            self.come_back(case, case.visits, "renege_delay", RETURN_TO_SUBMIT)
        else:
            self.status[case.id] = ABANDONED
            self.finished(case)

    def finished(self, case: _Case) -> None:
        if case.cohort:
            case.cohort = False
            self.open_cohort -= 1
            if self.open_cohort == 0 and self.draining:
                self.stop()

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            heappush(self.events, (self.now, next(self.seq), STOP, None))

    def come_back(self, case: _Case, attempt: int, purpose: str, kind: int) -> None:
        """CaseFlow._come_back of a walk-in: after the return delay in working days, at the
        applicant's usual time of day when the hall is closed then (``Timetable.add_working``
        written out with the same arithmetic, then ``HallCalendar.next_ticket_at_habit`` as
        ``CaseFlow._walk_in_time`` calls it)."""
        now = self.now
        index = case.index
        if attempt == 0:
            block = case.matter.first[purpose].get(index >> 10)
            u = block[index & 1023] if block is not None else case.u(purpose, 0)
        else:
            key = case.matter.keys[purpose]
            digest = blake2b(_PACK(index, attempt), digest_size=8, key=key).digest()
            u = (int.from_bytes(digest, "little") >> 11) * _SCALE
        days = self.return_days(u)
        starts, ends, cum = self.open_starts, self.open_ends, self.open_cum
        i = bisect_right(starts, now) - 1
        target = (0.0 if i < 0 else cum[i] + min(now, ends[i]) - starts[i]) + (
            days * self.day_minutes
        )
        i = bisect_left(cum, target) - 1
        if i >= len(starts):
            at = float("inf")
        else:
            i = max(i, 0)
            at = starts[i] + target - cum[i]
        cap = self.cap
        if at < cap:
            t_starts = self.ticket_starts
            j = bisect_right(t_starts, at) - 1
            if not (j >= 0 and at < self.ticket_ends[j]):
                at = self.calendar.next_ticket_at_habit(at, case.habit)
        delay = at - now
        if delay <= 0:
            self.submit(case) if kind == RETURN_TO_SUBMIT else self.collect(case)
            return
        at = now + delay
        if at >= cap:
            return
        day = int(at // DAY)
        if day > now // DAY:  # another day: kept aside until that day starts (a smaller heap)
            bucket = self.later.get(day)
            if bucket is None:
                bucket = self.later[day] = []
                heappush(self.events, (day * DAY, -1, DAY_STARTS, day))  # before all then
            bucket.append((at, next(self.seq), kind, case))
            return
        heappush(self.events, (at, next(self.seq), kind, case))

    def submit(self, case: _Case) -> None:
        matter = case.matter
        k = case.submissions
        block = matter.accept_blocks.get(case.index >> 10) if k == 0 else None
        if block is not None and matter.accept_q is not None:
            work = matter.accept_q(block[case.index & 1023])
        else:
            work = matter.accept(case, k)
        n = case.visits
        case.visits = n + 1
        self.visits_col[case.id] = n + 1
        self.issue(case, SUBMIT if n == 0 else RETURN, matter, self.accept_activity, work, n)

    def collect(self, case: _Case) -> None:
        matter = case.matter
        c = case.collections
        work = matter.collect_time(case.u("collect_time", c))
        case.collections = c + 1
        n = case.visits
        case.visits = n + 1
        self.visits_col[case.id] = n + 1
        self.issue(case, COLLECT, matter, self.collect_activity, work, n)

    def issue(
        self, case: _Case, kind: int, matter: _Matter, activity: int, work: float, visit_no: int
    ) -> None:
        """Hall.issue: a ticket into the matter's queue, or straight to an idle officer."""
        now = self.now
        queue = matter.queue
        tid = next(self.ticket_ids)
        ticket = [case, kind, matter.pool, work, now, -1.0, False, visit_no, queue, activity, tid]
        self.waiting[tid] = ticket
        # WorkQueue.put
        for desk in queue.owners:
            if desk.idle:
                ticket[T_TAKEN] = True
                officer = desk.idle.pop()
                if officer.asleep:  # (one woken meanwhile takes it on waking, as in Officer.hand)
                    self.begin(officer, ticket)
                return  # taken: no renege timer
        for desk in queue.owners:
            backup = desk.backup
            if backup is not None and backup.idle and desk.absent_today:
                ticket[T_TAKEN] = True
                officer = backup.idle.pop()
                if officer.asleep:
                    self.begin(officer, ticket)
                return
        if queue.fifo:
            queue.items.append(ticket)
        else:
            queue.seq += 1
            heappush(queue.heap, (-self.priority[matter.code], queue.seq, ticket))
        queue.live += 1
        patience = matter.patience
        if patience is not None:
            u = None
            if visit_no == 0:  # Draws.u of a first attempt, inlined
                block = matter.patience_blocks.get(case.index >> 10)
                if block is not None:
                    u = block[case.index & 1023]
            wait = patience(case.u("patience", visit_no) if u is None else u)
            heappush(self.events, (now + wait, next(self.seq), RENEGE, ticket))

    def begin(self, officer: _Officer, ticket: list[Any]) -> None:
        """Officer.hand(ticket) of an asleep officer: the service starts at once."""
        officer.asleep = False
        now = self.now
        if ticket[T_START] < 0:
            ticket[T_START] = now
            if self.warmup <= now < self.horizon:
                tally = self.tallies[ticket[T_POOL]]
                tally.wait_sum += now - ticket[T_ENQ]
                tally.wait_n += 1
        officer.ticket = ticket
        officer.start = now
        heappush(self.events, (now + ticket[T_WORK], next(self.seq), END, officer))

    def next_ticket(self, officer: _Officer) -> None:
        """Officer._loop: the next ticket (own queue, then pools backed up, or after closing
        the leftovers), or sleep."""
        desk = officer.desk
        ticket = None
        if officer.on_duty and self.now < officer.duty_end:
            queue = desk.queue
            if queue is not None and queue.live:
                ticket = queue.pop()
            else:
                for other in desk.backs_up:
                    if other.absent_today:
                        q = other.queue
                        if q is not None and q.live:
                            ticket = q.pop()
                            break
        else:
            queue = desk.queue
            if (
                self.overtime
                and not officer.absent
                and queue is not None
                and queue.live
                and officer.duty_end >= self.closed_at
            ):
                ticket = queue.pop()
        if ticket is None:
            officer.asleep = True
            if officer.on_duty:
                desk.idle.append(officer)
            return
        self.begin(officer, ticket)

    # --- the run ----------------------------------------------------------------------------
    def run(self, detail: str) -> Records:
        records, calendar, scenario = self.records, self.calendar, self.scenario
        self.warmup, self.horizon = warmup, horizon = records.warmup, records.horizon
        cap = records.cap
        self.tallies = records.tally_by_code
        cols = records.case_cols()
        self.visits_col = cols["visits"]
        self.status = status = cols["status"]
        accepted, decision = cols["accepted"], cols["decision"]
        self.accept_activity = records.activity_code("acceptance")
        self.collect_activity = records.activity_code("collection")
        self.return_days = quantile_fn(scenario.hall.return_delay_days)
        self.cap = cap
        self.open_starts = calendar.open.starts
        self.open_ends = calendar.open.ends
        self.open_cum = calendar.open.cum
        self.day_minutes = calendar.day_minutes
        self.ticket_starts = calendar.tickets.starts
        self.ticket_ends = calendar.tickets.ends
        self.waiting: dict[int, list[Any]] = {}
        # Returns due on a later day, by day: an event's (time, sequence) fixes its place in
        # the order wherever it waits, so holding it aside changes nothing but the heap size.
        self.later: dict[int, list[tuple[float, int, int, Any]]] = {}
        self.ticket_ids = count()
        self.open_cohort = 0
        self.cohort_size = 0
        self.draining = False
        self.stopped = False
        visit = records.visit
        appends: tuple[Callable[[Any], None], ...] = records._visit_appends
        v_case, v_kind, v_pool, v_ticket, v_call, v_end, v_outcome = appends
        self.visit = visit
        log = records.step if detail == "full" else None
        events, seq = self.events, self.seq
        renege_back = scenario.hall.renege_return_prob

        # The engine's processes start in this order at time 0 (urgent, before any timeout):
        # the officers (asleep: nothing to do yet), the roster, the closing times, the
        # arrival streams, the drain, the backlog sampler.
        rosters = self._roster()
        next(rosters, None)
        closing = self._closing()
        next(closing, None)
        streams = []
        for matter, m in zip(self.matters, scenario.matters, strict=True):
            segments = rate_segments(m.arrivals, calendar, scenario.demand_factor)
            spread = m.arrivals.day_factor
            if spread is not None:
                day_rng = stream(self.seed, "matter", m.id, "day_factor")
                segments = with_day_factors(segments, spread.cv, day_rng, calendar.days)
            rng = stream(self.seed, "matter", m.id, "arrivals")
            times = arrival_times(segments, rng, cap)
            streams.append((matter, times))
            t = next(times, None)
            if t is not None:
                heappush(events, (0.0 + (t - 0.0), next(seq), ARRIVE, streams[-1]))
        heappush(events, (0.0 + horizon, next(seq), HORIZON, None))
        # The backlog sampler: no back-office work here, so nothing waits at a day's end.
        for day in calendar.workdays():
            if day >= scenario.horizon.days:
                break
            records.backlog_days.append(day + 1)
            records.daily_backlog.append(0.0)

        submit, next_ticket, come_back = self.submit, self.next_ticket, self.come_back
        waiting = self.waiting
        new_case = records.new_case
        while events:
            now, _, kind, x = heappop(events)
            self.now = now
            if kind == END:  # a service ends (Officer._window_done, Hall._served)
                officer = x
                ticket = officer.ticket
                start = officer.start
                desk = officer.desk
                tally = desk.tally
                if now > officer.duty_end:
                    tally.available += max(
                        0.0, min(now, horizon) - max(max(start, officer.duty_end), warmup)
                    )
                if start >= warmup and now <= horizon:
                    tally.busy += now - start
                else:
                    tally.busy += max(0.0, min(now, horizon) - max(start, warmup))
                case = ticket[T_CASE]
                del waiting[ticket[T_ID]]
                called = ticket[T_START]
                v_case(case.id)  # Records.visit, written out
                v_kind(ticket[T_KIND])
                v_pool(ticket[T_POOL])
                v_ticket(ticket[T_ENQ])
                v_call(called)
                v_end(now)
                v_outcome(SERVED)
                if log is not None:
                    log(
                        case.id, ticket[T_ACT], desk.code, officer.index, ticket[T_ENQ], called, now
                    )
                if ticket[T_KIND] != COLLECT:  # CaseFlow._checked
                    matter = case.matter
                    k = case.submissions
                    case.submissions = k + 1
                    u = 0.0
                    if matter.complete_prob < 1:
                        block = matter.complete_blocks.get(case.index >> 10) if k == 0 else None
                        u = block[case.index & 1023] if block is not None else case.u("complete", k)
                    if matter.complete_prob < 1 and u >= matter.complete_prob:
                        come_back(case, k, "return_delay", RETURN_TO_SUBMIT)
                    else:
                        accepted[case.id] = now
                        decision[case.id] = now  # decided at the window (no chain)
                        status[case.id] = DECIDED
                        if matter.collect_in_person:
                            come_back(case, 0, "collect_delay", RETURN_TO_COLLECT)
                        elif case.cohort:
                            self.finished(case)
                elif case.cohort:
                    self.finished(case)
                next_ticket(officer)
            elif kind == ARRIVE:
                matter, times = x
                if now >= horizon and not (
                    self.open_cohort > QUIET_TAIL * self.cohort_size  # arrivals still needed
                ):
                    continue
                index = matter.draws.take()
                case = _Case(new_case(matter.code, 0, now), matter, index, now % DAY)
                if warmup <= now < horizon:
                    case.cohort = True
                    self.open_cohort += 1
                    self.cohort_size += 1
                submit(case)
                t = next(times, None)
                if t is not None:
                    heappush(events, (now + (t - now), next(seq), ARRIVE, x))
            elif kind == RENEGE:
                ticket = x
                if ticket[T_TAKEN]:
                    continue  # called before its holder's patience ran out
                ticket[T_TAKEN] = True
                ticket[T_QUEUE].live -= 1
                back = ticket[T_CASE].u("renege_return", ticket[T_VISIT]) < renege_back
                self.leave(ticket, RENEGED, back)
            elif kind == RETURN_TO_SUBMIT:
                submit(x)
            elif kind == RETURN_TO_COLLECT:
                self.collect(x)
            elif kind == WAKE:
                next_ticket(x)
            elif kind == ROSTER:
                next(rosters, None)
            elif kind == CLOSING:
                next(closing, None)
            elif kind == DAY_STARTS:  # the day's returns join the event list
                for event in self.later.pop(x):
                    heappush(events, event)
            elif kind == HORIZON:
                if self.open_cohort == 0:
                    self.stop()
                else:
                    self.draining = True
                    heappush(events, (now + (cap - now), next(seq), CAP, None))
            elif kind == CAP:
                self.stop()
            else:  # STOP
                break
        else:
            raise RuntimeError("no events left before the end of the run")
        records.end = self.now
        for ticket in waiting.values():  # Hall.flush
            called, outcome = (ticket[T_START], IN_SERVICE) if ticket[T_TAKEN] else (NAN, WAITING)
            visit(
                ticket[T_CASE].id,
                ticket[T_KIND],
                ticket[T_POOL],
                ticket[T_ENQ],
                called,
                NAN,
                outcome,
            )
        return records


def run_hall(scenario: Scenario, seed: int, detail: str) -> Records:
    """Run a window-only hall (``kernel_refusal(scenario) is None``) on the kernel."""
    calendar = hall_calendar(scenario)
    records = new_records(scenario, calendar, detail)  # type: ignore[arg-type]
    paused = gc.isenabled()  # as Model.run: a run makes almost no reference cycles
    gc.disable()
    try:
        return _Kernel(scenario, seed, records, calendar).run(detail)
    finally:
        if paused:
            gc.enable()

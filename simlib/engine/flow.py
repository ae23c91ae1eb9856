"""A case's way through the hall and its approval chain.

Submission (a hall ticket, or online pre-review), document check, the chain's steps in
order (parallel groups fork and join, delay steps wait on the calendar, hand-offs between
pools), rework, the decision, then collection. Each stage is a callback fired by the
officer who finishes the work or by a timer, so a case costs no process of its own: the
event loop only sees arrivals, services and calendar delays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpy.events import NORMAL

from simlib.engine.hall import COLLECT, RETURN, STEP_VISIT, SUBMIT, SUPPLEMENT, Hall, Ticket
from simlib.engine.officers import INF, Job, Officer, WorkQueue, new_job
from simlib.engine.quantiles import quantile_fn, quantiles_fn
from simlib.engine.records import CHUNK, STATUSES, Records
from simlib.engine.schedule import Call, Environment
from simlib.engine.streams import BLOCK_BITS, KEEP_BLOCKS, ApplicantDraws, Draws
from simlib.scenario.dists import BaseDistribution, MaxOf
from simlib.timekeeping import DAY, HallCalendar

__all__ = [
    "Case",
    "CaseFlow",
    "MatterPlan",
    "StepPlan",
    "sampler",
]

BLOCK_MASK = (1 << BLOCK_BITS) - 1
DECIDED, ABANDONED = STATUSES.index("decided"), STATUSES.index("abandoned")
STARTED_AHEAD = 1e12  # minutes: ahead of every deadline (pool order started_first)


@dataclass
class StepPlan:
    """One step of a chain, resolved against the model's pools and queues."""

    name: str
    activity: int
    pool: int = -1
    queue: WorkQueue | None = None  # None for a calendar delay
    time: BaseDistribution | None = None
    delay_minutes: float = 0.0
    rework_prob: float = 0.0
    applicant_visit: bool = False
    handoff_minutes: float = 0.0  # calendar delay before the step (file moves between pools)
    handoff_at: Callable[[float], float] | None = None  # or: when a file handed over arrives
    prob: float = 1.0  # optional step: the share of cases that take it
    requires: str | None = None  # considered only when this earlier step was taken
    started_first: bool = False  # pool order started_first: a started case goes ahead
    hold_prob: float = 0.0  # put aside before the step (waiting on someone outside)
    hold_days: BaseDistribution | None = None  # for this many calendar days
    hold_stream: str = ""  # the branches of a parallel group share one (default: own name)
    pick_lead: BaseDistribution | None = None  # pool pick by deadline: working days of lead

    def __post_init__(self) -> None:
        if self.time is not None:
            self.sample = sampler(self.time, "time:" + self.name)
        # Neither a hand-off nor a courier: the step starts when the previous one ends.
        self.direct = self.handoff_minutes <= 0 and self.handoff_at is None and not self.hold_prob
        if self.hold_prob:
            assert self.hold_days is not None
            self.hold_quantile = quantile_fn(self.hold_days)
            # One draw per group: a case put aside waits as a whole, so a group's branches
            # are held together (the one with the longer hold sets when the case resumes).
            self.hold_key = "hold:" + (self.hold_stream or self.name)
            self.hold_days_key = "hold_days:" + (self.hold_stream or self.name)
        self.lead_quantile = quantile_fn(self.pick_lead) if self.pick_lead is not None else None
        # Random-number purposes, built once (not a string per event).
        self.rework_key = "rework:" + self.name
        self.supplement_key = "supplement:" + self.name
        self.branch_key = "branch:" + self.name


@dataclass
class MatterPlan:
    """A matter, resolved: its queues, distributions and compiled chain."""

    code: int
    id: str
    draws: ApplicantDraws
    pool: int
    hall_queue: WorkQueue
    back_queue: WorkQueue
    accept_time: BaseDistribution
    accept_activity: int
    complete_prob: float
    online_share: float
    chain: list[list[StepPlan]]  # each item: one step, or the branches of a parallel group
    verify_chain: list[list[StepPlan]]
    collection: str
    collection_time: BaseDistribution
    collect_activity: int
    commitment: bool = False
    fail_rate: float = 0.0
    time_limit_days: float | None = None
    priority: int = 0  # hall tickets: higher is called first
    patience: BaseDistribution | None = None  # of this matter's ticket holders
    # Back-office visits (engine.injected): decisions before a collection in person kept as
    # (case, applicant, accepted, decided) while set; or, when set, replayed (called at the
    # window's decision instead of sending the applicant to collect).
    produced: list[tuple[int, int, float, float]] | None = None
    replayed: Callable[[Case], None] | None = None

    def __post_init__(self) -> None:
        self.accept_sample = sampler(self.accept_time, "accept_time")
        self.collection_quantile = quantile_fn(self.collection_time)
        self.patience_quantile = quantile_fn(self.patience) if self.patience is not None else None
        self.plain_chain = _plain_steps(self.chain)
        self.collect_in_person = self.collection == "in_person"
        self.plain_verify_chain = _plain_steps(self.verify_chain)


def _plain_steps(chain: list[list[StepPlan]]) -> list[StepPlan | None]:
    """Per chain item: its step when the item is one step every case takes (the hot path:
    no branch decision, no fork), else None."""
    return [
        item[0] if len(item) == 1 and item[0].prob >= 1 and item[0].requires is None else None
        for item in chain
    ]


Sampler = Callable[[Draws, int], float]


def sampler(dist: BaseDistribution, key: str) -> Sampler:
    """A service-time sampler ``(draws, attempt) -> minutes`` for the random-number ``key``.

    Built once per model, not per draw (this is the hot path). A joint review (``max`` of
    several reviews) draws each constituent with the key of the step it replaces, so that a
    merged variant sees exactly the review times of the unmerged baseline (CRN)."""
    if isinstance(dist, MaxOf):
        parts = [sampler(d, "time:" + name) for name, d in dist.of.items()]
        extra = sampler(dist.plus, key + ":plus") if dist.plus is not None else None

        def joint(draws: Draws, attempt: int) -> float:
            longest = max(part(draws, attempt) for part in parts)
            return longest + extra(draws, attempt) if extra is not None else longest

        return joint
    quantile = quantile_fn(dist)
    quantiles = quantiles_fn(dist)
    if quantiles is None:

        def sample_each(draws: Draws, attempt: int) -> float:
            if attempt:
                return quantile(draws.u(key, attempt))
            # draws.u(key), its usual case written out (a call less per draw).
            owner, index = draws.owner, draws.index
            try:
                u = owner._blocks[key][index >> BLOCK_BITS][index & BLOCK_MASK]
            except KeyError:
                u = owner.first(key, index)
            return quantile(u)

        return sample_each
    # First attempts: the quantiles of a block of 1,024 applicants' uniforms at once.
    done: dict[ApplicantDraws, dict[int, list[float]]] = {}

    def sample(draws: Draws, attempt: int) -> float:
        if attempt:
            return quantile(draws.u(key, attempt))
        owner, index = draws.owner, draws.index
        number = index >> BLOCK_BITS
        blocks = done.get(owner)
        if blocks is None:
            blocks = done[owner] = {}
        block = blocks.get(number)
        if block is None:
            block = blocks[number] = quantiles(owner.block(key, number))
            if len(blocks) > KEEP_BLOCKS:
                del blocks[min(blocks)]
        return block[index & BLOCK_MASK]

    return sample


class Case(Draws):
    """One applicant's application, from first arrival to decision and collection; it draws
    its own random needs (``case.u(purpose, attempt)``), indexed by applicant for CRN."""

    __slots__ = (
        "at",
        "attempts",
        "chain",
        "chain_then",
        "cohort",
        "deadline",
        "habit",
        "id",
        "online",
        "open_parts",
        "pending",
        "plain",
        "plan",
        "submissions",
        "visits",
    )

    def __init__(self, case_id: int, plan: MatterPlan, index: int, online: bool, habit: float):
        self.owner = plan.draws  # the attributes of Draws, set inline (hot path)
        self.index = index
        self.id = case_id
        self.habit = habit  # minute of the day the applicant first came (returns come then too)
        self.deadline = INF  # promised decision time, for deadline-first back offices
        self.plan = plan
        self.online = online
        self.submissions = 0
        self.visits = 0
        self.pending = 0  # steps of the current chain item still running (parallel branches)
        self.chain: list[list[StepPlan]] = []  # the chain the case is in, at item ``at``
        self.plain: list[StepPlan | None] = []  # _plain_steps of ``chain``
        self.at = 0
        self.chain_then: Callable[[Case], None] | None = None  # called at the chain's end
        self.cohort = False  # arrived between warm-up and horizon: the run drains it
        self.open_parts = 0  # after the decision: collection and verification still to come
        self.attempts: dict[str, int] = {}


def _takes(case: Case, step: StepPlan) -> bool:
    """Whether the case takes an optional step (all branch decisions are made here). The
    draw has its own purpose per step (``branch:<step>``), so chains without optional steps
    draw exactly what they drew before; a required earlier step must have been done."""
    if step.requires is not None and step.requires not in case.attempts:
        return False
    if step.prob >= 1 or case.u(step.branch_key) < step.prob:
        case.attempts.setdefault(step.name, 0)  # taken: later branches may require it
        return True
    return False


class Round(Call):
    """The files that one courier round brings at instant ``at``: one event instead of a
    timer each. ``files``: (sequence number, case, step), in the order of the numbers, which
    each file's own timer would have had (see ``CaseFlow._round``)."""

    __slots__ = ("at", "files", "next")

    def __init__(
        self,
        callbacks: list[Callable[[Any], None]],
        at: float,
        files: list[tuple[int, Case, StepPlan]],
    ):
        super().__init__(callbacks)
        self.at = at
        self.files = files
        self.next = 0  # the file whose step starts when the round comes off the list


StepJob = Job  # back-office work of a case: with its case, step and attempt, so that one
# bound handler of the flow finishes every step (no closure per step)


def new_step_job(
    holder: Case,
    step: StepPlan | None,
    attempt: int,
    activity: int,
    pool: int,
    work: float,
    on_done: Callable[[Job, float, float, Officer], None],
) -> Job:
    """A back-office task of ``holder``, every field set here (see ``hall.new_ticket``)."""
    job: Job = new_job(Job)
    job.case = holder.id
    job.activity = activity
    job.pool = pool
    job.work = work
    job.window = False
    job.on_done = on_done
    job.enqueued = 0.0
    job.started = -1.0
    job.taken = False
    job.deadline = holder.deadline
    job.holder = holder
    job.step = step
    job.attempt = attempt
    return job


class CaseFlow:
    """Moves cases from stage to stage; one per model run."""

    def __init__(
        self,
        env: Environment,
        records: Records,
        calendar: HallCalendar,
        hall: Hall,
        return_delay: BaseDistribution,
    ):
        self.env = env
        self.records = records
        self.calendar = calendar
        self.hall = hall
        hall.bind(self.ticket_served, self.ticket_left)
        self.return_delay = return_delay
        self._return_days = quantile_fn(return_delay)
        self.open_cohort = 0  # cohort cases not yet finished (decided and collected, or given up)
        self.cohort_size = 0
        self.on_cohort_finished: Callable[[], None] | None = None  # set once draining
        # Whether the event log is kept (not when only KPIs are recorded), and its rows.
        self._log = records.detail == "full"
        self._step_rows = records.row_lists()[1]
        cols = records.case_cols()  # columns written by case index (hot path: no dict lookups)
        self._visits_col, self._status = cols["visits"], cols["status"]
        self._accepted, self._decision, self._revoked = (
            cols["accepted"],
            cols["decision"],
            cols["revoked"],
        )
        # Timers go on the event list directly, whenever they are due: with the list in C
        # (``schedule.Environment``) a long list costs a few comparisons of doubles, less
        # than the day buckets that kept it short for heapq's tuples did.
        self._push = env.push
        self._before = env.event_list.before  # for the files of one round (``_round``)
        self._eid = env._eid
        self._cap = records.cap
        self._fire_cb: list[Callable[[Any], None]] = [self._fire]  # shared by every timer
        # Courier rounds not yet begun, by their instant (see ``_by_courier``).
        self._rounds: dict[float, Round] = {}
        self._round_cb: list[Callable[[Any], None]] = [self._round]
        self._step_done_cb = self._step_done  # bound once, not per step
        self._online_done_cb = self._online_done

    # --- timing helpers --------------------------------------------------------------
    def _after(self, delay: float, then: Callable[[Any], None], arg: Any) -> None:
        """``then(arg)`` after ``delay``, ordered as ``env.timeout(delay)`` would be."""
        if delay <= 0.0:
            then(arg)
            return
        at = self.env._now + delay
        if at >= self._cap:
            return  # beyond the end of the drain: the case stays in progress
        timer = Call(self._fire_cb)
        timer._value = (then, arg)
        self._push(at, NORMAL, next(self._eid), timer)

    @staticmethod
    def _fire(timer: Call) -> None:
        then, arg = timer._value
        then(arg)

    def _by_courier(self, delay: float, case: Case, step: StepPlan) -> None:
        """The file reaches ``step``'s pool after ``delay``, with a courier round: as
        ``_after(delay, self._handed_over, (case, step))``, but the files of one round (some
        400 on the district hall, at the same instant) share one event (``Round``)."""
        at = self.env._now + delay  # the expression ``_after`` computes: the same instant
        if at >= self._cap:
            return  # beyond the end of the drain: the case stays in progress
        eid = next(self._eid)
        batch = self._rounds.get(at)
        if batch is not None:  # not yet begun: this file joins it, last (its number is)
            batch.files.append((eid, case, step))
            return
        batch = self._rounds[at] = Round(self._round_cb, at, [(eid, case, step)])
        self._push(at, NORMAL, eid, batch)

    def _round(self, batch: Round) -> None:
        """A courier round arrives: the files' steps start in the order of their sequence
        numbers, the next one at once while nothing else on the event list comes before its
        key (time, priority, sequence number); else the round goes back on the list under
        that key, so whatever comes first (an event due at this instant and set before the
        next file, or an urgent one) runs first. So each step starts where its own timer
        would have run, among the same events, without a push and a pop per file."""
        k, files, at = batch.next, batch.files, batch.at
        if k == 0 and self._rounds.get(at) is batch:
            del self._rounds[at]  # begun: a later file would need an event of its own
        before = self._before
        while True:
            _, case, step = files[k]
            self._do_step(case, step, STEP_VISIT)
            k += 1
            if k == len(files):
                return
            eid = files[k][0]
            if before(at, NORMAL, eid):  # something comes first: wait on the list
                batch.next = k
                batch.callbacks = self._round_cb
                self._push(at, NORMAL, eid, batch)
                return

    def _come_back(
        self,
        case: Case,
        attempt: int,
        purpose: str,
        then: Callable[[Any], None],
        walk_in: bool,
        arg: Any = None,
    ) -> None:
        """The applicant returns after the return delay. A walk-in counts the delay in the
        hall's working days (so returns do not pile up on Mondays) and, when it ends while the
        hall is closed, comes at their usual time of day (that of their first arrival) on the
        next open day, rather than all at once at the next opening."""
        days = self._return_days(case.u(purpose, attempt))
        if walk_in:  # when the hall does not issue tickets then: the usual time of day
            cal = self.calendar
            at = cal.open.add_working(self.env._now, days * cal.day_minutes)
            if at < self.records.cap and not cal.tickets.is_working(at):
                at = cal.next_ticket_at_habit(at, case.habit)
        else:
            at = self.env._now + days * DAY
        self._after(at - self.env._now, then, case if arg is None else arg)

    def _finished(self, case: Case) -> None:
        """Nothing more will happen to this case's KPIs (decided and collected, or gone)."""
        if case.cohort:
            case.cohort = False
            self.open_cohort -= 1
            if self.open_cohort == 0 and self.on_cohort_finished is not None:
                self.on_cohort_finished()

    def _part_done(self, case: Case) -> None:
        case.open_parts -= 1
        if case.open_parts == 0:
            self._finished(case)

    def _visit(self, case: Case) -> int:
        n = case.visits
        case.visits += 1
        self._visits_col[case.id] = case.visits
        return n

    # --- submission and document check ----------------------------------------------
    def submit(self, case: Case) -> None:
        plan = case.plan
        k = case.submissions
        work = plan.accept_sample(case, k)
        if case.online:
            job = new_step_job(
                case, None, k, plan.accept_activity, plan.pool, work, self._online_done_cb
            )
            plan.back_queue.put(job, self.env._now)
            return
        visit_no = self._visit(case)
        kind = SUBMIT if visit_no == 0 else RETURN
        self.hall.issue(
            case, kind, plan.hall_queue, plan.pool, plan.accept_activity, work, visit_no
        )

    def ticket_served(self, ticket: Ticket) -> None:
        """The hall called a ticket and served it: go on with its case."""
        if ticket.kind != COLLECT:
            self._checked(ticket.holder)
        else:  # self._part_done(case), written out
            case = ticket.holder
            case.open_parts -= 1
            if case.open_parts == 0:
                self._finished(case)

    def ticket_left(self, ticket: Ticket, comes_back: bool) -> None:
        """A ticket reneged or was sent home; the applicant may come back another day."""
        case = ticket.holder
        if ticket.kind == COLLECT:
            self._collection_left(case, comes_back)
        else:
            self._left(case, comes_back, self.submit)

    def _online_done(self, job: StepJob, start: float, end: float, officer: Officer) -> None:
        """Online pre-review done: on to the document check's outcome."""
        self.records.step(job.case, job.activity, job.pool, officer.index, job.enqueued, start, end)
        self._checked(job.holder)

    def _left(self, case: Case, comes_back: bool, retry: Callable[[Case], None]) -> None:
        if comes_back:
            self._come_back(case, case.visits, "renege_delay", retry, walk_in=True)
        else:
            self._status[case.id] = ABANDONED
            self._finished(case)

    def _checked(self, case: Case) -> None:
        plan = case.plan
        k = case.submissions
        case.submissions += 1
        if plan.complete_prob < 1.0 and case.u("complete", k) >= plan.complete_prob:
            self._come_back(case, k, "return_delay", self.submit, walk_in=not case.online)
            return
        self._accepted[case.id] = self.env._now
        if plan.commitment:
            self._decide(case)
            case.chain, case.plain = plan.verify_chain, plan.plain_verify_chain
            case.chain_then = self._verified
        else:
            if not plan.chain:  # decided at the window
                self._decide(case)
                return
            case.chain, case.plain, case.chain_then = plan.chain, plan.plain_chain, self._decide
        self._run_chain(case, 0)

    # --- the chain -------------------------------------------------------------------
    # Where a case is in its chain lives on the case (``chain``, ``at``, ``pending``,
    # ``chain_then``), so a step needs no continuation closure: when the last running step
    # of item ``at`` is done, the case goes on with item ``at + 1``.
    def _run_chain(self, case: Case, i: int) -> None:
        """Start item ``i`` of the case's chain (skipping optional steps not taken)."""
        chain = case.chain
        n = len(chain)
        while i < n:
            case.at = i
            step = case.plain[i]
            if step is not None:  # one step every case takes
                case.pending = 1
                if step.direct:
                    self._do_step(case, step, STEP_VISIT)
                else:
                    self._step(case, step)
                return
            item = [branch for branch in chain[i] if _takes(case, branch)]
            if not item:
                i += 1
                continue
            case.pending = len(item)
            for branch in item:
                self._step(case, branch)
            return
        then = case.chain_then
        assert then is not None
        then(case)

    def _advance(self, case: Case) -> None:
        """A step of the current item is done: on to the next item once all of them are."""
        case.pending -= 1
        if case.pending == 0:
            self._run_chain(case, case.at + 1)

    def _step(self, case: Case, step: StepPlan) -> None:
        delay = step.handoff_minutes
        if step.handoff_at is not None:
            delay = step.handoff_at(self.env._now) - self.env._now
        delay_is_round = True  # the file arrives with a courier round, not after a hold
        if step.hold_prob and case.u(step.hold_key) < step.hold_prob:
            # Put aside: waiting on the applicant or an adviser, no officer busy. Drawn on
            # its own stream, so chains without holds draw exactly what they drew before.
            delay = max(delay, 0.0) + step.hold_quantile(case.u(step.hold_days_key)) * DAY
            delay_is_round = False
        if delay <= 0:
            self._do_step(case, step, STEP_VISIT)
            return
        if step.handoff_at is not None and delay_is_round:
            self._by_courier(delay, case, step)
            return
        self._after(delay, self._handed_over, (case, step))

    def _handed_over(self, arg: tuple[Case, StepPlan]) -> None:
        self._do_step(arg[0], arg[1], STEP_VISIT)

    def _do_step(self, case: Case, step: StepPlan, kind: int) -> None:
        queue = step.queue
        if queue is None:
            self._after(step.delay_minutes, self._advance, case)
            return
        attempts = case.attempts
        attempt = attempts.get(step.name, 0)
        if step.applicant_visit:  # in person at the department (not a hall ticket)
            self._visit(case)
            now = self.env._now
            self.records.visit(case.id, kind, step.pool, now, now, now, 0)
        work = step.sample(case, attempt)
        job = new_step_job(case, step, attempt, step.activity, step.pool, work, self._step_done_cb)
        if step.started_first and any(attempts.values()):
            job.deadline -= STARTED_AHEAD  # the officer finishes a started case first
        elif step.lead_quantile is not None and not any(attempts.values()):
            eligible = self._eligible_at(case, step.lead_quantile)
            if eligible > self.env._now:  # the pool takes it up only then (pick by deadline)
                job.enqueued = self.env._now
                self._after(eligible - self.env._now, self._eligible, (queue, job))
                return
        queue.put(job, self.env._now)

    def _eligible_at(self, case: Case, lead: Callable[[float], float]) -> float:
        """When a case's first task becomes eligible under ``pick: {by: deadline}``: the
        drawn lead in working days before its deadline (at once without a deadline). One
        draw per case, so the branches of a first parallel group become eligible together."""
        if case.deadline == INF:
            return self.env._now
        days = lead(case.u("pick_lead"))
        return self.calendar.open.add_working(case.deadline, -days * self.calendar.day_minutes)

    @staticmethod
    def _eligible(arg: tuple[WorkQueue, StepJob]) -> None:
        """The first task is eligible: into the pool's deadline-ordered queue; its wait
        counts from when it reached the pool (the deferral is part of the queue)."""
        queue, job = arg
        queue.put(job, job.enqueued)

    def _step_done(self, job: StepJob, start: float, end: float, officer: Officer) -> None:
        case, step, attempt = job.holder, job.step, job.attempt
        assert step is not None
        if self._log:  # Records.step written out (see Records.row_lists)
            rows = self._step_rows
            row = (case.id, step.activity, step.pool, officer.index, job.enqueued, start, end)
            rows.append(row)
            if len(rows) >= CHUNK:
                self.records.flush_rows()
        case.attempts[step.name] = attempt + 1
        if step.rework_prob and case.u(step.rework_key, attempt) < step.rework_prob:
            # Rework: the applicant supplies material after the return delay, the step is redone.
            self._come_back(
                case,
                attempt,
                step.supplement_key,
                self._supplied,
                walk_in=step.applicant_visit,
                arg=(case, step),
            )
        else:  # self._advance(case), written out (a call less per step)
            case.pending -= 1
            if case.pending == 0:
                self._run_chain(case, case.at + 1)

    def _supplied(self, arg: tuple[Case, StepPlan]) -> None:
        self._do_step(arg[0], arg[1], SUPPLEMENT)

    # --- decision and after ------------------------------------------------------------
    def _decide(self, case: Case) -> None:
        self._decision[case.id] = self.env._now
        self._status[case.id] = DECIDED
        plan = case.plan
        in_person = plan.collect_in_person
        case.open_parts = in_person + plan.commitment
        if not case.open_parts:
            self._finished(case)
        if in_person:
            if plan.replayed is not None:  # decided when the whole model's run decided it
                plan.replayed(case)
                return
            if plan.produced is not None:
                plan.produced.append((case.id, case.index, self._accepted[case.id], self.env._now))
            self.collect_later(case)

    def collect_later(self, case: Case) -> None:
        """Notified of the decision, the applicant comes to collect on another day."""
        self._come_back(case, 0, "collect_delay", self._collect, walk_in=True)

    def _collect(self, case: Case) -> None:
        plan = case.plan
        n = case.attempts.get("collection", 0)
        work = plan.collection_quantile(case.u("collect_time", n))
        case.attempts["collection"] = n + 1
        visit_no = self._visit(case)
        self.hall.issue(
            case, COLLECT, plan.hall_queue, plan.pool, plan.collect_activity, work, visit_no
        )

    def _collection_left(self, case: Case, comes_back: bool) -> None:
        # The decision stands; a reneged collection is only tried again if the applicant returns.
        if comes_back:
            self._come_back(case, case.visits, "renege_delay", self._collect, walk_in=True)
        else:
            self._part_done(case)

    def _verified(self, case: Case) -> None:
        if case.u("revoke") < case.plan.fail_rate:
            self._revoked[case.id] = 1
        self._part_done(case)

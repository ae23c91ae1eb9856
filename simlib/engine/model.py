"""Building a SimPy model from a Scenario and running it: ``simulate(scenario, seed)``.

The model is a pure function of (scenario, seed): nothing global, nothing shared between
runs, so a run can be shipped to another process or machine and give identical records.
"""

from __future__ import annotations

import bisect
import gc
import math
from collections.abc import Callable
from numbers import Integral
from typing import Literal

import simpy

from simlib.engine.appointments import AppointmentDesk, AppointmentQueue
from simlib.engine.arrivals import ArrivalStream, with_day_factors
from simlib.engine.balking import BalkingRule
from simlib.engine.flow import Case, CaseFlow, MatterPlan, StepPlan
from simlib.engine.hall import Hall
from simlib.engine.injected import BackOfficeVisits, Replayer, check_replay
from simlib.engine.kernel import choose_engine
from simlib.engine.kernel.hall import run_hall
from simlib.engine.kernel.native import native_module
from simlib.engine.officers import (
    DeadlineQueue,
    Desk,
    HallState,
    Officer,
    PriorityQueue,
    WorkQueue,
)
from simlib.engine.records import Records
from simlib.engine.roster import Crew, roster
from simlib.engine.schedule import Environment, run_until
from simlib.engine.skills import SkilledOfficer, SkillQueue, officer_skills
from simlib.engine.start import QUIET_TAIL, hall_calendar, new_records
from simlib.engine.streams import ApplicantDraws, KeyedHash, Uniform, stream
from simlib.scenario.chain import branches
from simlib.scenario.dists import BaseDistribution
from simlib.scenario.model import DelayStep, Matter, Pool, Scenario, parse_clock
from simlib.timekeeping import DAY, HallCalendar, rate_segments

__all__ = ["Model", "back_office_visits", "simulate"]


def keyed_uniforms() -> Callable[[bytes], Uniform]:
    """What makes applicants' later-attempt uniforms: the hall kernel's C ``KeyedUniform`` when
    it is built and fresh, one call per draw instead of four (the same bits as
    ``streams.KeyedHash``, ``tests/unit/test_native.py``), else ``KeyedHash``."""
    module = native_module()[0]
    keyed: Callable[[bytes], Uniform] = module.KeyedUniform if module is not None else KeyedHash
    return keyed


def run_seed(scenario: Scenario, seed: int | None) -> int:
    """The seed of a run: ``seed``, else the scenario's; a whole number >= 0."""
    chosen = scenario.seed if seed is None else seed
    if isinstance(chosen, bool) or not isinstance(chosen, Integral) or chosen < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {chosen!r}")
    return int(chosen)


class Model:
    """One run of a scenario on the SimPy engine (the reference): SimPy environment, pools,
    hall, matters, recorder. ``simulate`` picks this or the hall kernel."""

    env: Environment
    records: Records
    calendar: HallCalendar
    desks: dict[str, Desk]
    hall: Hall
    flow: CaseFlow
    seed: int

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        detail: Literal["full", "kpi"] = "full",
        replay: BackOfficeVisits | None = None,
        keep_visits: tuple[str, ...] = (),
    ):
        """``replay``: back-office hall visits to replay (``engine.injected``); ``keep_visits``:
        matters whose back-office hall visits to keep (``self.replayer.kept``)."""
        if detail not in ("full", "kpi"):
            raise ValueError(f"detail must be 'full' or 'kpi'; got {detail!r}")
        self.scenario = scenario
        self.seed = run_seed(scenario, seed)
        if replay is not None:
            check_replay(scenario, self.seed, replay)
        self.env = env = Environment()
        self.calendar = hall_calendar(scenario)
        pool_ids = list(scenario.pools)
        self.records = records = new_records(scenario, self.calendar, detail)
        self.desks = {pid: Desk(i, pid, records.tally[pid]) for i, pid in enumerate(pool_ids)}
        self._wire_queues(scenario)
        hall_state = HallState()
        for pid, pool in scenario.pools.items():
            desk = self.desks[pid]
            if pool.skills is None:
                desk.officers = [
                    Officer(env, desk, j, hall_state, records) for j in range(pool.count)
                ]
            else:
                desk.officers = self._skilled_officers(scenario, pid, hall_state)
            if pool.backup is not None:
                desk.backup = self.desks[pool.backup]
                desk.backup.backs_up.append(desk)
        crews = []
        for pid, pool in scenario.pools.items():
            desk, first = self.desks[pid], 0
            for shift in pool.crews():
                officers = desk.officers[first : first + shift.count]
                periods = self.calendar.shift_periods(
                    shift.hours, shift.days, shift.hours_by_weekday
                )
                crews.append(Crew(desk, officers, first, periods, pool.absence))
                first += shift.count
        env.process(roster(env, crews, self.seed, records.warmup, records.horizon, records.cap))
        hall = scenario.hall
        self.hall = Hall(
            env,
            records,
            self.calendar,
            hall_state,
            self.hall_queues,
            hall.at_close,
            hall.patience,
            hall.renege_return_prob,
            BalkingRule(hall.balking) if hall.balking is not None else None,
        )
        booking = {
            i: (m.id, m.appointments)
            for i, m in enumerate(scenario.matters)
            if m.appointments is not None
        }
        if booking:
            self.hall.appointments = AppointmentDesk(self.hall, booking)
        env.process(self.hall.closing())
        self.flow = CaseFlow(env, records, self.calendar, self.hall, hall.return_delay_days)
        self.plans = [self._plan(i, m) for i, m in enumerate(scenario.matters)]
        self.replayer = Replayer(self.flow, self.plans)
        self.replayer.produce(keep_visits)
        if replay is not None:
            self.replayer.replay(replay)
        for plan, matter in zip(self.plans, scenario.matters, strict=True):
            segments = rate_segments(matter.arrivals, self.calendar, scenario.demand_factor)
            spread = matter.arrivals.day_factor
            if spread is not None:  # its own stream: halls without it draw nothing new
                day_rng = stream(self.seed, "matter", matter.id, "day_factor")
                segments = with_day_factors(segments, spread.cv, day_rng, self.calendar.days)
            rng = stream(self.seed, "matter", matter.id, "arrivals")
            ArrivalStream(
                env,
                segments,
                rng,
                records.cap,
                self._arrival(plan),
                self._arrivals_needed,
                open_until=records.horizon,  # arrivals are needed before the horizon
            )
        self.drained: simpy.Event = env.event()
        env.process(self._drain())
        env.process(self._sample_backlog())

    def _wire_queues(self, scenario: Scenario) -> None:
        """Hall queues per acceptance pool (one shared queue in comprehensive mode)."""
        acceptance = list(dict.fromkeys(m.acceptance.pool for m in scenario.matters))
        priority = {m.id: m.priority for m in scenario.matters}
        self.hall_queues: list[WorkQueue] = []

        def hall_queue(name: str, pools: list[str]) -> WorkQueue:
            levels = {priority[m.id] for m in scenario.matters if m.acceptance.pool in pools}
            owners = [self.desks[p] for p in pools]
            routing = skill_routing(scenario, pools)
            if routing is not None:  # some officer serves only some matters: one line each
                return SkillQueue(name, owners, [m.priority for m in scenario.matters], routing)
            if any(m.appointments for m in scenario.matters if m.acceptance.pool in pools):
                return AppointmentQueue(name, owners, _ticket_priority)
            if len(levels) < 2:  # one level: plain FIFO, the hot path
                return WorkQueue(name, owners)
            return PriorityQueue(name, owners, _ticket_priority)

        if scenario.hall.mode == "comprehensive":
            shared = hall_queue("hall", acceptance)
            self.hall_queues.append(shared)
            for p in acceptance:
                self.desks[p].hall_queue = shared
        else:
            for p in acceptance:
                queue = hall_queue(f"hall:{p}", [p])
                self.hall_queues.append(queue)
                self.desks[p].hall_queue = queue
        for pid, desk in self.desks.items():
            pool = scenario.pools[pid]
            kind = DeadlineQueue if pool.order != "fifo" or pool.pick else WorkQueue
            desk.back_queue = kind(f"back:{desk.name}", [desk])
            desk.queues = [q for q in (desk.hall_queue, desk.back_queue) if q is not None]

    def _skilled_officers(
        self, scenario: Scenario, pid: str, hall_state: HallState
    ) -> list[Officer]:
        """A pool with skills: officers who call only their matters' tickets, their own pool's
        and, cross-trained, other pools' (those queues list the pool as a helper)."""
        desk, pool = self.desks[pid], scenario.pools[pid]
        assert pool.skills is not None
        codes = {m.id: i for i, m in enumerate(scenario.matters)}
        own = [
            m.id
            for m in scenario.matters
            if self.desks[m.acceptance.pool].hall_queue is not None
            and self.desks[m.acceptance.pool].hall_queue is desk.hall_queue
        ]
        foreign: list[SkillQueue] = []
        for name in pool.skills.named():
            queue = self.desks[scenario.matter(name).acceptance.pool].hall_queue
            if (
                queue is not desk.hall_queue
                and isinstance(queue, SkillQueue)
                and queue not in foreign
            ):
                foreign.append(queue)
                queue.helpers.append(desk)
        officers: list[Officer] = []
        for j, matters in enumerate(officer_skills(pool.skills, pool.count, own)):
            officer = SkilledOfficer(self.env, desk, j, hall_state, self.records)
            officer.skills = frozenset(codes[m] for m in matters)
            officer.foreign = foreign
            officers.append(officer)
        return officers

    def _plan(self, code: int, m: Matter) -> MatterPlan:
        rec = self.records
        accept_desk = self.desks[m.acceptance.pool]
        handoff = m.handoff_days * DAY
        courier = self._courier(m.handoff.rounds) if m.handoff is not None else None

        def compile_chain(keep: set[str] | None) -> list[list[StepPlan]]:
            chain: list[list[StepPlan]] = []
            previous = {m.acceptance.pool}
            for item in m.chain:
                plans = []
                item_id = branches(item)[0].id  # a group's holds share one random stream
                for b in branches(item):
                    if keep is not None and b.id not in keep:
                        continue
                    if isinstance(b, DelayStep):
                        plans.append(
                            StepPlan(
                                b.id, rec.activity_code(b.id), delay_minutes=b.delay_days * DAY
                            )
                        )
                        continue
                    desk = self.desks[b.pool]
                    plans.append(
                        StepPlan(
                            b.id,
                            rec.activity_code(b.id),
                            desk.code,
                            desk.back_queue,
                            b.time,
                            rework_prob=b.rework_prob,
                            applicant_visit=b.applicant_visit,
                            prob=b.prob,
                            requires=b.requires,
                            started_first=self.scenario.pools[b.pool].order == "started_first",
                            pick_lead=_pick_lead(self.scenario.pools[b.pool]),
                            hold_prob=b.hold.prob if b.hold is not None else 0.0,
                            hold_days=b.hold.days if b.hold is not None else None,
                            hold_stream=item_id,
                            handoff_minutes=handoff if b.pool not in previous else 0.0,
                            handoff_at=courier if b.pool not in previous else None,
                        )
                    )
                if plans:
                    chain.append(plans)
                    pools = {self.records.pools[p.pool] for p in plans if p.queue is not None}
                    previous = pools or previous
            return chain

        # An acceptance pool always has both queues (see _wire_queues).
        assert accept_desk.hall_queue is not None and accept_desk.back_queue is not None
        return MatterPlan(
            code=code,
            id=m.id,
            draws=ApplicantDraws(self.seed, m.id, keyed_uniforms()),
            pool=accept_desk.code,
            hall_queue=accept_desk.hall_queue,
            back_queue=accept_desk.back_queue,
            accept_time=m.acceptance.time,
            accept_activity=rec.activity_code("acceptance"),
            complete_prob=m.complete_prob,
            online_share=m.online_share,
            chain=compile_chain(None),
            verify_chain=compile_chain(set(m.commitment.verify)),
            collection=m.collection,
            collection_time=m.collection_time,
            collect_activity=rec.activity_code("collection"),
            commitment=m.commitment.eligible,
            fail_rate=m.commitment.fail_rate,
            time_limit_days=m.time_limit_days,
            priority=m.priority,
            patience=m.patience if m.patience is not None else self.scenario.hall.patience,
        )

    def _courier(self, rounds: list[str]) -> Callable[[float], float]:
        """When a file handed over at t arrives: at the next courier round on a working day."""
        times = sorted(
            d * DAY + parse_clock(r) for d in self.calendar.workdays() for r in set(rounds)
        )

        lo = hi = -math.inf  # the last answer: files handed over in (lo, hi] arrive at hi

        def arrives(t: float) -> float:
            # Asked at the current instant, which only grows: the last answer, nearly
            # always, without a bisection (bisect_left gives the same for t in (lo, hi]).
            nonlocal lo, hi
            if lo < t <= hi:
                return hi
            i = bisect.bisect_left(times, t)
            if i >= len(times):
                return math.inf
            lo, hi = (times[i - 1] if i else -math.inf), times[i]
            return hi

        return arrives

    def _arrival(self, plan: MatterPlan):
        env, records, submit = self.env, self.records, self.flow.submit
        online_share = plan.online_share
        open_hours = self.calendar.open
        limit = (plan.time_limit_days or 0) * self.calendar.day_minutes
        warmup, horizon, flow = records.warmup, records.horizon, self.flow

        def create() -> None:
            now = env._now
            index = plan.draws.take()
            online = online_share > 0 and plan.draws.first("channel", index) < online_share
            case_id = records.new_case(plan.code, int(online), now)
            case = Case(case_id, plan, index, online, now % DAY)
            if warmup <= now < horizon:
                case.cohort = True
                flow.open_cohort += 1
                flow.cohort_size += 1
            if limit:
                case.deadline = open_hours.add_working(now, limit)
            submit(case)

        return create

    def _arrivals_needed(self) -> bool:
        """Arrivals go on after the horizon, keeping queues realistic, while more than
        ``QUIET_TAIL`` of the cohort is open; the last few (applicants returning many times,
        long notice periods) then finish in a hall without new arrivals. Their waits of
        minutes matter little beside their days of lead time, and the drain costs far less."""
        flow = self.flow
        return self.env._now < self.records.horizon or flow.open_cohort > QUIET_TAIL * (
            flow.cohort_size
        )

    def _sample_backlog(self):
        """SimPy process: back-office work waiting or held at the end of each working day (for
        the warm-up check; weekends would only add a weekly wave to the series)."""
        env, desks = self.env, list(self.desks.values())
        out = self.records.daily_backlog
        for day in self.calendar.workdays():
            if day >= self.scenario.horizon.days:
                break
            yield env.timeout((day + 1) * DAY - env.now)
            self.records.backlog_days.append(day + 1)
            out.append(
                float(
                    sum(
                        (d.back_queue.live if d.back_queue is not None else 0)
                        + sum(o.held is not None for o in d.officers)
                        for d in desks
                    )
                )
            )

    def _drain(self):
        """SimPy process: stop at the horizon if the cohort is finished, else as soon as it is,
        or at the cap (what is still open then is reported as undecided)."""
        env, records = self.env, self.records
        yield env.timeout(records.horizon)

        def stop(_event: object = None) -> None:
            if not self.drained.triggered:
                self.drained.succeed()

        if self.flow.open_cohort == 0:
            stop()
            return
        self.flow.on_cohort_finished = stop
        env.timeout(records.cap - env.now).callbacks.append(stop)

    def run(self) -> Records:
        # The cyclic garbage collector costs a third of the run time here (its full passes
        # walk every live case), while a run makes almost no reference cycles: pause it.
        paused = gc.isenabled()
        gc.disable()
        try:
            run_until(self.env, self.drained)
        finally:
            if paused:
                gc.enable()
        self.records.end = self.env.now
        if self.hall.appointments is not None:
            self.hall.appointments.finish()
        self.hall.flush()
        return self.records


def skill_routing(scenario: Scenario, pools: list[str]) -> str | None:
    """The routing rule of a hall queue served by ``pools`` if skills concern it (some of
    their officers have skills, or other pools' officers are cross-trained for one of its
    matters), else None: the plain queue."""
    own = {m.id for m in scenario.matters if m.acceptance.pool in pools}
    routing = None
    for pid, pool in scenario.pools.items():
        if pool.skills is None:
            continue
        concerned = pid in pools or own & set(pool.skills.named())
        if concerned and (routing is None or pid in pools):
            routing = pool.skills.routing
    return routing


def _pick_lead(pool: Pool) -> BaseDistribution | None:
    """The lead (working days before the deadline) of a pool that picks by deadline."""
    return pool.pick.lead_days if pool.pick is not None else None


def _ticket_priority(ticket) -> int:
    return ticket.holder.plan.priority


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    detail: Literal["full", "kpi"] = "full",
    engine: Literal["auto", "simpy", "kernel"] = "auto",
    replay: BackOfficeVisits | None = None,
) -> Records:
    """Run ``scenario`` once with ``seed`` (default: the scenario's) and return its records.

    ``engine``: "simpy" runs the reference SimPy engine; "kernel" the hall kernel (its own
    event loop for window-only halls, see ``engine.kernel``); "auto" the kernel where it
    applies, else SimPy. Both give identical records. ``replay``: back-office hall visits
    kept from a run of the whole model on this seed (:func:`back_office_visits`), issued as
    tickets in this hall-only run (``engine.injected``; SimPy only)."""
    if choose_engine(scenario, engine, replayed=replay is not None) == "kernel":
        if detail not in ("full", "kpi"):
            raise ValueError(f"detail must be 'full' or 'kpi'; got {detail!r}")
        return run_hall(scenario, run_seed(scenario, seed), detail)
    return Model(scenario, seed, detail, replay).run()


def back_office_visits(
    scenario: Scenario, seed: int, matters: tuple[str, ...], detail: Literal["full", "kpi"] = "kpi"
) -> tuple[Records, BackOfficeVisits]:
    """Run the whole model (SimPy) once and keep the hall visits its back offices sent for
    ``matters`` (their first collection visits), for replaying in hall-only runs."""
    known = {m.id for m in scenario.matters}
    unknown = [m for m in matters if m not in known]
    if unknown:
        raise ValueError(f"matters {unknown} are not in the scenario: {sorted(known)}")
    model = Model(scenario, seed, detail, keep_visits=matters)
    records = model.run()
    return records, model.replayer.kept(model.seed, records)

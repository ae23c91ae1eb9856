"""Appointments beside walk-ins: booking a slot, coming (or not) around it, being called.

When an applicant of a matter with ``appointments`` would take a first ticket, the hall
asks :meth:`AppointmentDesk.books`: a ``share`` of them book the earliest free slot (the
matter's slot book, built from the template over opening hours) within ``max_days_ahead``
days, otherwise they walk in at once. A booked applicant either does not show (recorded at
the slot), or arrives at the slot plus a punctuality offset. Too late (after
``late_window_min``): a walk-in ticket, or refused (a visit; they come back as walk-ins).
Otherwise the booked ticket joins the hall queue when it becomes eligible, at
``early_window_min`` before the slot or on arrival if later, and an
:class:`AppointmentQueue` calls eligible booked tickets ahead of walk-ins, in slot order.

Records: a booked visit has kind ``"booked"`` and its ``ticket`` column is the slot time
(so ``wait`` is measured from the slot); its step's ``enqueued`` is when it became
eligible. Outcomes ``"no_show"`` and ``"refused"`` mark those who did not get served. Every
uniform is the applicant's own under new purposes (``book``, ``no_show``, ``punctual``),
so halls without appointments are unchanged bit for bit.
"""

from __future__ import annotations

import bisect
import heapq
from typing import TYPE_CHECKING, Any

from simlib.engine.hall import SUBMIT, new_ticket
from simlib.engine.officers import DeadlineQueue, Desk, Job, Officer, WorkQueue
from simlib.engine.records import OUTCOMES, VISIT_KINDS
from simlib.engine.schedule import later
from simlib.timekeeping import DAY

if TYPE_CHECKING:
    from collections.abc import Callable

    from simlib.engine.hall import Hall
    from simlib.scenario.model import Appointments
    from simlib.timekeeping import HallCalendar

__all__ = ["AppointmentDesk", "AppointmentQueue", "BookedTicket", "SlotBook"]

BOOKED = VISIT_KINDS.index("booked")
SERVED, NO_SHOW, REFUSED, WAITING, IN_SERVICE = (
    OUTCOMES.index(o) for o in ("served", "no_show", "refused", "waiting", "in_service")
)


class BookedTicket(Job):
    """A booked applicant's ticket: called by slot time, ahead of walk-ins."""

    __slots__ = ("slot",)
    slot: float

    @property
    def issued(self) -> float:
        """A booked wait is measured from the slot (also for one sent home at closing)."""
        return self.slot


class AppointmentQueue(DeadlineQueue):
    """A hall queue with booked tickets: eligible booked first, by slot time; then walk-ins
    by priority and ticket order (booked tickets are only put here once eligible)."""

    def __init__(self, name: str, owners: list[Desk], rank: Callable[[Job], int]):
        super().__init__(name, owners)
        self.rank = rank

    def _push(self, job: Job) -> None:
        self._seq += 1
        key = (0, job.slot) if isinstance(job, BookedTicket) else (1, -self.rank(job))
        heap: list[Any] = self.heap  # keys are (class, slot or -priority), not deadlines
        heapq.heappush(heap, (key, self._seq, job))


class SlotBook:
    """The slots of one matter over the whole run, and how many places each has left."""

    def __init__(self, rule: Appointments, calendar: HallCalendar):
        times: list[float] = []
        places: list[int] = []
        for start, end in calendar.open.periods:
            t = start
            while t + rule.slot_min <= end + 1e-9:
                n = rule.per_slot(int((t % DAY) // 60))
                if n > 0:
                    times.append(t)
                    places.append(n)
                t += rule.slot_min
        self.times = times
        self.capacity = places
        self.free = list(places)
        self._hint = 0  # the slots from the last search's start up to here are full

    def take(self, now: float, latest: float) -> float | None:
        """Book the earliest free slot starting at or after ``now`` and no later than
        ``latest``; its time, or None when there is none. Bookings come in time order, so
        the full slots already passed over are not searched again."""
        times, free = self.times, self.free
        i = max(self._hint, bisect.bisect_left(times, now))
        while i < len(times) and free[i] == 0:
            i += 1
        self._hint = i
        if i == len(times) or times[i] > latest:
            return None
        free[i] -= 1
        return times[i]

    def offered_and_booked(self, lo: float, hi: float) -> tuple[int, int]:
        """Places offered and booked in slots starting in [lo, hi)."""
        a, b = bisect.bisect_left(self.times, lo), bisect.bisect_left(self.times, hi)
        offered = sum(self.capacity[a:b])
        return offered, offered - sum(self.free[a:b])


class AppointmentDesk:
    """Bookings of every matter with appointments, as the hall asks and the records keep."""

    def __init__(self, hall: Hall, rules: dict[int, tuple[str, Appointments]]):
        self.hall = hall
        self.env = hall.env
        self.records = hall.records
        self.rules = rules
        self.slot_books = {code: SlotBook(rule, hall.calendar) for code, (_, rule) in rules.items()}
        self.stats = {
            mid: {
                "booked": 0,  # bookings made in [warm-up, horizon)
                "days_ahead_sum": 0.0,
                "no_slot": 0,  # wanted to book, no slot within max_days_ahead: walked in
                "late_walk_in": 0,  # came after the late window, took a walk-in ticket
                "booked_all": 0,  # every booking of the run (conservation)
                "seen": 0,  # served at the slot, every booking of the run
                "no_show_all": 0,
                "refused_all": 0,
                "late_all": 0,
                "waiting_at_end": 0,  # in the hall when the run stopped (queue or service)
                "not_yet_come": 0,  # booked, but the run stopped before they came
                "seen_within_min": rule.seen_within_min,
            }
            for mid, rule in rules.values()
        }
        self.records.booking = self.stats

    def books(
        self, holder: Any, queue: WorkQueue, pool: int, activity: int, work: float, visit_no: int
    ) -> bool:
        """Does this applicant book (True: the appointment is handled here)?"""
        entry = self.rules.get(holder.plan.code)
        if entry is None or "booked" in holder.attempts:
            return False
        mid, rule = entry
        if holder.u("book", 0) >= rule.share:
            return False
        now = self.env._now
        holder.attempts["booked"] = 1  # one booking per application; later visits walk in
        day_end = (now // DAY + rule.max_days_ahead + 1) * DAY
        slot = self.slot_books[holder.plan.code].take(now, day_end)
        rec = self.records
        counted = rec.warmup <= now < rec.horizon
        stats = self.stats[mid]
        if slot is None:
            if counted:
                stats["no_slot"] += 1
            return False
        stats["booked_all"] += 1
        stats["not_yet_come"] += 1
        if counted:
            stats["booked"] += 1
            stats["days_ahead_sum"] += (slot - now) / DAY
        ticket = new_ticket(
            BookedTicket, holder, BOOKED, queue, pool, activity, work, visit_no, self._served
        )
        ticket.slot = slot
        if holder.u("no_show", 0) < rule.no_show:
            self._at(slot, lambda: self._no_show(ticket, mid))
            return True
        arrive = max(
            now, slot - rule.early_by_min + rule.punctuality.quantile(holder.u("punctual", 0))
        )
        self._at(arrive, lambda: self._arrive(ticket, mid, rule))
        return True

    def _at(self, t: float, then: Callable[[], None]) -> None:
        if t < self.records.cap:
            later(self.env, t - self.env._now, lambda _ev: then())

    def _no_show(self, ticket: BookedTicket, mid: str) -> None:
        self.stats[mid]["not_yet_come"] -= 1
        self.stats[mid]["no_show_all"] += 1
        t = ticket.slot
        self.records.visit(ticket.case, BOOKED, ticket.pool, t, float("nan"), t, NO_SHOW)
        self.hall.on_left(ticket, False)

    def _arrive(self, ticket: BookedTicket, mid: str, rule: Appointments) -> None:
        now = self.env._now
        self.records.booked_arrivals[ticket.case] = now  # check-in, for the ticket log
        if now > ticket.slot + rule.late_window_min + 1e-9:
            self.stats[mid]["not_yet_come"] -= 1
            self.stats[mid]["late_all"] += 1
            if rule.late_rule == "walk_in":
                if self.records.warmup <= now < self.records.horizon:
                    self.stats[mid]["late_walk_in"] += 1
                self.hall.issue(
                    ticket.holder,
                    SUBMIT,
                    ticket.queue,
                    ticket.pool,
                    ticket.activity,
                    ticket.work,
                    ticket.visit_no,
                )
                return
            self.stats[mid]["refused_all"] += 1
            self.records.visit(
                ticket.case, BOOKED, ticket.pool, ticket.slot, float("nan"), now, REFUSED
            )
            self.hall.on_left(ticket, True)
            return
        eligible = max(now, ticket.slot - rule.early_window_min)
        self._at(eligible, lambda: self._join(ticket))

    def _join(self, ticket: BookedTicket) -> None:
        self.stats[self.rules[ticket.holder.plan.code][0]]["not_yet_come"] -= 1
        self.hall.waiting[ticket] = None
        ticket.queue.put(ticket, self.env._now)

    def _served(self, ticket: BookedTicket, start: float, end: float, officer: Officer) -> None:
        hall = self.hall
        del hall.waiting[ticket]
        rec = self.records
        self.stats[self.rules[ticket.holder.plan.code][0]]["seen"] += 1
        rec.visit(ticket.case, BOOKED, ticket.pool, ticket.slot, start, end, SERVED)
        rec.step(
            ticket.case,
            ticket.activity,
            officer.desk.code,
            officer.index,
            ticket.enqueued,
            start,
            end,
        )
        hall.on_served(ticket)

    def finish(self) -> None:
        """At the end of the run: slots offered and booked in the measured window."""
        rec = self.records
        for code, (mid, _) in self.rules.items():
            offered, booked = self.slot_books[code].offered_and_booked(rec.warmup, rec.horizon)
            self.stats[mid]["slots_offered"] = offered
            self.stats[mid]["slots_booked"] = booked
            self.stats[mid]["waiting_at_end"] = sum(
                1
                for t in self.hall.waiting
                if isinstance(t, BookedTicket) and t.holder.plan.code == code
            )
        # Booked tickets still in the hall: recorded here, with their slot as ticket time.
        for ticket in [t for t in self.hall.waiting if isinstance(t, BookedTicket)]:
            del self.hall.waiting[ticket]
            outcome = IN_SERVICE if ticket.taken else WAITING
            call = ticket.started if ticket.taken else float("nan")
            rec.visit(ticket.case, BOOKED, ticket.pool, ticket.slot, call, float("nan"), outcome)

"""Officers with skills: a hall ticket is called only by an officer trained for its matter.

A hall queue that some skilled officer serves is a :class:`SkillQueue`: one FIFO line per
matter, so that a free officer finds the longest-waiting ticket among its own matters
without scanning the others. A :class:`SkilledOfficer` is an officer that asks the queue
for a ticket it may serve (``pop_for``) and may also serve another pool's tickets of a
matter it was cross-trained for. Halls without ``skills`` use neither: their queues and
officers (and records) are exactly as before.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Any

from simlib.engine.appointments import BookedTicket
from simlib.engine.officers import Desk, Job, Officer, WorkQueue

if TYPE_CHECKING:
    from simlib.scenario.model import Skills

__all__ = ["SkillQueue", "SkilledOfficer", "officer_skills"]


def officer_skills(skills: Skills, count: int, own: list[str]) -> list[frozenset[str]]:
    """The matters each of ``count`` officers serves, in officer order (``own``: the matters
    of the pool's own hall queue, which officers beyond the groups serve)."""
    if skills.groups is not None:
        out = [frozenset(g.matters) for g in skills.groups for _ in range(g.count)]
        return out + [frozenset(own)] * (count - len(out))
    listed = skills.officers_with or {}
    sets: list[set[str]] = [{m for m in own if m not in listed} for _ in range(count)]
    k = 0  # hand the skills out round the officers in turn
    for matter, n in listed.items():
        for _ in range(min(n, count)):
            sets[k % count].add(matter)
            k += 1
    return [frozenset(x) for x in sets]


def _matter(job: Job) -> int:
    code: int = job.holder.plan.code
    return code


class SkillQueue(WorkQueue):
    """Hall tickets in one FIFO line per matter; called by priority, then ticket order.
    Eligible booked tickets (appointments) wait apart, one heap per matter by slot time: an
    officer calls them first among its own matters, so a booked applicant goes ahead of
    walk-ins only for officers trained for that matter."""

    def __init__(self, name: str, owners: list[Desk], priorities: list[int], routing: str) -> None:
        super().__init__(name, owners)
        self.lines: list[deque[tuple[int, Job]]] = [deque() for _ in priorities]
        self.booked: list[list[tuple[float, int, Job]]] = [[] for _ in priorities]
        self.priorities = priorities
        self.routing = routing
        self.helpers: list[Desk] = []  # other pools with officers cross-trained for some matter
        self._seq = 0

    def _eligible(self, officer: Officer, matter: int, own: bool) -> bool:
        skills: frozenset[int] | None = getattr(officer, "skills", None)
        return (skills is None and own) or (skills is not None and matter in skills)

    def put(self, job: Job, now: float) -> None:
        job.enqueued = now
        matter = _matter(job)
        chosen: Officer | None = None
        fewest = float("inf")
        for own, desks in ((True, self.owners), (False, self.helpers)):
            for desk in desks:
                for officer in desk.idle:
                    if not self._eligible(officer, matter, own):
                        continue
                    if self.routing == "longest_waiting":
                        chosen = officer
                        break
                    skills = getattr(officer, "skills", None)
                    n = len(skills) if skills is not None else float("inf")
                    if n < fewest:
                        chosen, fewest = officer, n
                if chosen is not None and self.routing == "longest_waiting":
                    break
            if chosen is not None and self.routing == "longest_waiting":
                break
        if chosen is not None:
            job.taken = True
            chosen.desk.idle.remove(chosen)
            chosen.hand(job)
            return
        for desk in self.owners:  # an AB backup serves any ticket of the pool it backs up
            backup = desk.backup
            if backup is not None and backup.idle and desk.absent_today:
                job.taken = True
                backup.idle.pop().hand(job)
                return
        self._seq += 1
        if isinstance(job, BookedTicket):
            heapq.heappush(self.booked[matter], (job.slot, self._seq, job))
        else:
            self.lines[matter].append((self._seq, job))
        self.live += 1

    def _best_booked(self, matters: Any) -> int:
        """The matter whose eligible booked ticket has the earliest slot (-1: none)."""
        best, key = -1, (0.0, 0)
        for m in matters:
            heap = self.booked[m]
            while heap and heap[0][2].taken:
                heapq.heappop(heap)
            if heap and (best < 0 or heap[0][:2] < key):
                best, key = m, heap[0][:2]
        return best

    def _best(self, matters: Any) -> int:
        """The matter whose head ticket is called next among ``matters`` (-1: none)."""
        best, key = -1, (0, 0)
        for m in matters:
            line = self.lines[m]
            while line and line[0][1].taken:
                line.popleft()
            if line:
                k = (-self.priorities[m], line[0][0])
                if best < 0 or k < key:
                    best, key = m, k
        return best

    def _take(self, matter: int) -> Job | None:
        if matter < 0:
            return None
        job = self.lines[matter].popleft()[1]
        return self._taken(job)

    def _take_booked(self, matter: int) -> Job:
        return self._taken(heapq.heappop(self.booked[matter])[2])

    def _taken(self, job: Job) -> Job:
        job.taken = True
        self.live -= 1
        return job

    def _call(self, matters: Any) -> Job | None:
        booked = self._best_booked(matters)
        if booked >= 0:
            return self._take_booked(booked)
        return self._take(self._best(matters))

    def pop(self) -> Job | None:
        """For an officer without skills (or an AB backup): any matter."""
        return self._call(range(len(self.lines)))

    def pop_for(self, officer: SkilledOfficer, own: bool) -> Job | None:
        """The next ticket ``officer`` may serve (None: none waiting)."""
        return self._call(officer.skills)

    def waiting(self) -> list[Job]:
        booked = sorted(e for heap in self.booked for e in heap if not e[2].taken)
        entries = sorted(e for line in self.lines for e in line if not e[1].taken)
        return [e[2] for e in booked] + [job for _, job in entries]


class SkilledOfficer(Officer):
    """An officer who serves only its matters' hall tickets: its own pool's, then those of
    pools it was cross-trained for (``foreign``), then back-office work as any officer."""

    skills: frozenset[int]
    foreign: list[SkillQueue]

    def _next(self) -> Job | None:
        desk = self.desk
        if self.on_duty and self.env._now < self.duty_end:
            held = self.held
            if held is not None:
                self.held = None
                return held
            hall = desk.hall_queue
            job: Job | None
            if hall is not None and hall.live:
                job = self._call(hall, True)
                if job is not None:
                    return job
            for foreign in self.foreign:
                if foreign.live:
                    job = foreign.pop_for(self, False)
                    if job is not None:
                        return job
            back = desk.back_queue
            if back is not None and back.live:
                return back.pop()
            return self._backed_up_work()
        return self._leftover(lambda queue: self._call(queue, True))

    def _call(self, queue: WorkQueue, own: bool) -> Job | None:
        if isinstance(queue, SkillQueue):
            return queue.pop_for(self, own)
        return queue.pop()

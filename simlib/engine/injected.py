"""Hall visits the back offices cause, kept from a run of the whole model and injected into
a run of the hall alone.

A case decided in the back office sends its applicant back to the windows to collect the
decision in person. (Returns with missing documents are decided at the window itself, and a
rework that needs the applicant is a visit to the department, not a hall ticket: a hall-only
run simulates both as before.) For each such case, a run of the whole model can keep:

- which applicant it was (matter and number: their random streams);
- when the window accepted the application, and when the back office decided it;
- how many department visits the chain asked of the applicant. The collection ticket's
  draws are indexed by the applicant's visit count, so these count.

A run of the same seed without the approval chains decides the case at its window. It then
waits as long as the back office took (decided - accepted) before the applicant is notified.
From the notification the engine does what the whole model does: the applicant comes after
their own collect delay, at their usual time of day, and may renege, come back or be sent
home. With the same staffing, the window accepts at the same minute. The decision is then
replayed at the kept minute, and the hall's tickets are the whole model's, ticket by ticket
(``tests/unit/test_injected_visits.py``).

With another hall staffing this is an approximation. It assumes the back office takes as
long over the case when the window accepts it earlier or later. The staffing search
therefore checks its answer on the whole model. A case the back office had not decided by
the end of the whole run is not collected; neither is one whose applicant gave up at the
window under this staffing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from simpy.events import NORMAL

from simlib.engine.flow import Case, CaseFlow, MatterPlan
from simlib.engine.records import VISIT_KINDS, Records
from simlib.engine.schedule import Call

if TYPE_CHECKING:
    from simlib.scenario.model import Scenario

__all__ = ["PURPOSES", "BackOfficeVisits", "HallVisit", "Replayer", "check_replay"]

PURPOSES = ("collection",)  # what the back offices send applicants to the windows for
_DEPARTMENT = [VISIT_KINDS.index("supplement"), VISIT_KINDS.index("step_visit")]


@dataclass(frozen=True)
class HallVisit:
    """A hall visit the back office caused: the decision it follows, and whose it is."""

    matter: str
    applicant: int  # the applicant's number within the matter: their random streams
    accepted: float  # minute the window accepted the application (whole model)
    decided: float  # minute the back office decided it
    department_visits: int  # visits to the department the chain asked for before
    purpose: str = "collection"  # one of PURPOSES


@dataclass(frozen=True)
class BackOfficeVisits:
    """The hall visits the back offices caused in one run (``seed``) for ``matters``."""

    seed: int
    matters: tuple[str, ...]
    visits: tuple[HallVisit, ...]

    def as_rows(self) -> list[list[Any]]:
        """Plain rows, one per visit, in field order (JSON-ready)."""
        return [
            [v.matter, v.applicant, v.accepted, v.decided, v.department_visits, v.purpose]
            for v in self.visits
        ]

    @classmethod
    def from_rows(
        cls, seed: int, matters: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> BackOfficeVisits:
        visits = tuple(
            HallVisit(str(m), int(a), float(acc), float(dec), int(dep), str(p))
            for m, a, acc, dec, dep, p in rows
        )
        return cls(int(seed), tuple(matters), visits)


def check_replay(scenario: Scenario, seed: int, replay: BackOfficeVisits) -> None:
    """A ValueError saying what is wrong when ``replay`` cannot be injected into a run of
    ``scenario`` with ``seed``."""
    if replay.seed != seed:
        raise ValueError(
            f"back-office visits were kept from a run with seed {replay.seed}; "
            f"this run's seed is {seed} (each seed needs its own)"
        )
    known = {m.id: m for m in scenario.matters}
    for mid in replay.matters:
        m = known.get(mid)
        if m is None:
            raise ValueError(f"replayed matter {mid!r} is not in the scenario: {sorted(known)}")
        if m.chain or m.online_share > 0:
            raise ValueError(
                f"matter {mid!r} still has its back-office work (chain or online check): "
                "its collections would come twice; inject into the hall-only scenario"
            )
        if m.collection != "in_person":
            raise ValueError(f"matter {mid!r} is not collected in person: nothing to inject")
    for v in replay.visits:
        if v.purpose not in PURPOSES:
            raise ValueError(f"visit purpose {v.purpose!r} is not one of {list(PURPOSES)}")
        if v.matter not in replay.matters:
            raise ValueError(f"visit of matter {v.matter!r}, not among {list(replay.matters)}")


class Replayer:
    """Wires one SimPy run to keep (``produce``) or to inject (``replay``) the hall visits
    its back offices cause."""

    def __init__(self, flow: CaseFlow, plans: Sequence[MatterPlan]):
        self.flow = flow
        self.plans = {p.id: p for p in plans}
        self._kept: dict[str, dict[int, HallVisit]] = {}
        self._notify: list[Any] = [self._notified]  # the callbacks of every timer

    def produce(self, matters: Iterable[str]) -> None:
        """Keep the decisions before each collection in person of ``matters``."""
        for mid in matters:
            self.plans[mid].produced = []

    def kept(self, seed: int, records: Records) -> BackOfficeVisits:
        """The visits kept during the run (``records``: its records, for the department
        visits), in the order of the decisions."""
        v = records.arrays("visits")
        department = np.bincount(
            v["case"][np.isin(v["kind"], _DEPARTMENT)],
            minlength=len(records.arrays("cases")["matter"]),
        )
        kept = [p for p in self.plans.values() if p.produced is not None]
        visits = [
            HallVisit(p.id, applicant, accepted, decided, int(department[case]))
            for p in kept
            for case, applicant, accepted, decided in p.produced or ()
        ]
        visits.sort(key=lambda x: (x.decided, x.matter, x.applicant))
        return BackOfficeVisits(seed, tuple(p.id for p in kept), tuple(visits))

    def replay(self, replay: BackOfficeVisits) -> None:
        """Decide the replayed matters' cases when the back office did (see the module)."""
        for mid in replay.matters:
            self._kept[mid] = {}
            self.plans[mid].replayed = self._decided_at_window
        for visit in replay.visits:
            self._kept[visit.matter][visit.applicant] = visit

    def _decided_at_window(self, case: Case) -> None:
        visit = self._kept[case.plan.id].pop(case.index, None)
        if visit is None:  # not decided by the back office within the whole run
            return
        case.visits += visit.department_visits
        now = self.flow.env._now
        # The kept minute itself when the window accepted at the kept minute (exact: no
        # float round trip), else as long after acceptance as the back office took.
        at = visit.decided if now == visit.accepted else now + (visit.decided - visit.accepted)
        if at >= self.flow.records.cap:
            return
        timer = Call(self._notify)
        timer._value = case
        env: Any = self.flow.env
        env.push(at, NORMAL, next(env._eid), timer)

    def _notified(self, timer: Call) -> None:
        self.flow.collect_later(timer._value)

"""Hall visits the back offices produce, kept from a run of the whole model and replayed in
a run of the hall alone.

A case decided in the back office sends its applicant back to the windows: to collect the
decision in person, once the chain has decided it. (Returns with missing documents are
decided at the window itself, and a rework that needs the applicant is a visit to the
department, not a hall ticket: a hall-only run simulates both as before.) A run of the whole
model can keep, per replayed matter, each first collection visit: when the applicant came,
which applicant (their random streams), what for, and how many visits they had made before
(hall and department: the ticket's draws are indexed by it). A run of the same seed without
the approval chains then issues those tickets at those times instead of collecting at once,
so that with the same staffing its hall tickets are those of the whole model, ticket by
ticket (``tests/unit/test_injected_visits.py``).

With another hall staffing the replay is an approximation: a case's decision, hence its
collection, depends (weakly) on when the window accepted the application. A case not decided
at the window by the time of its replayed visit (it gave up, or is served later under this
staffing) does not come to collect; the run counts these (``Replayer.missed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simlib.engine.flow import Case, CaseFlow, MatterPlan

if TYPE_CHECKING:
    from simlib.scenario.model import Scenario

__all__ = ["PURPOSES", "BackOfficeVisits", "HallVisit", "Replayer", "check_replay"]

PURPOSES = ("collection",)  # what the back offices send applicants to the windows for


@dataclass(frozen=True)
class HallVisit:
    """One visit to the hall that the back office caused."""

    at: float  # minute the applicant comes (takes a ticket)
    matter: str
    applicant: int  # the applicant's number within the matter: their random streams
    purpose: str  # one of PURPOSES
    visit_no: int  # the applicant's visits before this one (hall and department)


@dataclass(frozen=True)
class BackOfficeVisits:
    """The hall visits the back offices produced in one run (``seed``) for ``matters``."""

    seed: int
    matters: tuple[str, ...]
    visits: tuple[HallVisit, ...]

    def as_rows(self) -> list[list[Any]]:
        """Plain rows ``[at, matter, applicant, purpose, visit_no]`` (JSON-ready)."""
        return [[v.at, v.matter, v.applicant, v.purpose, v.visit_no] for v in self.visits]

    @classmethod
    def from_rows(
        cls, seed: int, matters: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> BackOfficeVisits:
        visits = tuple(
            HallVisit(float(at), str(m), int(a), str(p), int(n)) for at, m, a, p, n in rows
        )
        return cls(int(seed), tuple(matters), visits)


def check_replay(scenario: Scenario, seed: int, replay: BackOfficeVisits) -> None:
    """A ValueError saying what is wrong when ``replay`` cannot be replayed in a run of
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
                "its collections would come twice; replay into the hall-only scenario"
            )
        if m.collection != "in_person":
            raise ValueError(f"matter {mid!r} is not collected in person: nothing to replay")
    for v in replay.visits:
        if v.purpose not in PURPOSES:
            raise ValueError(f"visit purpose {v.purpose!r} is not one of {list(PURPOSES)}")
        if v.matter not in replay.matters:
            raise ValueError(f"visit of matter {v.matter!r}, not among {list(replay.matters)}")


class Replayer:
    """Wires one SimPy run to keep (``produce``) or to replay its back-office hall visits."""

    def __init__(self, flow: CaseFlow, plans: Sequence[MatterPlan]):
        self.flow = flow
        self.plans = {p.id: p for p in plans}
        self.missed = 0  # replayed visits of cases not decided at the window by then

    def produce(self, matters: Iterable[str]) -> None:
        """Keep each first collection visit of ``matters`` (see :meth:`kept`)."""
        for mid in matters:
            self.plans[mid].produced = []

    def kept(self, seed: int) -> BackOfficeVisits:
        """The visits kept during the run, in the order they came."""
        kept = [p for p in self.plans.values() if p.produced is not None]
        visits = [
            HallVisit(at, p.id, applicant, "collection", before)
            for p in kept
            for at, applicant, before in p.produced or ()
        ]
        visits.sort(key=lambda v: (v.at, v.matter, v.applicant))
        matters = tuple(p.id for p in kept)
        return BackOfficeVisits(seed, matters, tuple(visits))

    def replay(self, replay: BackOfficeVisits) -> None:
        """Collect at the kept times instead of at once: the replayed matters' decided cases
        wait for their visit (``MatterPlan.replayed``), each visit is a timer."""
        for mid in replay.matters:
            self.plans[mid].replayed = {}
        for visit in replay.visits:
            self.flow._after(visit.at - self.flow.env._now, self._come, visit)

    def _come(self, visit: HallVisit) -> None:
        waiting = self.plans[visit.matter].replayed
        assert waiting is not None
        case: Case | None = waiting.pop(visit.applicant, None)
        if case is None:  # not decided at the window by now under this staffing
            self.missed += 1
            return
        case.visits = visit.visit_no  # department visits of the chain count too
        self.flow._collect(case)

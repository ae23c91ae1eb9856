"""Evaluating candidate staffings: replications on common seeds, stored as they finish, and
judged against the requirements with one-sided confidence bounds.

Every candidate runs replication r on the same seed (common random numbers), so that two
staffings are compared on the same applicants. Replications are added, never redone:
a candidate judged on 5 and then on 12 replications reuses the first 5. With an output
folder, every finished run is stored at once in the run store (keyed by the candidate's
scenario, seed, measure and simlib's version), and ``--resume`` reads each back by key: a
judgement uses the rows of replications 0..n-1 of that very scenario, never rows by
position, so a damaged or missing run file is run again instead of leaving a gap.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from simlib.engine import back_office_visits, simulate
from simlib.engine.injected import BackOfficeVisits
from simlib.experiment.core import Job, Progress, evaluate, replication_seed, run_kpis
from simlib.experiment.store import RunStore, measure_name, open_output, run_key, shared_cache
from simlib.metrics import hall_kpis_by_day_hour, kpi_info, kpi_row, kpis_by_day
from simlib.optimize.candidate import Candidate, apply, officer_hours
from simlib.optimize.hall_only import HallOnly, blank_beyond_hall, hall_pools, plan
from simlib.optimize.hall_only import hall_only as without_chains
from simlib.optimize.spec import Optimization, Requirement

TODAY_KEY = Candidate().key()  # the scenario's own staffing

__all__ = [
    "Check",
    "Evaluator",
    "Judgement",
    "KeepVisits",
    "ReplayRun",
    "judge",
    "run_staffing",
    "share_bounds",
]


def run_staffing(scenario: Any, seed: int, daily: tuple[Requirement, ...] = ()) -> dict[str, Any]:
    """One run as one flat row: :func:`run_kpis`'s KPIs plus the days met (the work unit the
    optimiser hands to the run core for hourly requirements; module-level so that executors
    can pickle it). For
    each requirement in ``daily``: per hour (``every_hour``) or for the whole day, the days
    that met its bound and the days judged (``Requirement.days_columns``)."""
    return staffing_row(simulate(scenario, seed, detail="kpi"), scenario, daily)


@dataclass(frozen=True)
class KeepVisits:
    """A work unit: one run of the whole model as :func:`run_staffing`'s row, plus the hall
    visits its back offices sent for ``matters`` (``back_office_visits``: JSON rows)."""

    matters: tuple[str, ...]
    daily: tuple[Requirement, ...] = ()

    @property
    def measure_name(self) -> str:
        return f"{__name__}.KeepVisits{list(self.matters)}" + measure_name(
            partial(run_staffing, daily=self.daily)
        )

    def __call__(self, scenario: Any, seed: int) -> dict[str, Any]:
        records, kept = back_office_visits(scenario, seed, self.matters)
        row = staffing_row(records, scenario, self.daily)
        row["back_office_visits"] = kept.as_rows()
        return row


@dataclass(frozen=True)
class ReplayRun:
    """A work unit: one hall-only run with the back-office visits kept on its seed replayed
    (``visits``: seed -> JSON rows). ``source`` fingerprints where the visits come from (the
    whole model's scenario with today's staffing and the replayed matters: the visits are a
    function of it, the seed and simlib's version, all three in a stored run's key), so a
    stored replayed run is never taken for a plain hall-only run or another source's."""

    source: str
    matters: tuple[str, ...]
    visits: dict[int, list[list[Any]]]
    daily: tuple[Requirement, ...] = ()

    @property
    def measure_name(self) -> str:
        return f"{__name__}.ReplayRun[{self.source}]" + measure_name(
            partial(run_staffing, daily=self.daily)
        )

    def __call__(self, scenario: Any, seed: int) -> dict[str, Any]:
        replay = BackOfficeVisits.from_rows(seed, self.matters, self.visits[seed])
        records = simulate(scenario, seed, detail="kpi", replay=replay)
        return staffing_row(records, scenario, self.daily)


def staffing_row(records: Any, scenario: Any, daily: tuple[Requirement, ...]) -> dict[str, Any]:
    """:func:`run_staffing`'s row of a finished run."""
    row = kpi_row(records, scenario)
    hourly = sorted({r.kpi for r in daily if r.every_hour})
    by_day = hall_kpis_by_day_hour(records, hourly) if hourly else {}
    for r in daily:
        if r.every_hour:
            judged = [(r.days_columns(hour), values) for hour, values in by_day[r.kpi].items()]
        else:  # the whole day's value (of the matter, if any)
            judged = [(r.days_columns(), kpis_by_day(records, [r.kpi], r.matter)[r.kpi])]
        for (met, days), values in judged:
            values = values[np.isfinite(values)]
            row[met] = float(sum(r.met_on(v) for v in values))
            row[days] = float(len(values))
    return row


def share_bounds(met: float, days: float, alpha: float) -> tuple[float, float]:
    """One-sided Clopper–Pearson bounds (each at level 1 - alpha) on a share of days."""
    if days <= 0:
        return 0.0, 1.0
    low = float(stats.beta.ppf(alpha, met, days - met + 1)) if met > 0 else 0.0
    high = float(stats.beta.ppf(1 - alpha, met + 1, days - met)) if met < days else 1.0
    return low, high


@dataclass(frozen=True)
class Check:
    """One requirement column of one candidate."""

    requirement: Requirement
    column: str
    mean: float
    low: float  # one-sided bounds at the Bonferroni-split confidence
    high: float
    n: int  # replications (runs), or days for a requirement on days
    status: str  # "met", "missed" or "unsure"
    share: float = math.nan  # share of days that met the bound in this hour (hourly checks)

    @property
    def on_days(self) -> bool:
        """Judged on the share of days (``mean``, ``low``, ``high`` are shares)."""
        return self.requirement.on_days is not None

    @property
    def slack(self) -> float:
        """How far the mean is inside the bound, relative to the bound (negative: missed);
        for a requirement on days, how far the share of days is above the share required."""
        if self.requirement.on_days is not None:
            return (self.mean - self.requirement.on_days) / self.requirement.on_days
        bound = self.requirement.bound
        scale = abs(bound) if bound else 1.0
        gap = bound - self.mean if self.requirement.sense == "max" else self.mean - bound
        return gap / scale

    @property
    def point_met(self) -> bool:
        if self.requirement.on_days is not None:
            return self.mean >= self.requirement.on_days
        bound = self.requirement.bound
        return self.mean <= bound if self.requirement.sense == "max" else self.mean >= bound


@dataclass(frozen=True)
class Judgement:
    feasible: bool | None  # True / False with confidence, None: cannot tell yet
    point_feasible: bool  # judged on the means alone (during the search)
    checks: list[Check]

    @property
    def binding(self) -> Check | None:
        """The check with the least slack: the requirement that binds."""
        valid = [c for c in self.checks if math.isfinite(c.mean)]
        return min(valid, key=lambda c: c.slack) if valid else None


def _columns(req: Requirement, rows: list[dict[str, Any]]) -> list[str]:
    if not req.every_hour:
        return [req.column()]
    prefix = f"{req.kpi}[hour="
    return sorted({k for row in rows for k in row if k.startswith(prefix)})


def judge(
    rows: list[dict[str, Any]], requirements: list[Requirement], confidence: float
) -> Judgement:
    """Each requirement column with one-sided bounds at confidence 1 - alpha / k (k columns:
    Bonferroni, so that all hold together with the stated confidence)."""
    columns = [(req, col) for req in requirements for col in _columns(req, rows)]
    k = max(1, len(columns))
    alpha = (1 - confidence) / k
    checks = []
    for req, col in columns:
        share = math.nan
        if req.every_hour or req.on_days is not None:
            hour = col.split("[hour=")[1][:2] if req.every_hour else None
            met_col, days_col = req.days_columns(hour)
            met = float(np.nansum([row.get(met_col, math.nan) for row in rows]))
            days = float(np.nansum([row.get(days_col, math.nan) for row in rows]))
            share = met / days if days else math.nan
        if req.on_days is not None:
            if not math.isfinite(share):  # no day had a ticket in that hour
                continue
            low, high = share_bounds(met, days, alpha)
            status = "met" if low >= req.on_days else "missed" if high < req.on_days else "unsure"
            checks.append(Check(req, col, share, low, high, int(days), status, share))
            continue
        x = np.array([row.get(col, math.nan) for row in rows], dtype=float)
        x = x[np.isfinite(x)]
        n = len(x)
        if n == 0:  # nothing measured in that hour (no tickets): nothing to hold
            continue
        mean = float(x.mean())
        if n > 1:
            half = float(stats.t.ppf(1 - alpha, n - 1) * x.std(ddof=1) / math.sqrt(n))
        else:
            half = math.inf
        low, high = mean - half, mean + half
        top = 1.0 if kpi_info(col)[1] == "share" else math.inf  # every KPI here is >= 0
        low, high = min(max(low, 0.0), top), min(max(high, 0.0), top)
        if req.sense == "max":
            status = "met" if high <= req.bound else "missed" if low > req.bound else "unsure"
        else:
            status = "met" if low >= req.bound else "missed" if high < req.bound else "unsure"
        checks.append(Check(req, col, mean, low, high, n, status, share))
    if any(c.status == "missed" for c in checks):
        feasible: bool | None = False
    elif all(c.status == "met" for c in checks):
        feasible = True
    else:
        feasible = None
    point = all(c.point_met for c in checks)
    return Judgement(feasible, point, checks)


def staffing_question(opt: Optimization) -> dict[str, Any]:
    """What a staffing search's stored runs answer (the parts ``--resume`` must find
    unchanged): the optimisation file, its scenario resolved with its reforms, the seed."""
    spec = {k: v for k, v in opt.spec.items() if k != "seed"}
    return {"spec": spec, "scenario": opt.base.model_dump(mode="json"), "seed": opt.seed}


class Evaluator:
    """Runs candidates through the run core and its store; keeps their rows by replication."""

    def __init__(
        self,
        opt: Optimization,
        executor: Executor | None = None,
        out: str | Path | None = None,
        resume: bool = False,
        on_progress: Progress | None = None,
        hall_only: bool = True,
    ):
        self.opt = opt
        self.executor = executor
        # Hall-only runs where the question allows (``hall_only=False``: the whole model).
        self.hall = plan(opt) if hall_only else HallOnly(False, "the whole model, as asked")
        # Candidates judged on runs of the whole model: all without hall-only runs; with
        # replayed visits, today's staffing (whose runs keep them) and those checked again.
        self.whole: set[str] = {TODAY_KEY} if self.hall.replayed else set()
        self.hall_rows: dict[str, dict[int, dict[str, Any]]] = {}  # before such a check
        self.visits: dict[int, list[list[Any]]] = {}  # seed -> back-office visits, as rows
        self._source = run_key(opt.base, 0, "back-office visits " + ",".join(self.hall.replayed))
        self._hall_pools = hall_pools(opt.base)
        self.seeds = [replication_seed(opt.seed, r) for r in range(opt.reps_max)]
        self.runs_by_key: dict[str, dict[int, dict[str, Any]]] = {}
        self.candidates: dict[str, Candidate] = {}
        self.errors: dict[str, str] = {}
        self.runs = 0  # simulated now (runs read back from the store are not counted)
        self.failed = 0  # of those, runs that failed
        self.on_progress = on_progress
        cache = shared_cache()
        self.store: RunStore | None = (
            open_output(out, "staffing optimisation", staffing_question(opt), resume)
            if out is not None
            else RunStore(cache)
            if cache is not None
            else None
        )
        if out is not None:  # the optimisation file, beside its runs (report finds it)
            text = json.dumps(opt.spec, sort_keys=True, default=str)
            (Path(out) / "optimize.json").write_text(text)

    @property
    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Each candidate's rows in replication order."""
        return {k: [runs[r] for r in sorted(runs)] for k, runs in self.runs_by_key.items()}

    def have(self, candidate: Candidate) -> int:
        """Replications 0..have-1 of ``candidate`` are at hand (they are added in order)."""
        return self._have(candidate.key())

    def _have(self, key: str) -> int:
        runs = self.runs_by_key.get(key, {})
        n = 0
        while n in runs:
            n += 1
        return n

    def ensure(self, candidates: list[Candidate], n: int) -> None:
        """Make sure every candidate has at least ``n`` replications (batched)."""
        n = min(n, self.opt.reps_max)
        groups: dict[int, list[Candidate]] = {}
        for c in candidates:
            key = c.key()
            self.candidates.setdefault(key, c)
            if key in self.errors:
                continue
            have = self.have(c)
            if have < n:
                groups.setdefault(have, []).append(c)
        whole: list[Job] = []
        alone: list[Job] = []
        for have, group in groups.items():
            for c in {c.key(): c for c in group}.values():
                on_whole = self.on_whole_model(c)
                scenario = apply(self.opt.base, c)
                if not on_whole:
                    scenario = without_chains(scenario)
                (whole if on_whole else alone).extend(
                    Job(scenario, self.seeds[r], {"candidate": c.key(), "replication": r})
                    for r in range(have, n)
                )
        daily = tuple(r for r in self.opt.requirements if r.every_hour or r.on_days is not None)
        # Without hourly or daily requirements a run is the run core's KPI row (as compare's).
        plain = partial(run_staffing, daily=daily) if daily else run_kpis
        if self.hall.replayed:  # today's runs keep the visits that hall-only runs replay
            today = [j for j in whole if j.tags["candidate"] == TODAY_KEY]
            whole = [j for j in whole if j.tags["candidate"] != TODAY_KEY]
            if today:
                self._run(today, KeepVisits(tuple(self.hall.replayed), daily))
        if whole:
            self._run(whole, plain)
        if alone and self.hall.replayed:
            self.ensure([Candidate()], max(j.tags["replication"] for j in alone) + 1)
            seeds = {j.seed for j in alone}
            visits = {seed: self.visits[seed] for seed in seeds}
            self._run(alone, ReplayRun(self._source, tuple(self.hall.replayed), visits, daily))
        elif alone:
            self._run(alone, plain)

    def on_whole_model(self, candidate: Candidate) -> bool:
        """Whether ``candidate``'s runs are of the whole model (else of the hall alone)."""
        return not self.hall.used or candidate.key() in self.whole

    def check_on_whole_model(self, candidate: Candidate) -> None:
        """Judge ``candidate`` from now on by runs of the whole model (its hall-only runs are
        kept in ``hall_rows`` for the report)."""
        key = candidate.key()
        if self.on_whole_model(candidate):
            return
        self.whole.add(key)
        self.candidates.setdefault(key, candidate)
        self.hall_rows[key] = self.runs_by_key.pop(key, {})

    def _run(self, jobs: list[Job], run: Any) -> None:
        """Run ``jobs`` through the run core and its store; keep their rows."""
        reused = self.store.hits if self.store is not None else 0
        start = self.runs
        for row in evaluate(jobs, self.executor, self._tick(), run, self.store):
            key = row.pop("candidate")
            kept = row.pop("back_office_visits", None)
            if kept is not None and key == TODAY_KEY:
                self.visits[int(row["seed"])] = kept
            if row.get("error"):  # a failing staffing is a result: it is never chosen
                self.errors.setdefault(key, str(row["error"]))
            if key not in self.whole and self.hall.used:
                row = blank_beyond_hall(row, self._hall_pools)
            self.runs_by_key.setdefault(key, {})[int(row["replication"])] = row
        reused = (self.store.hits if self.store is not None else 0) - reused
        self.runs = start + len(jobs) - reused
        if isinstance(run, KeepVisits):
            lost = [j.seed for j in jobs if j.seed not in self.visits]
            if lost:  # without them no hall-only run of that seed can be made
                raise RuntimeError(
                    f"the whole-model run with today's staffing failed on seed {lost[0]}: "
                    f"{self.errors.get(TODAY_KEY, 'no visits kept')}"
                )

    def _tick(self) -> Progress:
        """``on_progress(done, total, failed)`` over the whole search: runs done so far,
        those plus the batch under way (a search does not know its end), failures."""
        start, failed_before = self.runs, self.failed

        def tick(done: int, n: int, failed: int = 0) -> None:
            self.runs, self.failed = start + done, failed_before + failed
            if self.on_progress is not None:
                self.on_progress(self.runs, start + n, self.failed)

        return tick

    def judge(self, candidate: Candidate) -> Judgement:
        key = candidate.key()
        if key in self.errors:
            return Judgement(False, False, [])
        return judge(self._rows(key), self.opt.requirements, self.opt.confidence)

    def _rows(self, key: str) -> list[dict[str, Any]]:
        """The rows of replications 0..have-1, read by replication index."""
        runs = self.runs_by_key.get(key, {})
        return [runs[r] for r in range(self._have(key))]

    def objective(self, candidate: Candidate) -> float:
        return officer_hours(apply(self.opt.base, candidate), cost=self.opt.objective == "cost")

    def officer_hours(self, candidate: Candidate) -> float:
        return officer_hours(apply(self.opt.base, candidate))

    def mean(self, candidate: Candidate, column: str) -> float:
        x = [row.get(column, math.nan) for row in self._rows(candidate.key())]
        x = [v for v in x if v is not None and math.isfinite(v)]
        return float(np.mean(x)) if x else math.nan

    def share(self, candidate: Candidate, req: Requirement, hour: str) -> float:
        """The share of simulated days on which ``hour`` met ``req``'s bound (NaN: none)."""
        met_col, days_col = req.days_columns(hour)
        rows = self.rows.get(candidate.key(), [])
        met = float(np.nansum([row.get(met_col, math.nan) for row in rows]))
        days = float(np.nansum([row.get(days_col, math.nan) for row in rows]))
        return met / days if days else math.nan

    def sequential(self, candidate: Candidate) -> Judgement:
        """Add replications (x1.5 each step, up to the maximum) until every requirement is
        shown met, or one shown missed, with the stated confidence, or replications run out."""
        n = max(self.opt.reps_min, self.have(candidate))
        while True:
            self.ensure([candidate], n)
            j = self.judge(candidate)
            if j.feasible is not None or n >= self.opt.reps_max:
                return j
            n = min(self.opt.reps_max, math.ceil(n * 1.5))

"""Optimisation files (DESIGN §9): what may change, what it costs, what must hold.

Top-level keys (contract): ``optimize``, ``scenario`` or ``study``, ``seed``,
``replications``, ``decisions``, ``objective``, ``requirements``, ``confidence``,
``portfolio``, ``indifference`` (the last two, with ``study``, belong to portfolio files,
which :mod:`simlib.optimize.portfolio` reads); a staffing file may also carry ``reforms``
(applied to the scenario first, as in sweep files), ``description`` and
``max_evaluations`` (staffings the search may try). Everything is checked at load, with the
line and path of each mistake, before a single run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from simlib.files import (
    expect_kind,
    file_error,
    line_for_path,
    read_yaml,
    register_loader,
    reported,
    validated,
)
from simlib.files.scenario import load_referenced
from simlib.limits import checker, over
from simlib.metrics import CASE_KPIS, DAY_KPIS, HOUR_KPIS, MATTER_KPIS, POOL_KPIS
from simlib.optimize.sanity import requirement_issues
from simlib.optimize.shifts import ShiftRule, roster_patterns
from simlib.reforms import apply_reforms
from simlib.scenario.errors import Issue, ScenarioError
from simlib.scenario.model import Scenario, parse_hours
from simlib.timekeeping import HallCalendar

__all__ = [
    "ByHour",
    "Level",
    "Optimization",
    "OptimizeFile",
    "Requirement",
    "TemplateChoice",
    "load_optimization",
    "optimization_from_dict",
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _pair(v: list[int]) -> list[int]:
    if v[0] > v[1] or v[0] < 0:
        raise ValueError(f"[{v[0]}, {v[1]}] is not a range [low, high] of officers (low >= 0)")
    too_many = over("officers", v[1], "the top of the range of officers")
    if too_many:
        raise ValueError(too_many)
    return v


Range = Annotated[list[int], Field(min_length=2, max_length=2)]


class LengthRange(_Strict):
    """``shift_lengths: {min: 4, max: 8}``: any length in between, in steps of the grid."""

    min: Annotated[float, Field(gt=0, le=24)]
    max: Annotated[float, Field(gt=0, le=24)]

    @model_validator(mode="after")
    def _order(self) -> LengthRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class BreakRule(_Strict):
    """``break: {after_hours: 6, minutes: 30}``: a paid break in longer shifts."""

    after_hours: Annotated[float, Field(gt=0, le=24)]
    minutes: Annotated[int, Field(ge=5, le=120)]


class DecisionSpec(_Strict):
    """``{range: [a, b]}`` (a level) or ``{by_hour: true, range: [a, b], ...}`` (per hour).
    Shift rules (by the hour): ``shift_lengths`` (hours, start to end, a list or
    ``{min, max}``), ``start_every_min``, ``break``, ``max_part_time_share``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    range: Range
    by_hour: bool = False
    shift_lengths: (
        Annotated[list[Annotated[float, Field(gt=0, le=24)]], Field(min_length=1)] | LengthRange
    ) = [4, 8]  # hours from start to end (the hall's lunch inside counts)
    patterns: list[Annotated[list[str], Field(min_length=1)]] | None = None  # explicit shifts
    start_every_min: Annotated[int, Field(ge=5, le=240)] = 60
    break_rule: BreakRule | None = Field(None, alias="break")
    max_part_time_share: Annotated[float, Field(ge=0, le=1)] | None = None

    def rule(self) -> ShiftRule:
        """The shift rule in minutes (lengths of a range on the start grid)."""
        grid = self.start_every_min
        if isinstance(self.shift_lengths, LengthRange):
            low = math.ceil(self.shift_lengths.min * 60 / grid) * grid
            lengths = tuple(range(low, int(self.shift_lengths.max * 60) + 1, grid))
        else:
            lengths = tuple(round(h * 60) for h in self.shift_lengths)
        b = self.break_rule
        return ShiftRule(
            lengths,
            grid,
            round(b.after_hours * 60) if b else None,
            b.minutes if b else 0,
            self.max_part_time_share,
        )

    @model_validator(mode="after")
    def _checks(self) -> DecisionSpec:
        _pair(self.range)
        if not self.by_hour and self.patterns is not None:
            raise ValueError("patterns go with by_hour: true")
        for pattern in self.patterns or []:
            parse_hours(pattern)
        return self


Reps = Annotated[int, Field(ge=2), AfterValidator(checker("replications", "replications"))]
Bound = Annotated[float, Field(allow_inf_nan=False)]  # NaN or inf would hold or fail silently


class Replications(_Strict):
    min: Reps = 5
    max: Reps = 40

    @model_validator(mode="after")
    def _order(self) -> Replications:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class Objective(_Strict):
    minimize: Literal["officer_hours", "cost"] = "officer_hours"


class Requirement(_Strict):
    """``{kpi, min|max, matter?, every_hour?, on_days?}``.

    ``on_days: q`` (with ``every_hour``): the bound must hold in each open hour on at least
    the share q of days (a day is one observation; a run gives many), judged with a
    Clopper–Pearson bound on that share. ``on_days`` alone (a KPI of ``DAY_KPIS``, for a
    matter or the hall): the whole day's value must meet the bound on the share q of days,
    e.g. booked applicants seen within their window on 90 % of days. Without it the mean
    over runs must meet the bound."""

    kpi: str
    min: Bound | None = None
    max: Bound | None = None
    matter: str | None = None
    every_hour: bool = False
    on_days: Annotated[float, Field(gt=0, lt=1)] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Requirement:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of min or max")
        base, _, rest = self.kpi.partition("[")
        if self.every_hour and self.matter is not None:
            raise ValueError("every_hour and matter cannot be combined")
        if self.on_days is not None and not self.every_hour and base not in DAY_KPIS:
            raise ValueError(
                f"on_days needs a daily KPI ({', '.join(DAY_KPIS)}) or every_hour: true "
                "(the share of days each hour meets)"
            )
        if self.every_hour and base not in HOUR_KPIS:
            raise ValueError(f"every_hour needs an hourly KPI: {', '.join(HOUR_KPIS)}")
        if self.matter is not None and base not in MATTER_KPIS:
            raise ValueError(f"per-matter KPIs are: {', '.join(MATTER_KPIS)}")
        if rest and base not in POOL_KPIS:
            raise ValueError(f"only pool KPIs take [pool]: {', '.join(POOL_KPIS)}")
        if base in POOL_KPIS and not rest:
            raise ValueError(f"'{base}' is per pool: write '{base}[<pool id>]'")
        if base not in CASE_KPIS and base not in POOL_KPIS:
            raise ValueError(
                f"unknown KPI '{self.kpi}'; KPIs are: {', '.join(CASE_KPIS + POOL_KPIS)}"
            )
        return self

    @property
    def bound(self) -> float:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]

    @property
    def sense(self) -> str:
        return "max" if self.max is not None else "min"

    def label(self) -> str:
        where = (
            f" for {self.matter}" if self.matter else " in every hour" if self.every_hour else ""
        )
        op = "<=" if self.sense == "max" else ">="
        days = f" on >= {self.on_days:.0%} of days" if self.on_days is not None else ""
        return f"{self.kpi}{where} {op} {self.bound:g}{days}"

    def met_on(self, value: float) -> bool:
        """Whether one observation (a day's hour) meets the bound."""
        return value <= self.bound if self.sense == "max" else value >= self.bound

    def days_columns(self, hour: str | None = None) -> tuple[str, str]:
        """The flat columns of one run: days on which ``hour`` (without it: the day, for
        the matter if any) met the bound, days judged."""
        op = "<=" if self.sense == "max" else ">="
        where = (
            f"[hour={hour}]"
            if hour is not None
            else f"[matter={self.matter}]"
            if self.matter
            else ""
        )
        return (
            f"days_met:{self.kpi}{op}{self.bound:g}{where}",
            f"days:{self.kpi}{op}{self.bound:g}{where}",
        )

    def column(self, hour: str | None = None) -> str:
        """The flat KPI column (shared naming contract) this requirement reads."""
        if self.matter is not None:
            return f"{self.kpi}[matter={self.matter}]"
        if hour is not None:
            return f"{self.kpi}[hour={hour}]"
        return self.kpi


class OptimizeFile(_Strict):
    """The keys of an optimisation file (contract)."""

    optimize: str
    description: str = ""
    scenario: str | None = None
    study: str | None = None
    reforms: list[dict[str, Any]] = []  # applied to the scenario first (as in sweep files)
    seed: Annotated[int, Field(ge=0)] = 0
    replications: Replications | Reps = Replications()
    decisions: Annotated[dict[str, DecisionSpec], Field(min_length=1)]
    objective: Objective = Objective()
    requirements: Annotated[list[Requirement], Field(min_length=1)]
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    portfolio: Any = None
    indifference: Any = None
    max_evaluations: Annotated[int, Field(ge=1)] = 60  # candidate staffings, not runs

    @model_validator(mode="after")
    def _staffing_file(self) -> OptimizeFile:
        if self.scenario is None:
            raise ValueError("a staffing optimisation needs scenario: (the hall to staff)")
        return self


@dataclass(frozen=True)
class Level:
    """One officer count for the day (``pools.<id>.count``)."""

    path: str
    pool: str
    low: int
    high: int


@dataclass(frozen=True)
class ByHour:
    """Officers per clock hour for a pool (``pools.<id>.shifts`` with ``by_hour: true``),
    turned into shifts at the end; ``patterns`` are the allowed shifts (hours lists)."""

    path: str
    pool: str
    low: int
    high: int
    patterns: list[list[str]] | None
    shift_lengths: list[int]
    rule: ShiftRule | None = None  # lengths, start grid, breaks, part-time cap


@dataclass(frozen=True)
class TemplateChoice:
    """Bookable places per slot for a matter with appointments
    (``matters.<id>.appointments.template``, one number for every slot): more places book
    more applicants ahead of walk-ins, at the cost of booked waits. It costs no officer
    hours, so among equally cheap staffings the search prefers the most places."""

    path: str
    matter: str
    low: int
    high: int


@dataclass(frozen=True)
class Optimization:
    """A loaded staffing optimisation: the hall, the decisions and the requirements."""

    name: str
    base: Scenario
    seed: int
    reps_min: int
    reps_max: int
    levels: list[Level]
    by_hour: list[ByHour]
    objective: str
    requirements: list[Requirement]
    confidence: float
    max_evaluations: int
    spec: dict[str, Any] = field(default_factory=dict)  # the file's content (for --resume)
    templates: list[TemplateChoice] = field(default_factory=list)  # appointment templates


def open_clock_hours(opening: list[tuple[int, int]]) -> list[int]:
    return sorted({h for s, e in opening for h in range(s // 60, math.ceil(e / 60))})


def _template(path: str, d: DecisionSpec, base: Scenario) -> tuple[TemplateChoice | None, str]:
    """``matters.<id>.appointments.template`` with a range of places per slot."""
    mid = path.split(".")[1]
    matter = next((m for m in base.matters if m.id == mid), None)
    if matter is None:
        ids = ", ".join(m.id for m in base.matters)
        return None, f"unknown matter '{mid}'; matters are: {ids}"
    if matter.appointments is None:
        return None, f"matter '{mid}' has no appointments: give it matters[].appointments first"
    if d.by_hour:
        return None, "an appointment template is one number of places per slot: no by_hour"
    return TemplateChoice(path, mid, d.range[0], d.range[1]), ""


def _decision(
    path: str, d: DecisionSpec, base: Scenario
) -> tuple[Level | ByHour | TemplateChoice | None, str]:
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "matters" and parts[2:] == ["appointments", "template"]:
        return _template(path, d, base)
    if len(parts) != 3 or parts[0] != "pools" or parts[2] not in ("count", "shifts"):
        return None, (
            "a decision is pools.<pool id>.count (one level for the day), "
            "pools.<pool id>.shifts with by_hour: true (officers per clock hour) or "
            "matters.<matter id>.appointments.template (bookable places per slot)"
        )
    pool = parts[1]
    if pool not in base.pools:
        return None, f"unknown pool '{pool}'; pools are: {', '.join(base.pools)}"
    if parts[2] == "count":
        if d.by_hour:
            return None, f"by_hour decisions are pools.{pool}.shifts, not .count"
        if base.pools[pool].shifts is not None:
            return None, f"pool '{pool}' has shifts; decide pools.{pool}.shifts with by_hour: true"
        return Level(path, pool, d.range[0], d.range[1]), ""
    if not d.by_hour:
        return None, f"pools.{pool}.shifts needs by_hour: true"
    rule = d.rule()
    if d.patterns:
        uncovered = _uncovered(d.patterns, base)
        if uncovered:
            return None, (
                f"no pattern covers the open hour(s) {uncovered}: every clock hour the hall is "
                "open must lie inside some pattern (patterns are clipped to opening hours)"
            )
    else:
        opening = HallCalendar(base.calendar, 7, base.hall.ticket_cutoff).hours
        made = roster_patterns(opening, rule)
        if rule.part_time_share == 0:  # full-time shifts alone must cover the day
            made = [p for p in made if p.minutes >= rule.full_time]
        covered = {h for p in made for h in p.share}
        missing = [h for h in open_clock_hours(opening) if h not in covered]
        if missing:
            return None, (
                "no shift these rules allow covers hour(s) "
                f"{', '.join(f'{h:02d}:00' for h in missing)} (shifts run start to end within "
                "the opening hours, the hall's lunch inside counts toward the length): "
                "add shorter lengths or a finer start_every_min"
            )
    lengths = [x // 60 for x in rule.lengths]
    return ByHour(path, pool, d.range[0], d.range[1], d.patterns, lengths, rule), ""


def _uncovered(patterns: list[list[str]] | None, base: Scenario) -> str:
    """The open clock hours no explicit pattern covers ("" when all are, or none given)."""
    if not patterns:
        return ""
    from simlib.optimize.shifts import Pattern
    from simlib.timekeeping import HallCalendar

    opening = HallCalendar(base.calendar, 7, base.hall.ticket_cutoff).hours
    open_hours = {h for s, e in opening for h in range(s // 60, -(-e // 60))}
    covered = set().union(*(Pattern(list(p), opening).covers for p in patterns))
    return ", ".join(f"{h:02d}" for h in sorted(open_hours - covered))


def optimization_from_dict(
    data: dict[str, Any], source: str, base_dir: Path, tree: Any = None
) -> Optimization:
    spec = validated(OptimizeFile, data, source, tree)
    _, base = load_referenced(str(spec.scenario), base_dir, source, tree, "scenario")
    with reported(source, tree):
        base = apply_reforms(base, spec.reforms)
    issues: list[Issue] = []
    levels: list[Level] = []
    by_hour: list[ByHour] = []
    templates: list[TemplateChoice] = []
    seen: set[str] = set()
    for path, d in spec.decisions.items():
        decision, problem = _decision(path, d, base)
        where = f"decisions.{path}"
        if isinstance(decision, TemplateChoice):
            templates.append(decision)
            continue
        if decision is not None and decision.pool in seen:
            problem = f"pool '{decision.pool}' already has a decision"
        if problem:
            issues.append(Issue(where, problem, line_for_path(tree, "decisions")))
            continue
        seen.add(decision.pool)  # type: ignore[union-attr]
        (levels if isinstance(decision, Level) else by_hour).append(decision)  # type: ignore[arg-type]
    matters = {m.id for m in base.matters}
    for i, req in enumerate(spec.requirements):
        where = f"requirements[{i}]"
        if req.matter is not None and req.matter not in matters:
            issues.append(
                Issue(
                    f"{where}.matter",
                    f"unknown matter '{req.matter}'; matters are: {', '.join(sorted(matters))}",
                    line_for_path(tree, f"{where}.matter"),
                )
            )
        pool = req.kpi.partition("[")[2].rstrip("]")
        if pool and pool not in base.pools:
            issues.append(
                Issue(
                    f"{where}.kpi",
                    f"unknown pool '{pool}'; pools are: {', '.join(base.pools)}",
                    line_for_path(tree, f"{where}.kpi"),
                )
            )
    if spec.objective.minimize == "cost":
        missing = [p for p, pool in base.pools.items() if pool.cost_per_hour is None]
        if missing:
            issues.append(
                Issue(
                    "objective",
                    f"minimize: cost needs pools.<id>.cost_per_hour in the scenario; "
                    f"missing for {', '.join(missing)}",
                    line_for_path(tree, "objective"),
                )
            )
    issues += requirement_issues(spec.requirements, [base])  # units, and floors by theory
    if issues:
        raise file_error(source, issues, tree)
    reps = spec.replications
    low, high = (reps.min, reps.max) if isinstance(reps, Replications) else (reps, reps)
    return Optimization(
        spec.optimize,
        base,
        spec.seed,
        low,
        high,
        levels,
        by_hour,
        spec.objective.minimize,
        list(spec.requirements),
        spec.confidence,
        spec.max_evaluations,
        data,
        templates,
    )


def load_optimization(path: str | Path) -> Optimization:
    """Load a staffing optimisation file; the scenario it names is loaded and checked too."""
    path = Path(path)
    doc = read_yaml(path)
    expect_kind(doc.data, path, "optimize")
    if "portfolio" in doc.data:
        raise ScenarioError(
            str(path),
            [
                Issue(
                    "portfolio",
                    "this is a portfolio file; simlib optimize runs it, not this loader",
                )
            ],
        )
    return optimization_from_dict(doc.data, str(path), path.parent, doc.tree)


register_loader("optimize", load_optimization)

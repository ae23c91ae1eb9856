"""The scenario format (DESIGN §4) as frozen, validated pydantic models.

A scenario is validated once, at load; everything downstream trusts it. Every optional
key defaults to the neutral value, so nothing happens that the file does not ask for.
Cross-field mistakes (unknown pools, duplicate ids, ...) are collected by
:func:`reference_issues` and reported with their paths, all at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from simlib.scenario.chain import walk_chain
from simlib.scenario.dists import Constant, Distribution
from simlib.scenario.size import size_issues

__all__ = [
    "WEEKDAYS",
    "Absence",
    "Acceptance",
    "Appointments",
    "Arrivals",
    "Balking",
    "Calendar",
    "ChainItem",
    "Commitment",
    "DayFactor",
    "DelayStep",
    "Hall",
    "Handoff",
    "Hold",
    "Horizon",
    "Matter",
    "Parallel",
    "PerHourOrDay",
    "Pool",
    "ReferenceIssues",
    "Scenario",
    "Shift",
    "SkillGroup",
    "Skills",
    "Step",
    "parse_clock",
    "parse_hours",
    "reference_issues",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Probability = Annotated[float, Field(ge=0, le=1)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", max_length=64)]

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"`` (``"24:00"`` allowed as the day's end)."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a time of day; write HH:MM, e.g. '09:30'")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"'{text}' is not a time of day between 00:00 and 24:00")
    return hours * 60 + minutes


def _check_range(text: str) -> str:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"'{text}' is not an hour range; write 'HH:MM-HH:MM', e.g. '09:00-12:00'")
    if parse_clock(start) >= parse_clock(end):
        raise ValueError(f"hour range '{text}' ends before it starts")
    return text


HourRange = Annotated[str, AfterValidator(_check_range)]


def parse_hours(ranges: list[str]) -> list[tuple[int, int]]:
    """``["09:00-12:00", ...]`` as sorted (start, end) minutes after midnight."""
    out = []
    for text in ranges:
        start, _, end = text.partition("-")
        out.append((parse_clock(start), parse_clock(end)))
    return sorted(out)


def _check_hour_list(ranges: list[str]) -> list[str]:
    parsed = parse_hours(ranges)
    for (_, end), (start, _) in itertools.pairwise(parsed):
        if start < end:
            raise ValueError(f"hour ranges {ranges} overlap; give disjoint ranges")
    return ranges


Hours = Annotated[list[HourRange], Field(min_length=1), AfterValidator(_check_hour_list)]


class _Model(BaseModel):
    # allow_inf_nan=False: a YAML .inf or .nan where a number is expected is refused.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Horizon(_Model):
    days: Annotated[int, Field(ge=1)] = 30
    warmup_days: Annotated[int, Field(ge=0)] = 0
    # After the horizon the run goes on (arrivals too) until every case that arrived between
    # warm-up and the horizon is decided and collected, for at most this many calendar days.
    drain_days: Annotated[int, Field(ge=0)] = 60

    @model_validator(mode="after")
    def _warmup_inside(self) -> Horizon:
        if self.warmup_days >= self.days:
            raise ValueError(
                f"warmup_days ({self.warmup_days}) must be less than days ({self.days})"
            )
        return self


class Calendar(_Model):
    workdays: Annotated[list[Weekday], Field(min_length=1)] = ["mon", "tue", "wed", "thu", "fri"]
    hours: Hours = ["09:00-12:00", "13:00-17:00"]
    start_date: dt.date | None = None
    holidays: list[dt.date] = []
    hours_by_weekday: dict[Weekday, Hours] = {}  # overrides ``hours`` on those weekdays
    _spans: list[tuple[int, int]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _holidays_need_a_date(self) -> Calendar:
        if self.holidays and self.start_date is None:
            raise ValueError("holidays need start_date, so that days can be matched to dates")
        self._spans = parse_hours(self.hours)  # parsed once, here
        return self

    @model_validator(mode="after")
    def _weekday_hours_on_workdays(self) -> Calendar:
        closed = [d for d in self.hours_by_weekday if d not in self.workdays]
        if closed:
            raise ValueError(
                f"hours_by_weekday gives hours for {', '.join(closed)}, which is not in "
                f"workdays {self.workdays}; add it to workdays or drop its hours"
            )
        return self

    def hours_on(self, weekday: str) -> list[str]:
        """Opening hours on ``weekday`` (its own hours if given, else the usual ones)."""
        return self.hours_by_weekday.get(weekday, self.hours)  # type: ignore[call-overload]

    @property
    def open_spans(self) -> list[tuple[int, int]]:
        """Opening hours as sorted (start, end) minutes after midnight."""
        return self._spans


class Balking(_Model):
    """Applicants who see many tickets ahead on the display leave without one. The chance of
    leaving is a curve of the tickets ahead (per open window of the pool with ``per_window``):
    ``step`` leaves for sure from ``threshold`` on; ``linear`` rises from 0 at ``threshold`` to
    1 at ``full_at``; ``logistic`` is 1/2 at ``threshold`` with width ``scale``. Those who
    leave come back another day with ``return_prob`` (each look at the display is a visit)."""

    curve: Literal["step", "linear", "logistic"] = "step"
    threshold: Annotated[float, Field(ge=0)]
    full_at: Annotated[float, Field(gt=0)] | None = None  # linear only
    scale: Annotated[float, Field(gt=0)] = 1.0  # logistic only
    per_window: bool = True
    return_prob: Probability = 0.0
    illustrative: bool = True  # assumed, not fitted from a log of people who looked and left

    @model_validator(mode="before")
    @classmethod
    def _ahead_per_window(cls, data: Any) -> Any:
        """``ahead_per_window: n`` is short for ``threshold: n, per_window: true``."""
        if isinstance(data, dict) and "ahead_per_window" in data:
            if "threshold" in data:
                raise ValueError("give threshold or ahead_per_window, not both")
            rest = {k: v for k, v in data.items() if k != "ahead_per_window"}
            data = {**rest, "threshold": data["ahead_per_window"], "per_window": True}
        return data

    @model_validator(mode="after")
    def _curve_parameters(self) -> Balking:
        if self.curve == "linear":
            if self.full_at is None or self.full_at <= self.threshold:
                raise ValueError("a linear balking curve needs full_at greater than threshold")
        elif self.full_at is not None:
            raise ValueError("full_at goes with curve: linear only")
        return self


class Hall(_Model):
    mode: Literal["dedicated", "comprehensive"] = "dedicated"
    ticket_cutoff: str | None = None
    at_close: Literal["serve_all", "send_home"] = "serve_all"
    patience: Distribution | None = None
    renege_return_prob: Probability = 1.0
    return_delay_days: Distribution = Constant(value=1.0)
    wait_target_min: Annotated[float, Field(ge=0)] = 15.0  # for hall_service_level
    travel_min: Annotated[float, Field(ge=0)] = 0.0  # applicant's travel per visit, both ways
    balking: Balking | None = None  # leaving at the ticket display (off: everyone takes one)
    _cutoff: int | None = PrivateAttr(default=None)

    @field_validator("ticket_cutoff")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None:
            parse_clock(v)
        return v

    @model_validator(mode="after")
    def _parse_cutoff(self) -> Hall:
        self._cutoff = parse_clock(self.ticket_cutoff) if self.ticket_cutoff else None
        return self

    @property
    def cutoff_minute(self) -> int | None:
        """``ticket_cutoff`` in minutes after midnight (None: no cut-off)."""
        return self._cutoff


class Absence(_Model):
    """Each officer is absent on a share ``daily_prob`` of working days, in spells of
    ``mean_days`` working days on average (leave, training, sickness come in spells)."""

    daily_prob: Probability = 0.0
    mean_days: Annotated[float, Field(ge=1)] = 1.0

    def persistence(self) -> tuple[float, float]:
        """(P(absent tomorrow | absent today), P(absent tomorrow | present today)) of the
        two-state chain over working days whose long-run share absent is ``daily_prob``
        and whose spells last ``mean_days`` on average. Spells shorter than independent
        days give (1 / (1 - daily_prob), e.g. 1.05 days at 5 %) are taken as independent
        days, so that the default ``mean_days: 1`` is exactly independent days."""
        p = self.daily_prob
        if p >= 1 or self.mean_days * (1 - p) <= 1:
            return p, p  # independent days
        spell = self.mean_days
        return 1 - 1 / spell, p / (spell * (1 - p))


class Handoff(_Model):
    """Paper files between departments travel with a courier at fixed ``rounds`` on working
    days: a file handed over waits for the next round, then arrives."""

    rounds: Annotated[list[str], Field(min_length=1)]

    @field_validator("rounds")
    @classmethod
    def _clocks(cls, v: list[str]) -> list[str]:
        for text in v:
            if parse_clock(text) >= 24 * 60:
                raise ValueError(f"round '{text}' is not a time of day before 24:00")
        return v


class Shift(_Model):
    """``count`` officers on duty during ``hours`` (default: opening hours) on ``days``
    (default: every workday), on other hours on the weekdays of ``hours_by_weekday``."""

    hours: Hours | None = None
    count: Annotated[int, Field(ge=0)]
    days: Annotated[list[Weekday], Field(min_length=1)] | None = None
    # The same officers on other hours on some weekdays (e.g. a short Friday): overrides
    # ``hours`` on those weekdays, as ``calendar.hours_by_weekday`` does for the hall.
    hours_by_weekday: dict[Weekday, Hours] = {}
    # The roster a planner pays, start-end with the hall's lunch inside ("09:00-17:00"):
    # written by simlib optimize beside the hours at the window; the engine uses ``hours``.
    roster: HourRange | None = None

    @model_validator(mode="after")
    def _weekday_hours_on_its_days(self) -> Shift:
        off = [d for d in self.hours_by_weekday if self.days is not None and d not in self.days]
        if off:
            raise ValueError(
                f"hours_by_weekday gives hours for {', '.join(off)}, which is not in the "
                f"shift's days {self.days}; add it to days or drop its hours"
            )
        return self


class SkillGroup(_Model):
    """``count`` officers of the pool who serve tickets of exactly these ``matters``."""

    count: Annotated[int, Field(ge=1)]
    matters: Annotated[list[str], Field(min_length=1)]


class Skills(_Model):
    """Which officers serve which matters' tickets (hard eligibility). ``groups`` give the
    pool's officers in order; officers beyond them serve every matter of the pool's own hall
    queue. ``officers_with: {matter: n}`` is the short form: n officers have the matter's
    skill (handed out round the officers in turn, so overlaps spread), every officer keeps
    the pool's other matters. A matter of another pool makes those officers serve that
    pool's tickets of it too (cross-training between dedicated windows). ``routing``: a new
    ticket goes to the eligible officer idle longest, or (``priority_by_skill_count``) to the
    idle officer with the fewest skills; a free officer calls the longest-waiting ticket it
    may serve (higher priority first)."""

    groups: list[SkillGroup] | None = None
    officers_with: dict[str, Annotated[int, Field(ge=0)]] | None = None
    routing: Literal["longest_waiting", "priority_by_skill_count"] = "longest_waiting"

    @model_validator(mode="after")
    def _one_form(self) -> Skills:
        if (self.groups is None) == (self.officers_with is None):
            raise ValueError("give exactly one of groups or officers_with")
        return self

    def named(self) -> list[str]:
        """Every matter the skills name."""
        if self.groups is not None:
            return list(dict.fromkeys(m for g in self.groups for m in g.matters))
        return list(self.officers_with or {})


class Pick(_Model):
    """When a back-office pool takes up a case's first chain task (``pick: {by: deadline,
    lead_days}``): the task becomes eligible ``lead_days`` working days before the case's
    deadline (one draw per case) and eligible tasks are taken earliest deadline first.

    A queue discipline, not a delay: officers do not start a task before it is eligible
    (their time goes to eligible work or, in the log, to other processes), and once it is
    eligible it still waits for a free officer, so fewer officers mean longer waits. Cases
    without a deadline are eligible at once; later steps of a started case are not held."""

    by: Literal["deadline"] = "deadline"
    lead_days: Distribution  # working days; a number is a constant

    @field_validator("lead_days", mode="before")
    @classmethod
    def _number_is_constant(cls, v: Any) -> Any:
        return {"dist": "constant", "value": v} if isinstance(v, int | float) else v


class Pool(_Model):
    """Officers of one pool. ``count`` with ``hours`` is one shift; ``shifts`` gives several,
    each with its own officers (``count`` is then the headcount, their sum)."""

    count: Annotated[int, Field(ge=0)]
    name: str | None = None  # display name in reports and charts (else the pool's id)
    hours: Hours | None = None
    shifts: Annotated[list[Shift], Field(min_length=1)] | None = None
    absence: Absence = Absence()
    backup: str | None = None
    # back-office work: arrival order, deadline order, or deadline order with the next steps
    # of cases already started in the chain ahead (an officer finishes a case in one sitting)
    order: Literal["fifo", "deadline", "started_first"] = "fifo"
    # deadline-driven take-up of a case's first task (off by default); implies deadline order
    pick: Pick | None = None
    cost_per_hour: Annotated[float, Field(ge=0)] | None = None  # per officer-hour on duty
    skills: Skills | None = None  # None: every officer serves every ticket of its hall queue

    @model_validator(mode="before")
    @classmethod
    def _headcount_from_shifts(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("shifts") and "count" not in data:
            shifts = data["shifts"]
            if isinstance(shifts, list) and all(
                isinstance(x, dict) and isinstance(x.get("count"), int) for x in shifts
            ):
                data = {**data, "count": sum(x["count"] for x in shifts)}
        return data

    @model_validator(mode="after")
    def _shifts_or_hours(self) -> Pool:
        if self.shifts is None:
            return self
        if self.hours is not None:
            raise ValueError("give hours inside each shift, not beside shifts")
        headcount = sum(x.count for x in self.shifts)
        if self.count != headcount:
            raise ValueError(
                f"count ({self.count}) must equal the officers of the shifts ({headcount}); "
                "leave count out with shifts"
            )
        return self

    def crews(self) -> list[Shift]:
        """The pool's shifts; the one-shift shorthand as a list of one (hours None: the
        opening hours of each day)."""
        if self.shifts is not None:
            return list(self.shifts)
        return [Shift(hours=self.hours, count=self.count)]

    _spans: list[tuple[int, int]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _parse_hours(self) -> Pool:
        self._spans = parse_hours(self.hours) if self.hours is not None else None
        if self.shifts is not None and all(x.hours is not None for x in self.shifts):
            # Several shifts: the clock spans in which some shift is on (for charts, checks).
            spans = sorted(
                span
                for x in self.shifts
                for hours in [x.hours or [], *x.hours_by_weekday.values()]
                for span in parse_hours(list(hours))
            )
            merged: list[tuple[int, int]] = []
            for start, end in spans:
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            self._spans = merged
        return self

    @property
    def shift_spans(self) -> list[tuple[int, int]] | None:
        """The pool's own shift as (start, end) minutes, or None: the opening hours. With
        several shifts, the spans in which at least one of them is on."""
        return self._spans


class DayFactor(_Model):
    """A random factor on each day's arrival rate (over-dispersed arrivals): the day's
    rate is multiplied by a Gamma draw of mean 1 and coefficient of variation ``cv``
    (shape k = 1/cv^2), so that a day's count is Gamma-Poisson (negative binomial), with
    variance mean + mean^2/k instead of the Poisson mean. Busy and quiet days of real logs
    beyond what a Poisson process gives (``simlib calibrate`` fits it where the log's
    dispersion test rejects Poisson)."""

    dist: Literal["gamma"] = "gamma"
    cv: Annotated[float, Field(gt=0, le=3)]


class PerHourOrDay(_Model):
    """``{per_hour: x}`` or ``{per_day: x, profile: {"09": w}, weekday_factors: {mon: f}}``."""

    per_hour: Annotated[float, Field(ge=0)] | None = None
    per_day: Annotated[float, Field(ge=0)] | None = None
    profile: dict[str, Annotated[float, Field(ge=0)]] | None = None
    weekday_factors: dict[Weekday, Annotated[float, Field(ge=0)]] = {}
    # weekdays whose hour shares differ (e.g. a short Friday); others use ``profile``
    profile_by_weekday: dict[Weekday, dict[str, Annotated[float, Field(ge=0)]]] = {}
    # each day's rate times a random factor of mean 1 (none: a Poisson process)
    day_factor: DayFactor | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> PerHourOrDay:
        if (self.per_hour is None) == (self.per_day is None):
            raise ValueError("give exactly one of per_hour or per_day")
        if self.profile is not None:
            if self.per_day is None:
                raise ValueError("profile goes with per_day, not per_hour")
            for key in self.profile:
                if not re.fullmatch(r"\d{2}", key) or int(key) > 23:
                    raise ValueError(f"profile key '{key}' is not an hour of day '00'..'23'")
            if sum(self.profile.values()) <= 0:
                raise ValueError("profile weights must not all be zero")
        for day, prof in self.profile_by_weekday.items():
            if self.per_day is None:
                raise ValueError("profile_by_weekday goes with per_day, not per_hour")
            for key in prof:
                if not re.fullmatch(r"\d{2}", key) or int(key) > 23:
                    raise ValueError(f"profile_by_weekday.{day} key '{key}' is not an hour")
        return self


Arrivals = PerHourOrDay


class Acceptance(_Model):
    pool: str
    time: Distribution


class Hold(_Model):
    """A case put aside before a step, waiting on someone outside the back office (the
    applicant's answer, an adviser, the post), not on an officer: with ``prob`` the step
    becomes ready only after ``days`` calendar days, during which no officer works on it."""

    prob: Annotated[float, Field(gt=0, le=1)]
    days: Distribution


class Step(_Model):
    """Work in a back-office pool, measured in working minutes.

    Branching (optional steps, as fitted from an event log): a step with ``prob`` < 1 is
    taken by that share of cases; with ``requires`` it is considered only in cases that
    took the named earlier step (then ``prob`` is conditional on it), so that a block of
    steps that come together (a document request and its checks) is taken together.
    ``label`` is the activity's name in event logs (the real log's label)."""

    id: Ident
    pool: str
    time: Distribution
    rework_prob: Annotated[float, Field(ge=0, lt=1)] = 0.0
    applicant_visit: bool = False
    prob: Annotated[float, Field(gt=0, le=1)] = 1.0
    requires: str | None = None
    label: str | None = None
    hold: Hold | None = None  # off by default: the step is ready when the previous is done


class DelayStep(_Model):
    """A calendar delay with no officer (e.g. a public notice period)."""

    id: Ident
    delay_days: Annotated[float, Field(ge=0)]


def _branch_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        if "parallel" in v:
            return None  # a group inside a group: one clear error instead of four
        return "delay" if "delay_days" in v else "step"
    return "delay" if isinstance(v, DelayStep) else "step"


Branch = Annotated[
    Annotated[Step, Tag("step")] | Annotated[DelayStep, Tag("delay")],
    Discriminator(
        _branch_kind,
        custom_error_type="nested_parallel",
        custom_error_message=(
            "nested parallel groups are not supported; list every branch in one group"
        ),
    ),
]


class Parallel(_Model):
    """Fork-join: the case moves on when every branch is done."""

    parallel: Annotated[list[Branch], Field(min_length=2)]


def _item_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return "parallel" if "parallel" in v else _branch_kind(v)
    return "parallel" if isinstance(v, Parallel) else _branch_kind(v)


ChainItem = Annotated[
    Annotated[Step, Tag("step")]
    | Annotated[DelayStep, Tag("delay")]
    | Annotated[Parallel, Tag("parallel")],
    Discriminator(_item_kind),
]


class Commitment(_Model):
    eligible: bool = False
    verify: list[str] = []
    fail_rate: Probability = 0.0


class Appointments(_Model):
    """Booking for a matter: a ``share`` of walk-in applicants book the next free slot (of
    ``slot_min`` minutes in opening hours; ``template``: bookable per slot, one number or per
    hour ``{"09": 2}``, hours left out offer none) within ``max_days_ahead`` days, else walk in
    at once. A booked applicant does not come with ``no_show``, else arrives ``punctuality``
    minutes after the slot less ``early_by_min`` (so early and late arrivals can both be
    drawn from a distribution of non-negative times) and is called ahead of walk-ins from
    ``early_window_min`` before the slot, booked in slot order. Later than
    ``late_window_min`` after the slot, ``late_rule`` says: take a walk-in ticket, or be
    refused (a visit; the applicant comes back as a walk-in another day)."""

    share: Probability
    slot_min: Annotated[float, Field(gt=0)] = 15.0
    template: Annotated[int, Field(ge=0)] | dict[str, Annotated[int, Field(ge=0)]] = 1
    no_show: Probability = 0.0
    punctuality: Distribution = Constant(value=0.0)  # minutes after slot - early_by_min
    early_by_min: Annotated[float, Field(ge=0)] = 0.0  # shifts arrivals earlier (times >= 0)
    early_window_min: Annotated[float, Field(ge=0)] = 15.0
    late_window_min: Annotated[float, Field(ge=0)] = 10.0
    late_rule: Literal["walk_in", "refused"] = "walk_in"
    max_days_ahead: Annotated[float, Field(ge=0)] = 10.0
    seen_within_min: Annotated[float, Field(ge=0)] = 10.0  # for booked_on_time_rate

    @field_validator("template")
    @classmethod
    def _hours(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for key in v:
                if not re.fullmatch(r"\d{2}", key) or int(key) > 23:
                    raise ValueError(f"template key '{key}' is not an hour of day '00'..'23'")
        return v

    def per_slot(self, hour: int) -> int:
        """Bookable places in a slot starting in clock hour ``hour``."""
        if isinstance(self.template, int):
            return self.template
        return self.template.get(f"{hour:02d}", 0)


class Matter(_Model):
    id: Ident
    name: str | None = None
    arrivals: Arrivals
    online_share: Probability = 0.0
    complete_prob: Annotated[float, Field(gt=0, le=1)] = 1.0
    acceptance: Acceptance
    chain: list[ChainItem] = []
    handoff_days: Annotated[float, Field(ge=0)] = 0.0
    collection: Literal["in_person", "mail", "none"] = "none"
    collection_time: Distribution = Constant(value=5.0)
    time_limit_days: Annotated[float, Field(gt=0)] | None = None
    commitment: Commitment = Commitment()
    handoff: Handoff | None = None  # courier rounds, instead of the handoff_days lag
    priority: int = 0  # hall tickets: higher is called first, FIFO within a level
    patience: Distribution | None = None  # this matter's applicants (else hall.patience)
    appointments: Appointments | None = None  # booking beside walk-ins (None: walk-ins only)

    @model_validator(mode="after")
    def _one_handoff(self) -> Matter:
        if self.handoff is not None and self.handoff_days > 0:
            raise ValueError(
                "give either handoff_days (a calendar lag) or handoff: {rounds: [...]} "
                "(courier rounds), not both"
            )
        return self

    def steps(self) -> list[Step | DelayStep]:
        """Every step of the chain, parallel branches flattened, in chain order."""
        return [step for _, step in walk_chain(self.chain)]


class ReferenceIssues(ValueError):
    """Cross-field mistakes, each with its path in the file."""

    def __init__(self, issues: list[tuple[str, str]]):
        self.issues = issues
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in issues))


class Scenario(_Model):
    name: str
    description: str = ""
    seed: Annotated[int, Field(ge=0)] = 0
    horizon: Horizon = Horizon()
    demand_factor: Annotated[float, Field(ge=0)] = 1.0  # multiplies every arrival rate (growth)
    calendar: Calendar = Calendar()
    hall: Hall = Hall()
    pools: Annotated[dict[Ident, Pool], Field(min_length=1)]
    matters: Annotated[list[Matter], Field(min_length=1)]

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        issues = reference_issues(self) or size_issues(self)
        if issues:
            raise ReferenceIssues(issues)
        return self

    def pool_spans(self, pool_id: str) -> list[tuple[int, int]]:
        """The shift of a pool as (start, end) minutes: its own hours, else the opening hours."""
        own = self.pools[pool_id].shift_spans
        return own if own is not None else self.calendar.open_spans

    def matter(self, matter_id: str) -> Matter:
        for m in self.matters:
            if m.id == matter_id:
                return m
        raise KeyError(matter_id)


def _allowed(names: Any) -> str:
    return ", ".join(sorted(names)) or "(none)"


def reference_issues(s: Scenario) -> list[tuple[str, str]]:
    """Every cross-field mistake of ``s`` as (path, message)."""
    issues: list[tuple[str, str]] = []
    pools = s.pools
    used: dict[str, str] = {}  # pool -> first path that uses it

    def need_pool(path: str, pool: str) -> None:
        if pool not in pools:
            issues.append((path, f"unknown pool '{pool}'; pools are: {_allowed(pools)}"))
        else:
            used.setdefault(pool, path)

    for pid, pool in pools.items():
        if pool.backup is not None:
            if pool.backup == pid:
                issues.append((f"pools.{pid}.backup", "a pool cannot back itself up"))
            else:
                need_pool(f"pools.{pid}.backup", pool.backup)

    seen_matters: set[str] = set()
    for i, m in enumerate(s.matters):
        base = f"matters[{i}]"
        if m.id in seen_matters:
            issues.append((f"{base}.id", f"duplicate matter id '{m.id}'"))
        seen_matters.add(m.id)
        need_pool(f"{base}.acceptance.pool", m.acceptance.pool)
        step_ids: set[str] = set()
        for where, step in walk_chain(m.chain):
            path = f"{base}.chain{where}"
            if step.id in step_ids or step.id in ("acceptance", "collection"):
                issues.append((f"{path}.id", f"duplicate step id '{step.id}' in this matter"))
            step_ids.add(step.id)
            if isinstance(step, Step):
                need_pool(f"{path}.pool", step.pool)
                if step.requires is not None and step.requires not in step_ids - {step.id}:
                    issues.append(
                        (
                            f"{path}.requires",
                            f"'{step.requires}' is not an earlier step of this matter's chain; "
                            f"earlier steps are: {_allowed(step_ids - {step.id})}",
                        )
                    )
        for k, sid in enumerate(m.commitment.verify):
            if sid not in step_ids:
                issues.append(
                    (
                        f"{base}.commitment.verify[{k}]",
                        f"unknown step '{sid}'; steps of this matter are: {_allowed(step_ids)}",
                    )
                )
    workdays = set(s.calendar.workdays)
    for pid, pool in pools.items():
        for k, shift in enumerate(pool.shifts or []):
            for key, named in (
                ("days", shift.days or []),
                ("hours_by_weekday", shift.hours_by_weekday),
            ):
                off = [d for d in named if d not in workdays]
                if off:
                    issues.append(
                        (
                            f"pools.{pid}.shifts[{k}].{key}",
                            f"{', '.join(off)} is not a workday of the calendar "
                            f"({', '.join(s.calendar.workdays)})",
                        )
                    )
    issues += _skill_issues(s)
    for pid, path in used.items():
        if pools[pid].count < 1:
            issues.append(
                (f"pools.{pid}.count", f"pool '{pid}' is used by {path} but has no officer")
            )
    return issues


def _skill_issues(s: Scenario) -> list[tuple[str, str]]:
    """Skills name known matters, fit the pool's headcount, and leave no ticket unserved."""
    issues: list[tuple[str, str]] = []
    ids = [m.id for m in s.matters]
    for pid, pool in s.pools.items():
        skills = pool.skills
        if skills is None:
            continue
        base = f"pools.{pid}.skills"
        for m in skills.named():
            if m not in ids:
                issues.append((base, f"unknown matter '{m}'; matters are: {_allowed(ids)}"))
        if skills.groups is not None:
            total = sum(g.count for g in skills.groups)
            if total > pool.count:
                issues.append(
                    (
                        f"{base}.groups",
                        f"the groups have {total} officers; the pool has {pool.count}",
                    )
                )
            generalists = total < pool.count
            covered = {m for g in skills.groups for m in g.matters}
        else:
            for m, n in (skills.officers_with or {}).items():
                if n > pool.count:
                    issues.append(
                        (f"{base}.officers_with.{m}", f"{n} officers; the pool has {pool.count}")
                    )
            generalists = True
            covered = {m for m, n in (skills.officers_with or {}).items() if n > 0}
        own = [m.id for m in s.matters if m.acceptance.pool == pid]
        if s.hall.mode == "dedicated" and not generalists:
            for m in own:
                if m not in covered:
                    issues.append(
                        (
                            base,
                            f"no officer has the skill for matter '{m}': its tickets at "
                            f"pool '{pid}' would never be called",
                        )
                    )
        if skills.officers_with is not None:
            for m in own:
                if skills.officers_with.get(m, 1) == 0:
                    issues.append(
                        (f"{base}.officers_with.{m}", f"no officer would call matter '{m}'")
                    )
    return issues

"""The reform catalogue's parameters (DESIGN §5): one typed model per reform ``type``.

A reform object is a value: frozen, validated, comparable. Call it on a scenario to apply
it (``parallelize(matter="permit", steps=["fire", "env"])(scenario)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simlib.scenario.dists import Distribution

if TYPE_CHECKING:
    from simlib.scenario.model import Scenario

__all__ = [
    "AbStaffing",
    "Appointments",
    "BaseReform",
    "Centralize",
    "Commitment",
    "ComprehensiveWindows",
    "CrossTrain",
    "ElectronicTransfer",
    "MailDelivery",
    "MergeSteps",
    "OneTimeNotification",
    "Online",
    "Parallelize",
    "Reform",
    "RemoveSteps",
    "ScaleTimes",
    "SetStaff",
    "SetValue",
    "TimeLimit",
    "ToFiling",
]

Probability = Annotated[float, Field(ge=0, le=1)]
Matters = Annotated[list[str], Field(min_length=1)] | None  # None: every matter


# How reforms are applied lives in the catalogue, which imports this module: it registers
# its ``apply_reforms`` here, so that a reform is callable without a circular import.
APPLIER: list[Callable[[Scenario, list[BaseReform]], Scenario]] = []


class BaseReform(BaseModel):
    """What every reform is: a typed, frozen parameter set that applies itself to a scenario."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    type: str

    def __call__(self, scenario: Scenario) -> Scenario:
        return APPLIER[0](scenario, [self])

    def label(self) -> str:
        """A short human description for tables and charts."""
        params = self.model_dump(exclude={"type"}, exclude_defaults=True)
        inner = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{self.type}({inner})"


class RemoveSteps(BaseReform):
    """Cut links (减环节): drop steps from a matter's chain."""

    type: Literal["remove_steps"] = "remove_steps"
    matter: str
    steps: Annotated[list[str], Field(min_length=1)]


class Parallelize(BaseReform):
    """Parallel approval (并联审批): the steps become one fork-join group at the first's place."""

    type: Literal["parallelize"] = "parallelize"
    matter: str
    steps: Annotated[list[str], Field(min_length=2)]


class MergeSteps(BaseReform):
    """Joint review (多审合一): one step lasting as long as the longest merged review, plus
    an optional coordination time, in ``pool`` (default: the first merged step's pool)."""

    type: Literal["merge_steps"] = "merge_steps"
    matter: str
    steps: Annotated[list[str], Field(min_length=2)]
    id: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")] = "joint_review"
    pool: str | None = None
    coordination: Distribution | None = None


class ToFiling(BaseReform):
    """Approval becomes filing (证照分离): the chain is removed, acceptance only."""

    type: Literal["to_filing"] = "to_filing"
    matters: Annotated[list[str], Field(min_length=1)]


class ScaleTimes(BaseReform):
    """Faster handling or trained staff: multiply service times by ``factor``."""

    type: Literal["scale_times"] = "scale_times"
    factor: Annotated[float, Field(gt=0)]
    matters: Matters = None
    pools: Annotated[list[str], Field(min_length=1)] | None = None  # only work done by these
    what: Literal["all", "acceptance", "steps"] = "all"


class SetStaff(BaseReform):
    """Staffing change: officers per pool."""

    type: Literal["set_staff"] = "set_staff"
    pools: Annotated[dict[str, Annotated[int, Field(ge=0)]], Field(min_length=1)]


class AbStaffing(BaseReform):
    """AB posts (AB岗): ``pairs: {pool: backup_pool}``."""

    type: Literal["ab_staffing"] = "ab_staffing"
    pairs: Annotated[dict[str, str], Field(min_length=1)]


class ComprehensiveWindows(BaseReform):
    """Any window, any matter (综合窗口): one shared ticket queue for the front desks.
    Generalist officers may be slower: acceptance and collection times x ``service_time_factor``."""

    type: Literal["comprehensive_windows"] = "comprehensive_windows"
    service_time_factor: Annotated[float, Field(gt=0)] = 1.0


class OneTimeNotification(BaseReform):
    """One complete notification (一次性告知): documents complete with ``complete_prob``
    (never lowered)."""

    type: Literal["one_time_notification"] = "one_time_notification"
    complete_prob: Annotated[float, Field(gt=0, le=1)]
    matters: Matters = None


class Online(BaseReform):
    """One network (一网通办): a share of applicants applies online (the channel only; how
    files move between departments is ``electronic_transfer``)."""

    type: Literal["online"] = "online"
    share: Probability
    matters: Matters = None


class ElectronicTransfer(BaseReform):
    """E-files between departments: paper hand-offs (a calendar lag or courier rounds)
    become immediate."""

    type: Literal["electronic_transfer"] = "electronic_transfer"
    matters: Matters = None


class Commitment(BaseReform):
    """Notification-commitment (告知承诺制): decide at acceptance, verify afterwards."""

    type: Literal["commitment"] = "commitment"
    matters: Annotated[list[str], Field(min_length=1)]
    verify: list[str] | None = None  # default: every officer step of the chain
    fail_rate: Probability = 0.0


class MailDelivery(BaseReform):
    """Free delivery: licences are mailed instead of collected in person."""

    type: Literal["mail_delivery"] = "mail_delivery"
    matters: Matters = None


class Centralize(BaseReform):
    """No approval outside the hall: steps that needed a separate visit are done in the hall."""

    type: Literal["centralize"] = "centralize"
    matters: Matters = None


class TimeLimit(BaseReform):
    """Compressed time limits; back offices work earliest deadline first."""

    type: Literal["time_limit"] = "time_limit"
    limits: dict[str, Annotated[float, Field(gt=0)]] = {}
    factor: Annotated[float, Field(gt=0)] | None = None  # scales every existing limit
    deadline_first: bool = True

    @model_validator(mode="after")
    def _something(self) -> TimeLimit:
        if not self.limits and self.factor is None and not self.deadline_first:
            raise ValueError("give limits, a factor, or deadline_first: true")
        return self


class Appointments(BaseReform):
    """Introduce or change booking for ``matters`` (default: every matter): the keys of
    ``matters[].appointments``; those left out keep their current (or default) values."""

    type: Literal["appointments"] = "appointments"
    matters: Matters = None
    share: Probability | None = None
    slot_min: Annotated[float, Field(gt=0)] | None = None
    template: Annotated[int, Field(ge=0)] | dict[str, Annotated[int, Field(ge=0)]] | None = None
    no_show: Probability | None = None
    punctuality: Distribution | None = None
    early_by_min: Annotated[float, Field(ge=0)] | None = None
    early_window_min: Annotated[float, Field(ge=0)] | None = None
    late_window_min: Annotated[float, Field(ge=0)] | None = None
    late_rule: Literal["walk_in", "refused"] | None = None
    max_days_ahead: Annotated[float, Field(ge=0)] | None = None
    seen_within_min: Annotated[float, Field(ge=0)] | None = None

    def settings(self) -> dict[str, Any]:
        """The appointment keys this reform sets."""
        return self.model_dump(exclude={"type", "matters"}, exclude_none=True)


class CrossTrain(BaseReform):
    """Train ``officers`` more officers of ``pool`` to serve ``matter``'s hall tickets (of
    another pool's window too: they then call those tickets beside their own)."""

    type: Literal["cross_train"] = "cross_train"
    pool: str
    matter: str
    officers: Annotated[int, Field(ge=1)] = 1


class SetValue(BaseReform):
    """Anything else: ``{path: value}`` on the scenario (DESIGN §8 path syntax)."""

    type: Literal["set"] = "set"
    path: str | None = None
    value: Any = None
    values: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_form(self) -> SetValue:
        if (self.path is None) == (not self.values):
            raise ValueError("give either path and value, or values: {path: value, ...}")
        return self

    def assignments(self) -> dict[str, Any]:
        return {self.path: self.value} if self.path is not None else dict(self.values)


Reform = Annotated[
    RemoveSteps
    | Parallelize
    | MergeSteps
    | ToFiling
    | ScaleTimes
    | SetStaff
    | AbStaffing
    | ComprehensiveWindows
    | OneTimeNotification
    | Online
    | Commitment
    | MailDelivery
    | Centralize
    | TimeLimit
    | ElectronicTransfer
    | CrossTrain
    | Appointments
    | SetValue,
    Field(discriminator="type"),
]
"""Any reform, told apart by its ``type`` key."""

_Reform = BaseReform  # the old private name, for code written before it became public

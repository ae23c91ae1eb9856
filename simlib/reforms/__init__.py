"""The reform catalogue (DESIGN §5): named, parameterised, pure Scenario transforms.

From Python::

    from simlib import reforms
    variant = reforms.apply_reforms(baseline, [
        reforms.parallelize(matter="construction_permit", steps=["fire", "env"]),
        reforms.ab_staffing(pairs={"market_review": "market_window"}),
    ])
    # or, one at a time: reforms.comprehensive_windows()(baseline)

In files, the same reforms are mappings with a ``type`` key (scenario ``reforms:``, study
``variants:``, ``simlib run --reform FILE``).
"""

from simlib.reforms.catalogue import REGISTRY, ReformError, apply_reforms, parse_reforms
from simlib.reforms.spec import (
    AbStaffing,
    Appointments,
    BaseReform,
    Centralize,
    Commitment,
    ComprehensiveWindows,
    CrossTrain,
    ElectronicTransfer,
    MailDelivery,
    MergeSteps,
    OneTimeNotification,
    Online,
    Parallelize,
    Reform,
    RemoveSteps,
    ScaleTimes,
    SetStaff,
    SetValue,
    TimeLimit,
    ToFiling,
)

# The catalogue under its ``type`` names, as constructors.
remove_steps = RemoveSteps
parallelize = Parallelize
merge_steps = MergeSteps
to_filing = ToFiling
scale_times = ScaleTimes
set_staff = SetStaff
ab_staffing = AbStaffing
comprehensive_windows = ComprehensiveWindows
one_time_notification = OneTimeNotification
online = Online
commitment = Commitment
mail_delivery = MailDelivery
centralize = Centralize
time_limit = TimeLimit
electronic_transfer = ElectronicTransfer
appointments = Appointments
cross_train = CrossTrain
set_value = SetValue  # type "set" (``set`` would shadow the builtin)

__all__ = [
    "REGISTRY",
    "AbStaffing",
    "Appointments",
    "BaseReform",
    "Centralize",
    "Commitment",
    "ComprehensiveWindows",
    "CrossTrain",
    "MailDelivery",
    "MergeSteps",
    "OneTimeNotification",
    "Online",
    "Parallelize",
    "Reform",
    "ReformError",
    "RemoveSteps",
    "ScaleTimes",
    "SetStaff",
    "SetValue",
    "TimeLimit",
    "ToFiling",
    "ab_staffing",
    "apply_reforms",
    "appointments",
    "centralize",
    "commitment",
    "comprehensive_windows",
    "cross_train",
    "electronic_transfer",
    "mail_delivery",
    "merge_steps",
    "one_time_notification",
    "online",
    "parallelize",
    "parse_reforms",
    "remove_steps",
    "scale_times",
    "set_staff",
    "set_value",
    "time_limit",
    "to_filing",
]

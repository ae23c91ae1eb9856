"""The reform transforms: pure ``Scenario -> Scenario`` functions, one per ``type``.

Each works on a deep copy of the scenario's plain form and validates the result again,
so a reform can neither mutate its input nor produce an invalid scenario. A reform that
does not fit (unknown matter, step, pool or path) raises :class:`ReformError` naming the
culprit; :func:`apply_reforms` adds which reform (index and type) it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from simlib.reforms import spec
from simlib.scenario.chain import branches, walk_chain
from simlib.scenario.dists import Distribution
from simlib.scenario.errors import Issue, issues_from_validation
from simlib.scenario.model import Scenario
from simlib.scenario.paths import PathError, set_path

__all__ = ["REGISTRY", "ReformError", "apply_reforms", "parse_reforms"]

Data = dict[str, Any]
R = TypeVar("R", bound=spec.BaseReform)
REGISTRY: dict[str, tuple[type[spec.BaseReform], Callable[[Data, Any], None]]] = {}
_DIST = TypeAdapter(Distribution)


class ReformError(ValueError):
    """A reform that does not fit its scenario; ``issues`` carry the path of the culprit."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.issues = issues or [Issue("", message)]


def _register(model: type[R]) -> Callable[[Callable[[Data, R], None]], Callable[[Data, R], None]]:
    def wrap(fn: Callable[[Data, R], None]) -> Callable[[Data, R], None]:
        REGISTRY[model.model_fields["type"].default] = (model, fn)
        return fn

    return wrap


# --- lookups that fail with the culprit named ------------------------------------------
def _matters(data: Data, wanted: list[str] | None) -> list[Data]:
    by_id = {m["id"]: m for m in data["matters"]}
    if wanted is None:
        return list(by_id.values())
    for m in wanted:
        if m not in by_id:
            raise ReformError(f"unknown matter '{m}'; matters are: {', '.join(by_id)}")
    return [by_id[m] for m in wanted]


def _pools(data: Data, wanted: list[str]) -> None:
    for p in wanted:
        if p not in data["pools"]:
            raise ReformError(f"unknown pool '{p}'; pools are: {', '.join(data['pools'])}")


def _top_level(matter: Data, step_ids: list[str]) -> list[int]:
    """Indexes of the listed steps in the chain; each must be a step of its own there."""
    if len(set(step_ids)) != len(step_ids):
        raise ReformError(f"steps {step_ids} name a step twice")
    positions: dict[str, Any] = {}
    for i, item in enumerate(matter["chain"]):
        grouped = "parallel" in item
        for b in branches(item):
            positions[b["id"]] = ("parallel", i) if grouped else i
    out = []
    for sid in step_ids:
        where = positions.get(sid)
        if where is None:
            raise ReformError(
                f"matter '{matter['id']}' has no step '{sid}'; steps are: {', '.join(positions)}"
            )
        if isinstance(where, tuple):
            raise ReformError(
                f"step '{sid}' of matter '{matter['id']}' is inside a parallel group, "
                "not in the chain itself"
            )
        out.append(where)
    return out


def _officer_steps(matter: Data) -> list[Data]:
    return [step for _, step in walk_chain(matter["chain"]) if "pool" in step]


def _scale(dist: Data, factor: float) -> Data:
    return _DIST.validate_python(dist).scaled(factor).model_dump()


# --- the catalogue ---------------------------------------------------------------------
@_register(spec.RemoveSteps)
def _remove_steps(data: Data, r: spec.RemoveSteps) -> None:
    (matter,) = _matters(data, [r.matter])
    known = [step["id"] for _, step in walk_chain(matter["chain"])]
    for sid in r.steps:
        if sid not in known:
            raise ReformError(
                f"matter '{r.matter}' has no step '{sid}'; steps are: {', '.join(known)}"
            )
    chain = []
    for item in matter["chain"]:
        if "parallel" in item:
            kept = [b for b in item["parallel"] if b["id"] not in r.steps]
            if len(kept) > 1:
                chain.append({"parallel": kept})
            elif kept:
                chain.append(kept[0])
        elif item["id"] not in r.steps:
            chain.append(item)
    matter["chain"] = chain
    commitment = matter["commitment"]
    commitment["verify"] = [v for v in commitment["verify"] if v not in r.steps]


@_register(spec.Parallelize)
def _parallelize(data: Data, r: spec.Parallelize) -> None:
    (matter,) = _matters(data, [r.matter])
    positions = _top_level(matter, r.steps)
    chain = matter["chain"]
    group = {"parallel": [chain[i] for i in positions]}
    first = min(positions)
    matter["chain"] = [
        group if i == first else item
        for i, item in enumerate(chain)
        if i == first or i not in positions
    ]


@_register(spec.MergeSteps)
def _merge_steps(data: Data, r: spec.MergeSteps) -> None:
    (matter,) = _matters(data, [r.matter])
    positions = _top_level(matter, r.steps)
    chain = matter["chain"]
    merged = [chain[i] for i in positions]
    for step in merged:
        if "pool" not in step:
            raise ReformError(f"step '{step['id']}' is a calendar delay; only officer steps merge")
    others = {b["id"] for i, item in enumerate(chain) if i not in positions for b in branches(item)}
    if r.id in others:
        raise ReformError(f"the joint step's id '{r.id}' is already a step of '{r.matter}'")
    pool = r.pool or merged[0]["pool"]
    _pools(data, [pool])
    keep = 1.0
    for step in merged:
        keep *= 1 - step["rework_prob"]
    joint = {
        "id": r.id,
        "pool": pool,
        "time": {
            "dist": "max",
            "of": {s["id"]: s["time"] for s in merged},
            "plus": r.coordination.model_dump() if r.coordination is not None else None,
        },
        "rework_prob": 1 - keep,  # sent back if any merged review would have sent it back
        "applicant_visit": any(s["applicant_visit"] for s in merged),
    }
    first = min(positions)
    matter["chain"] = [
        joint if i == first else item
        for i, item in enumerate(chain)
        if i == first or i not in positions
    ]
    verify = matter["commitment"]["verify"]
    if any(v in r.steps for v in verify):
        matter["commitment"]["verify"] = [v for v in verify if v not in r.steps] + [r.id]


@_register(spec.ToFiling)
def _to_filing(data: Data, r: spec.ToFiling) -> None:
    for matter in _matters(data, r.matters):
        matter["chain"] = []
        matter["commitment"] = {"eligible": False, "verify": [], "fail_rate": 0.0}


@_register(spec.ScaleTimes)
def _scale_times(data: Data, r: spec.ScaleTimes) -> None:
    if r.pools is not None:
        _pools(data, r.pools)

    def chosen(pool: str) -> bool:
        return r.pools is None or pool in r.pools

    for matter in _matters(data, r.matters):
        if r.what in ("all", "acceptance") and chosen(matter["acceptance"]["pool"]):
            matter["acceptance"]["time"] = _scale(matter["acceptance"]["time"], r.factor)
        if r.what in ("all", "steps"):
            for step in _officer_steps(matter):
                if chosen(step["pool"]):
                    step["time"] = _scale(step["time"], r.factor)


@_register(spec.SetStaff)
def _set_staff(data: Data, r: spec.SetStaff) -> None:
    _pools(data, list(r.pools))
    for pool, count in r.pools.items():
        data["pools"][pool]["count"] = count


@_register(spec.AbStaffing)
def _ab_staffing(data: Data, r: spec.AbStaffing) -> None:
    _pools(data, [*r.pairs, *r.pairs.values()])
    for pool, backup in r.pairs.items():
        if pool == backup:
            raise ReformError(f"pool '{pool}' cannot back itself up")
        data["pools"][pool]["backup"] = backup


@_register(spec.ComprehensiveWindows)
def _comprehensive(data: Data, r: spec.ComprehensiveWindows) -> None:
    data["hall"]["mode"] = "comprehensive"
    if r.service_time_factor != 1.0:
        for matter in data["matters"]:
            matter["acceptance"]["time"] = _scale(
                matter["acceptance"]["time"], r.service_time_factor
            )
            matter["collection_time"] = _scale(matter["collection_time"], r.service_time_factor)


@_register(spec.OneTimeNotification)
def _one_time_notification(data: Data, r: spec.OneTimeNotification) -> None:
    for matter in _matters(data, r.matters):
        matter["complete_prob"] = max(matter["complete_prob"], r.complete_prob)


@_register(spec.Online)
def _online(data: Data, r: spec.Online) -> None:
    for matter in _matters(data, r.matters):
        matter["online_share"] = r.share


@_register(spec.ElectronicTransfer)
def _electronic_transfer(data: Data, r: spec.ElectronicTransfer) -> None:
    for matter in _matters(data, r.matters):
        matter["handoff_days"] = 0.0
        matter["handoff"] = None


@_register(spec.Commitment)
def _commitment(data: Data, r: spec.Commitment) -> None:
    for matter in _matters(data, r.matters):
        steps = [s["id"] for s in _officer_steps(matter)]
        verify = steps if r.verify is None else r.verify
        for sid in verify:
            if sid not in steps:
                raise ReformError(
                    f"matter '{matter['id']}' has no officer step '{sid}' to verify; "
                    f"steps are: {', '.join(steps)}"
                )
        matter["commitment"] = {"eligible": True, "verify": list(verify), "fail_rate": r.fail_rate}


@_register(spec.MailDelivery)
def _mail_delivery(data: Data, r: spec.MailDelivery) -> None:
    for matter in _matters(data, r.matters):
        if matter["collection"] == "in_person":
            matter["collection"] = "mail"


@_register(spec.Centralize)
def _centralize(data: Data, r: spec.Centralize) -> None:
    for matter in _matters(data, r.matters):
        for step in _officer_steps(matter):
            step["applicant_visit"] = False


@_register(spec.TimeLimit)
def _time_limit(data: Data, r: spec.TimeLimit) -> None:
    _matters(data, list(r.limits) or None)
    for matter in data["matters"]:
        if r.factor is not None and matter["time_limit_days"] is not None:
            matter["time_limit_days"] *= r.factor
        if matter["id"] in r.limits:
            matter["time_limit_days"] = r.limits[matter["id"]]
    if r.deadline_first:
        for matter in data["matters"]:
            for step in _officer_steps(matter):
                data["pools"][step["pool"]]["order"] = "deadline"


@_register(spec.Appointments)
def _appointments(data: Data, r: spec.Appointments) -> None:
    for matter in _matters(data, r.matters):
        current = matter.get("appointments")
        if current is None and r.share is None:
            raise ReformError(
                f"matter '{matter['id']}' has no appointments yet: give a booking share"
            )
        matter["appointments"] = {**(current or {}), **r.settings()}


@_register(spec.CrossTrain)
def _cross_train(data: Data, r: spec.CrossTrain) -> None:
    _pools(data, [r.pool])
    _matters(data, [r.matter])
    pool = data["pools"][r.pool]
    comprehensive = data["hall"]["mode"] == "comprehensive"
    accepting = {m["acceptance"]["pool"] for m in data["matters"]}
    own = [
        m["id"]
        for m in data["matters"]
        if m["acceptance"]["pool"] == r.pool or (comprehensive and r.pool in accepting)
    ]
    skills = pool.get("skills")
    lacking = 0
    if skills is None:
        lacking = 0 if r.matter in own else pool["count"]
        groups: list[Data] = []
        skills = {"groups": groups, "officers_with": None, "routing": "longest_waiting"}
    if skills.get("officers_with") is not None:
        have = skills["officers_with"].get(r.matter, pool["count"] if r.matter in own else 0)
        if have + r.officers > pool["count"]:
            raise ReformError(
                f"only {pool['count'] - have} officers of pool '{r.pool}' lack the skill "
                f"for '{r.matter}'; cannot train {r.officers}"
            )
        skills["officers_with"] = {**skills["officers_with"], r.matter: have + r.officers}
        pool["skills"] = skills
        return
    groups = []
    todo = r.officers
    for g in skills["groups"]:
        if todo and r.matter not in g["matters"]:
            k = min(todo, g["count"])
            todo -= k
            groups.append({"count": k, "matters": [*g["matters"], r.matter]})
            if g["count"] > k:
                groups.append({"count": g["count"] - k, "matters": list(g["matters"])})
        else:
            groups.append(g)
    generalists = pool["count"] - sum(g["count"] for g in skills["groups"])
    if todo and r.matter not in own:  # officers beyond the groups serve only the own matters
        lacking = generalists
        k = min(todo, generalists)
        if k:
            groups.append({"count": k, "matters": [*own, r.matter]})
            todo -= k
    if todo:
        raise ReformError(
            f"only {r.officers - todo} officers of pool '{r.pool}' lack the skill for "
            f"'{r.matter}'; cannot train {r.officers}"
            + (" (every officer serves it already)" if not lacking and not groups else "")
        )
    pool["skills"] = {**skills, "groups": groups}


@_register(spec.SetValue)
def _set(data: Data, r: spec.SetValue) -> None:
    for path, value in r.assignments().items():
        try:
            new = set_path(data, path, value)
        except PathError as exc:
            raise ReformError(str(exc)) from None
        data.clear()
        data.update(new)


# --- applying --------------------------------------------------------------------------
def parse_reforms(items: list[Any], where: str = "reforms") -> list[spec.BaseReform]:
    """Reform objects from plain mappings (as in YAML); errors carry ``where[i].key`` paths."""
    out: list[spec.BaseReform] = []
    issues: list[Issue] = []
    if not isinstance(items, list):
        raise ReformError(f"{where} must be a list of reforms", [Issue(where, "must be a list")])
    for i, item in enumerate(items):
        if isinstance(item, spec.BaseReform):
            out.append(item)
            continue
        if isinstance(item, dict) and item.get("type") not in REGISTRY:
            allowed = ", ".join(REGISTRY)
            what = (
                "missing 'type'"
                if "type" not in item
                else f"unknown reform type {item.get('type')!r}"
            )
            issues.append(Issue(f"{where}[{i}].type", f"{what}; types are: {allowed}"))
            continue
        if not isinstance(item, dict):
            issues.append(
                Issue(f"{where}[{i}]", f"a reform is a mapping with a type; got {item!r}")
            )
            continue
        try:
            out.append(REGISTRY[item["type"]][0].model_validate(item))
        except ValidationError as exc:
            for issue in issues_from_validation(exc, item, REGISTRY[item["type"]][0]):
                path = f"{where}[{i}]" + (f".{issue.path}" if issue.path else "")
                issues.append(Issue(path, issue.message))
    if issues:
        raise ReformError("; ".join(str(i) for i in issues), issues)
    return out


def apply_reforms(scenario: Scenario, reforms: list[Any], where: str = "reforms") -> Scenario:
    """``scenario`` with ``reforms`` applied in order (the input is left untouched)."""
    current = scenario
    for i, reform in enumerate(parse_reforms(list(reforms), where)):
        label = f"{where}[{i}] ({reform.type})"
        data = current.model_dump()
        try:
            REGISTRY[reform.type][1](data, reform)
        except ReformError as exc:
            raise ReformError(
                f"{label}: {exc}", [Issue(f"{where}[{i}]", f"{reform.type}: {exc}")]
            ) from None
        try:
            current = Scenario.model_validate(data)
        except ValidationError as exc:
            found = issues_from_validation(exc, data, Scenario)
            detail = "; ".join(str(x) for x in found)
            message = f"{reform.type} makes an invalid scenario: {detail}"
            raise ReformError(f"{label}: {message}", [Issue(f"{where}[{i}]", message)]) from None
    return current


spec.APPLIER[:] = [apply_reforms]  # reforms are callable: reform(scenario)

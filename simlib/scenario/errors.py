"""Turning pydantic errors into messages a planner can act on.

A message names the file, the line, the path inside the file (``matters[2].chain[1].pool``),
what is wrong and what is allowed. Nothing here knows about the command line.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from simlib.scenario.dists import DIST_NAMES

__all__ = ["Issue", "ScenarioError", "issues_from_validation"]


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(top level)'}: {self.message}"


class ScenarioError(ValueError):
    """A scenario, study or sweep file (or object) that cannot be used, with every issue."""

    def __init__(self, source: str, issues: list[Issue], warnings: list[str] | None = None):
        self.source = source
        self.issues = issues
        self.warnings = warnings or []
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{self.source}: {len(self.issues)} problem(s)"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across process pools
        return (ScenarioError, (self.source, self.issues, self.warnings))


def _unwrap(tp: Any) -> list[Any]:
    """The concrete classes an annotation may hold (Annotated, Optional, unions, containers)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(tp) for c in _unwrap(arg)]
    return [tp]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that the path ``loc`` points into, following tags of unions."""
    candidates: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for c in candidates:
            if isinstance(c, type) and issubclass(c, BaseModel):
                field = c.model_fields.get(part) if isinstance(part, str) else None
                if field is not None:
                    nxt.extend(_unwrap(field.annotation))
                elif isinstance(part, str):
                    nxt.append(c)  # a union tag: stays on this class
                continue
            origin = typing.get_origin(c)
            if origin in (list, dict):
                nxt.extend(_unwrap(typing.get_args(c)[-1]))
        # A union tag narrows the candidates to the class that carries it.
        tagged = [c for c in nxt if _tag_of(c) == part]
        candidates = tagged or nxt
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _tag_of(cls: Any) -> str | None:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        field = cls.model_fields.get("dist")
        if field is not None:
            return field.default
        return {"Step": "step", "DelayStep": "delay", "Parallel": "parallel"}.get(cls.__name__)
    return None


_TAGS = ("parallel", "range", "uniform")  # union tags that are also the key they tag


def _path(loc: tuple[Any, ...], data: Any) -> tuple[str, list[Any]]:
    """Render ``loc`` as ``a.b[2].c`` by walking the raw data, dropping union tags."""
    out = ""
    keys: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if not last and part in _TAGS and loc[i + 1] == part:
            continue  # the union tag of a parallel group, then its own 'parallel' key
        if part == "[key]" or (isinstance(node, list) and isinstance(part, str)):
            continue  # a mapping key's own error, or a union tag (a list has no keys)
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            out += f"[{part}]"
            keys.append(part)
            node = node[part]
        elif isinstance(node, dict) and part in node:
            out += f".{part}" if out else str(part)
            keys.append(part)
            node = node[part]
        elif last and isinstance(part, str) and part not in DIST_NAMES:
            out += f".{part}" if out else str(part)
            keys.append(part)
        # else: a union tag that is not in the data
    return out, keys


def _message(err: dict[str, Any], root: type[BaseModel]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        msg = f"unknown key '{loc[-1]}'"
        if allowed:
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            msg += f"; allowed keys: {', '.join(allowed)}"
            if close:
                msg += f" (did you mean '{close[0]}'?)"
        return msg
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag")
        return f"unknown distribution '{tag}'; allowed: {', '.join(DIST_NAMES)}"
    if kind == "union_tag_not_found":
        return f"missing 'dist'; allowed distributions: {', '.join(DIST_NAMES)}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    got = err.get("input")
    msg = err["msg"]
    if kind == "string_pattern_mismatch" and "A-Za-z_" in str(err.get("ctx", {}).get("pattern")):
        return (
            f"{got!r} is not a valid id: use letters, digits, _ and -, starting with a letter or _"
        )
    if kind in ("string_type",) and isinstance(got, int) and str(loc[-1]) in ("ticket_cutoff",):
        msg += '; put times of day in quotes, e.g. "16:30"'
    if isinstance(got, (str, int, float, bool)) and not isinstance(got, dict):
        msg += f" (got {got!r})"
    return msg


def issues_from_validation(exc: ValidationError, data: Any, root: type[BaseModel]) -> list[Issue]:
    """One :class:`Issue` per error (reference checks expanded to one per culprit), with its
    path in the data; the file layer (:mod:`simlib.files`) adds line numbers."""
    from simlib.scenario.model import ReferenceIssues  # the model imports this module

    issues: list[Issue] = []
    for err in exc.errors():
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, ReferenceIssues):
            issues.extend(Issue(path, msg) for path, msg in cause.issues)
            continue
        path, _ = _path(tuple(err["loc"]), data)
        issues.append(Issue(path, _message(dict(err), root)))
    return issues

"""Scenario paths (DESIGN §8): ``pools.front.count``, ``matters[company_setup].arrivals.per_day``,
``matters[*].complete_prob``, ``matters[x].chain[review].time.mean``.

The same syntax serves the ``set`` reform and sweep parameters. Paths act on the plain
mapping form of a scenario (``model_dump``); the result is validated again by the caller,
so a path can never smuggle an invalid value past the schema.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from simlib.scenario.chain import branches

__all__ = ["PathError", "parse_path", "set_path"]

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?$")


class PathError(ValueError):
    """A path that does not fit the scenario, with what is there instead."""


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """``"matters[x].arrivals.per_day"`` as ``[("matters", "x"), ("arrivals", None), ...]``."""
    if not isinstance(path, str) or not path:
        raise PathError(f"a path must be a non-empty string like 'pools.front.count'; got {path!r}")
    parts = []
    for segment in path.split("."):
        m = _SEGMENT.match(segment.strip())
        if not m:
            raise PathError(
                f"'{segment}' in path '{path}' is not a key or key[selector] "
                "(e.g. matters[company_setup] or matters[*])"
            )
        parts.append((m.group(1), m.group(2)))
    return parts


def _select(items: list[Any], selector: str, where: str) -> list[Any]:
    """Items of a list by '*', an index, or an ``id`` (steps inside parallel groups too)."""
    if selector == "*":
        return list(items)
    if selector.isdigit():
        i = int(selector)
        if i >= len(items):
            raise PathError(f"{where}[{i}]: there are only {len(items)} entries")
        return [items[i]]
    found = []
    ids = []
    for item in items:
        for b in branches(item) if isinstance(item, dict) else [item]:
            if isinstance(b, dict) and "id" in b:
                ids.append(b["id"])
                if b["id"] == selector:
                    found.append(b)
    if not found:
        raise PathError(
            f"{where}[{selector}]: no entry with id '{selector}'; ids are: {', '.join(ids)}"
        )
    return found


def _targets(data: dict[str, Any], path: str) -> list[tuple[Any, str]]:
    """(container, key) pairs the path points at; the last key need not exist yet."""
    parts = parse_path(path)
    nodes: list[Any] = [data]
    where = ""
    for depth, (key, selector) in enumerate(parts):
        last = depth == len(parts) - 1
        where = f"{where}.{key}" if where else key
        if last and selector is None:
            out = []
            for node in nodes:
                if not isinstance(node, dict):
                    raise PathError(f"{where}: '{where.rsplit('.', 1)[0]}' is not a mapping")
                out.append((node, key))
            return out
        nxt: list[Any] = []
        for node in nodes:
            if not isinstance(node, dict) or key not in node:
                allowed = ", ".join(sorted(node)) if isinstance(node, dict) else "(not a mapping)"
                raise PathError(f"{where}: no key '{key}' here; keys are: {allowed}")
            value = node[key]
            if value is None:
                raise PathError(f"{where}: is not set in this scenario, so it has nothing inside")
            if selector is not None:
                if not isinstance(value, list):
                    raise PathError(f"{where}[{selector}]: '{key}' is not a list")
                if last:
                    raise PathError(
                        f"{where}[{selector}]: a path must end at a key, not at an entry"
                    )
                nxt.extend(_select(value, selector, where))
            else:
                nxt.append(value)
        nodes = nxt
        if selector is not None:
            where = f"{where}[{selector}]"
    raise PathError(f"'{path}' is empty")  # pragma: no cover - parse_path rejects this


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with every target of ``path`` set to ``value``."""
    data = copy.deepcopy(data)
    for container, key in _targets(data, path):
        container[key] = copy.deepcopy(value)
    return data

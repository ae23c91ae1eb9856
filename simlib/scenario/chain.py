"""Walking an approval chain: every step, parallel branches included, with where it sits.

A chain item is a step or a parallel group of steps; code that needs every step (checks,
reforms, paths, the engine) walks it through :func:`walk_chain` rather than by hand. It
accepts the typed models and the plain mapping form (``model_dump``) alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["branches", "step_shares", "walk_chain"]


def branches(item: Any) -> list[Any]:
    """The steps of one chain item: its branches if a parallel group, else the item itself."""
    if isinstance(item, dict):
        return list(item["parallel"]) if "parallel" in item else [item]
    inner = getattr(item, "parallel", None)
    return list(inner) if inner is not None else [item]


def walk_chain(chain: Iterable[Any]) -> Iterator[tuple[str, Any]]:
    """``(where, step)`` for every step in chain order; ``where`` is ``[j]`` or
    ``[j].parallel[k]``, to be appended to the chain's own path."""
    for j, item in enumerate(chain):
        grouped = (isinstance(item, dict) and "parallel" in item) or (
            not isinstance(item, dict) and getattr(item, "parallel", None) is not None
        )
        for k, step in enumerate(branches(item)):
            yield (f"[{j}].parallel[{k}]" if grouped else f"[{j}]"), step


def _get(step: Any, key: str, default: Any) -> Any:
    return step.get(key, default) if isinstance(step, dict) else getattr(step, key, default)


def step_shares(chain: Iterable[Any]) -> dict[str, float]:
    """Step id -> the share of cases that take it: its ``prob`` (default 1), times the share
    of the step it ``requires`` (cases without that one never take it)."""
    out: dict[str, float] = {}
    for _, step in walk_chain(chain):
        share = float(_get(step, "prob", 1.0))
        req = _get(step, "requires", None)
        if req is not None:
            share *= out.get(req, 0.0)
        out[_get(step, "id", "")] = share
    return out

"""Walking an approval chain: every step, parallel branches included, with where it sits.

A chain item is a step or a parallel group of steps; code that needs every step (checks,
reforms, paths, the engine) walks it through :func:`walk_chain` rather than by hand. It
accepts the typed models and the plain mapping form (``model_dump``) alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["branches", "walk_chain"]


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

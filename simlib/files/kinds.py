"""Telling simlib's file kinds apart by their top-level keys, and naming the right one
when a file of one kind is given where another is expected.

Kinds: ``scenario`` (``name``, ``pools``, ``matters``), ``study`` (``study``), ``sweep``
(``sweep``), ``optimize`` (``optimize``; its loader lives with the optimiser and registers
itself with :func:`register_loader`) and ``reforms`` (a list of reforms).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simlib.scenario.errors import Issue, ScenarioError

__all__ = ["KEYS", "LOADERS", "expect_kind", "file_kind", "register_loader"]

KEYS = {
    "scenario": "name:, pools: and matters:",
    "study": "study:, baseline: and variants:",
    "sweep": "sweep:, scenario: and parameters:",
    "optimize": "optimize:, scenario: or study:, decisions: and objective:",
    "reforms": "a list of reforms (or reforms: [...] alone)",
    "calibrate": "calibrate:, columns: and the log's codes (a calibration map)",
}

# Loaders by kind, ``path -> loaded object``; the file layer fills scenario/study/sweep,
# the optimiser adds "optimize".
LOADERS: dict[str, Callable[[Path], Any]] = {}


def register_loader(kind: str, loader: Callable[[Path], Any]) -> None:
    """Make ``loader`` the one that reads files of ``kind`` (used by ``simlib validate``)."""
    LOADERS[kind] = loader


def file_kind(data: Any) -> str:
    """What a parsed simlib file is, by its top-level keys."""
    if isinstance(data, list):
        return "reforms"
    if not isinstance(data, dict):
        return "scenario"
    for kind in ("optimize", "study", "sweep", "calibrate"):
        if kind in data:
            return kind
    if set(data) == {"reforms"}:
        return "reforms"
    return "scenario"


def expect_kind(data: Any, source: str | Path, wanted: str) -> None:
    """A clear error when a study is given where a sweep is expected, and so on."""
    if data is None:
        raise ScenarioError(
            str(source), [Issue("", f"the file is empty; a {wanted} file has {KEYS[wanted]}")]
        )
    if wanted != "reforms" and not isinstance(data, dict):
        raise ScenarioError(
            str(source),
            [
                Issue(
                    "",
                    f"the file holds a {type(data).__name__}; a {wanted} file must be a mapping "
                    f"with {KEYS[wanted]}",
                )
            ],
        )
    found = file_kind(data)
    if found != wanted:
        message = f"this is a {found} file; a {wanted} file has {KEYS[wanted]}"
        raise ScenarioError(str(source), [Issue("", message)])

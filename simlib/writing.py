"""Names written into files are data, never structure.

A name a planner typed (an optimisation, a variant, a matter) may hold a newline or start
with ``=``. Written raw into a YAML comment, its second line would become a live key (a
``best.yaml`` that runs 1 clerk instead of 4); written raw into a CSV cell, a spreadsheet
runs it as a formula. Every YAML file simlib writes goes through :func:`yaml_text` (values
by the YAML emitter, comments folded to one line each), every CSV through :func:`write_csv`
(text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
``'``, as spreadsheet tools expect).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

__all__ = ["comment", "neutralise", "safe_cells", "write_csv", "yaml_text"]

_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def comment(text: str) -> str:
    """``text`` as one YAML comment line: line breaks and control characters become spaces."""
    return "# " + _BREAKS.sub(" ", str(text)).strip()


def yaml_text(data: Any, comments: Iterable[str] = ()) -> str:
    """A YAML document of ``data`` (by the emitter: any text is a quoted value) headed by
    ``comments``, each folded to one comment line."""
    head = "".join(comment(c) + "\n" for c in comments)
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made plain text (``'=...``)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name neutralised (numbers are untouched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **options: Any) -> Path:
    """Write ``frame`` as CSV with its text cells neutralised (see the module docstring)."""
    safe_cells(frame).to_csv(path, **options)
    return Path(path)

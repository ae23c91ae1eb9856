"""Writing a scenario as YAML with a comment on every fitted number (its source).

A value wrapped in :class:`Note` is written with ``# comment`` at the end of its line;
mappings are written in block style, short lists and small mappings in flow style, so
that the file reads like a hand-written scenario and documents itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Note", "dump", "plain"]


@dataclass
class Note:
    value: Any
    comment: str


def plain(obj: Any) -> Any:
    """``obj`` without its notes (for validation)."""
    if isinstance(obj, Note):
        return plain(obj.value)
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return obj


def _scalar(v: Any) -> str:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return repr(round(v, 6))
    if isinstance(v, int):
        return str(v)
    text = str(v)
    simple = text and all(ch.isalnum() or ch in "_-. " for ch in text)
    if simple and text.strip() == text and not text[0].isdigit():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def _key(k: Any) -> str:
    text = str(k)
    return text if text.replace("_", "").isalnum() and not text[0].isdigit() else json.dumps(text)


def _is_flat(v: Any) -> bool:
    if isinstance(v, Note):
        return _is_flat(v.value)
    if isinstance(v, dict):
        if any(isinstance(x, Note) for x in v.values()):
            return False  # its comments need lines of their own
        return all(not isinstance(x, (dict, list)) or _is_flat(x) for x in v.values()) and (
            len(_flow(plain(v))) <= 160
        )
    if isinstance(v, list):
        return all(not isinstance(x, (dict, list, Note)) for x in v) or len(_flow(plain(v))) < 100
    return True


def _emit(obj: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(obj, dict):
        for k, v in obj.items():
            comment = ""
            if isinstance(v, Note):
                comment, v = f"  # {v.comment}", v.value
            if isinstance(v, (dict, list)) and v and not _is_flat(v):
                out.append(f"{pad}{_key(k)}:{comment}")
                _emit(v, indent + 2, out)
            else:
                out.append(f"{pad}{_key(k)}: {_flow(plain(v))}{comment}")
    elif isinstance(obj, list):
        for item in obj:
            comment = ""
            if isinstance(item, Note):
                comment, item = f"  # {item.comment}", item.value
            if isinstance(item, dict) and not _is_flat(item):
                lines: list[str] = []
                _emit(item, indent + 2, lines)
                first = lines[0][indent + 2 :]
                out.append(f"{pad}- {first}{comment}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}- {_flow(plain(item))}{comment}")


def dump(obj: dict, header: str = "") -> str:
    """YAML text of ``obj`` (notes as end-of-line comments) under a ``#`` header."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    _emit(obj, 0, out)
    return "\n".join(out) + "\n"

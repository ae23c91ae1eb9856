"""Reading an output folder for a report: its JSON files, with a clean error when one is
damaged (a truncated ``study.json`` or ``result.json`` says which file, not a traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FolderError", "read_json"]


class FolderError(Exception):
    """A file of an output folder is missing or damaged (the CLI exits with status 2)."""


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``, or a FolderError naming the file and what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FolderError(f"{path}: file not found; the folder is incomplete") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FolderError(f"{path}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FolderError(
            f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); the file is damaged or "
            "truncated: run the command that wrote the folder again"
        ) from None
    if not isinstance(data, dict):
        raise FolderError(
            f"{path}: expected a JSON object (written by simlib); got a list or value"
        )
    return data

"""The run store: every stored simulation run, found by what it depends on.

A run's key is a fingerprint of everything its row depends on — the resolved scenario (its
reforms applied; canonical JSON of the model), the seed (which encodes the base seed and
the replication index, see :func:`~simlib.experiment.core.replication_seed`), the measure
that turned the run into a row, and simlib's version — so a stored row is reused by any
command that asks the same thing, and by no other. Sweeps, staffing and portfolio searches
all store their runs here (``<out>/runs/``), through :func:`simlib.experiment.core.evaluate`.

Each run is one small JSON file named by its key, written atomically (a temporary name,
fsync, rename, fsync of the folder): a process killed at any moment leaves whole files
only, and two processes writing the same key write the same content, so sharing a store
(``--cache DIR`` or ``SIMLIB_CACHE``) between concurrent commands is harmless. A file that
cannot be read (truncated by a crash of the disk, emptied by hand) is moved to
``quarantine/`` and its run counts as not done, so it is simply run again.

:func:`open_output` guards an output folder: it refuses a folder that holds runs unless
``--resume`` is given, and refuses to resume runs of a different question (changed scenario,
reforms, seed, spec or simlib version), naming what changed — results never mix.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from simlib._version import __version__

__all__ = [
    "CACHE_ENV",
    "OutputFolderError",
    "RunStore",
    "measure_name",
    "open_output",
    "quarantine_note",
    "run_key",
    "shared_cache",
]

CACHE_ENV = "SIMLIB_CACHE"
_QUESTION = "store.json"


class OutputFolderError(Exception):
    """The output folder holds other results: resume them, or choose another folder."""


def measure_name(run: Callable[..., Any]) -> str:
    """A stable name of the function that turns a run into a row (part of a run's key).
    A callable object may name itself with a ``measure_name`` attribute (it then promises
    rows identical to that measure's: ``simlib run --events`` shares the KPI runs)."""
    named = getattr(run, "measure_name", None)
    if isinstance(named, str):
        return named
    if isinstance(run, functools.partial):
        args = json.dumps([list(run.args), run.keywords], sort_keys=True, default=repr)
        return f"{measure_name(run.func)}{args}"
    module = getattr(run, "__module__", "?")
    return f"{module}.{getattr(run, '__qualname__', repr(run))}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def run_key(scenario: Any, seed: int, measure: str) -> str:
    """The key of one run: scenario (pydantic model), seed, measure name, simlib version."""
    scenario_json = (
        scenario.model_dump(mode="json") if hasattr(scenario, "model_dump") else scenario
    )
    text = _canonical(
        {"scenario": scenario_json, "seed": int(seed), "measure": measure, "simlib": __version__}
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-ready value (numpy numbers to Python ones; NaN stays NaN)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


class RunStore:
    """Stored runs in ``folder`` (and, read and written alike, in a shared ``cache`` folder).

    ``get(key)`` returns the stored row or None; ``put(key, row)`` stores one finished run.
    ``hits`` counts rows reused, ``written`` rows stored, ``quarantined`` the damaged files
    moved aside.
    """

    def __init__(self, folder: str | Path, cache: str | Path | None = None):
        self.folder = Path(folder)
        self.cache = Path(cache) if cache is not None else None
        self.quarantined: list[Path] = []
        self.hits = 0
        self.written = 0

    @property
    def folders(self) -> list[Path]:
        return [self.folder] + ([self.cache] if self.cache is not None else [])

    def __len__(self) -> int:
        return len(list(self.folder.glob("*.json"))) if self.folder.is_dir() else 0

    def get(self, key: str) -> dict[str, Any] | None:
        for i, folder in enumerate(self.folders):
            row = self._read(folder, key)
            if row is not None:
                if i > 0:  # found in the shared cache: the output folder stays complete
                    self._write(self.folder, key, row)
                self.hits += 1
                return row
        return None

    def put(self, key: str, row: Mapping[str, Any]) -> None:
        """Store one finished run now (it survives a kill a moment later)."""
        clean = {k: _plain(v) for k, v in row.items()}
        for folder in self.folders:
            self._write(folder, key, clean)
        self.written += 1

    def _read(self, folder: Path, key: str) -> dict[str, Any] | None:
        path = folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            data = None
        if not (
            isinstance(data, dict) and data.get("key") == key and isinstance(data.get("row"), dict)
        ):
            self._quarantine(folder, path)
            return None
        row: dict[str, Any] = data["row"]
        return row

    def _quarantine(self, folder: Path, path: Path) -> None:
        aside = folder / "quarantine"
        aside.mkdir(exist_ok=True)
        target = aside / path.name
        try:
            os.replace(path, target)
        except FileNotFoundError:  # another process moved or rewrote it meanwhile
            return
        self.quarantined.append(target)

    def _write(self, folder: Path, key: str, row: Mapping[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{uuid.uuid4().hex[:8]}.tmp"
        text = json.dumps({"key": key, "row": row}, default=str)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / f"{key}.json")  # atomic: readers see all of it or nothing
        _sync(folder)


def quarantine_note(store: RunStore | None) -> str | None:
    """The warning to print when damaged run files were moved aside (None: there were none)."""
    if store is None or not store.quarantined:
        return None
    return (
        f"{len(store.quarantined)} damaged run file(s) moved to "
        f"{store.quarantined[0].parent}/; their runs were done again"
    )


def shared_cache() -> Path | None:
    """The shared run cache named by ``SIMLIB_CACHE`` (``--cache DIR`` sets it), or None."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    return Path(raw) if raw else None


_PARTS = {
    "scenario": "the scenario (or a file it names, or its reforms)",
    "reforms": "the reforms",
    "seed": "the seed",
    "spec": "the spec file",
    "simlib": "simlib's version",
}


def open_output(out: str | Path, kind: str, question: Mapping[str, Any], resume: bool) -> RunStore:
    """The run store of output folder ``out`` for a ``kind`` command ("sweep", "staffing
    optimisation", "portfolio optimisation") asking ``question`` (its parts: ``scenario``,
    ``reforms``, ``seed``, ``spec``; simlib's version is added).

    Refuses (OutputFolderError) an ``out`` that is a file, one holding runs without
    ``resume``, and a resume whose question differs from the stored one, naming the parts
    that changed.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder} is a file; --out must be a folder")
    parts = {
        name: hashlib.sha256(_canonical(v).encode()).hexdigest() for name, v in question.items()
    }
    parts["simlib"] = __version__
    meta = folder / _QUESTION
    store = RunStore(folder / "runs", shared_cache())
    held = len(store)
    if held or meta.exists():
        stored = _stored_question(meta)
        if held and not resume:
            raise OutputFolderError(
                f"{folder} already holds {held} stored run(s) of a "
                f"{stored.get('kind', kind)}; add --resume to continue it, or choose another --out"
            )
        if held and (stored.get("kind") != kind or stored.get("parts") != parts):
            changed = [
                _PARTS.get(name, name)
                for name in sorted(set(parts) | set(stored.get("parts") or {}))
                if (stored.get("parts") or {}).get(name) != parts.get(name)
            ]
            what = ", ".join(changed) if stored.get("kind") == kind else f"a {stored.get('kind')}"
            raise OutputFolderError(
                f"{folder} holds runs of a different {kind}: {what} changed since they were "
                "run, and --resume would mix two answers; choose another --out (or delete "
                "the folder to start again)"
            )
    folder.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"kind": kind, "parts": parts}, indent=1, sort_keys=True))
    return store


def _stored_question(meta: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _sync(path: Path) -> None:
    """fsync a folder (a rename is durable once its folder is synced)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # e.g. folders cannot be opened on Windows: nothing more to do
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

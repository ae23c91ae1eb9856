"""A sweep's results on disk: a Parquet dataset that survives crashes.

Every finished run is written at once as its own small Parquet file (atomically: written
under a temporary name, flushed to disk with fsync, then renamed), so a sweep killed at any
moment — or a machine that loses power — keeps every row it finished. At the end the small
files are compacted into one, itself synced before the small files are deleted. Readers
drop duplicates by (point, replication), so a crash during compaction loses nothing either.
A run file that cannot be read (truncated, empty) is moved to ``runs/quarantine/`` and
its run counts as not done, so ``--resume`` runs it again.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["OutputFolderError", "RunStore"]

KEY = ["point", "replication"]


class OutputFolderError(Exception):
    """The output folder holds other results: resume them, or choose another folder."""


class RunStore:
    """The ``runs/`` dataset and ``sweep.json`` of one sweep output folder."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.parts = self.out / "runs"
        self.quarantined: list[Path] = []  # damaged run files moved aside by read()

    def check_spec(self, spec: dict[str, Any], resume: bool, fingerprint: str = "") -> None:
        """Refuse to mix two different sweeps in one folder, or to overwrite without --resume.

        ``fingerprint`` covers everything the runs depend on (the sweep file, the resolved
        scenario and reforms, simlib's version): results are resumed only when it matches.
        """
        meta = self.out / "sweep.json"
        if self.out.exists() and not self.out.is_dir():
            raise OutputFolderError(f"{self.out} is a file; --out must be a folder")
        if meta.exists() and self.parts.exists() and any(self.parts.iterdir()):
            if not resume:
                raise OutputFolderError(
                    f"{self.out} already holds sweep results; add --resume to finish that sweep, "
                    "or choose another --out"
                )
            try:
                stored = json.loads(meta.read_text()).get("fingerprint")
            except (OSError, ValueError, AttributeError):
                stored = None
            if stored != fingerprint:
                raise OutputFolderError(
                    f"{self.out} holds results of a different sweep: the sweep file, its "
                    "scenario or reforms, or simlib's version changed since they were run; "
                    "choose another --out (or delete the folder to start again)"
                )
        self.parts.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**spec, "fingerprint": fingerprint}, sort_keys=True, default=str)
        meta.write_text(text)

    def append(self, row: dict[str, Any]) -> None:
        """Write one finished run now (survives a kill a moment later)."""
        table = pa.Table.from_pylist([row])
        name = f"part-{row['point']:06d}-{row['replication']:04d}-{uuid.uuid4().hex[:8]}"
        tmp = self.parts / f".{name}.tmp"
        pq.write_table(table, tmp)
        _sync(tmp)
        os.replace(tmp, self.parts / f"{name}.parquet")
        _sync(self.parts)

    def _load(self, path: Path) -> pd.DataFrame | None:
        """One run file, or None after moving a damaged one to quarantine/."""
        try:
            frame = pq.read_table(path).to_pandas()
            if not set(KEY) <= set(frame.columns):
                raise ValueError("no point/replication columns")
            return frame
        except (OSError, ValueError, pa.ArrowException):
            aside = self.parts / "quarantine"
            aside.mkdir(exist_ok=True)
            target = aside / path.name
            os.replace(path, target)
            self.quarantined.append(target)
            return None

    def read(self) -> pd.DataFrame:
        """Every stored run, one row per (point, replication), sorted."""
        files = sorted(self.parts.glob("*.parquet")) if self.parts.exists() else []
        frames = [f for f in (self._load(path) for path in files) if f is not None]
        if not frames:
            return pd.DataFrame(columns=KEY)
        rows = pd.concat(frames, ignore_index=True)
        rows = rows.drop_duplicates(subset=KEY, keep="first")
        return rows.sort_values(KEY).reset_index(drop=True)

    def done(self) -> set[tuple[int, int]]:
        rows = self.read()
        return set(zip(rows["point"].astype(int), rows["replication"].astype(int), strict=True))

    def compact(self) -> pd.DataFrame:
        """Merge the small files into one; returns the rows."""
        rows = self.read()
        files = list(self.parts.glob("part-*.parquet"))
        if len(files) <= 1:
            return rows
        name = f"all-{uuid.uuid4().hex[:8]}"
        tmp = self.parts / f".{name}.tmp"
        rows.to_parquet(tmp, index=False)
        _sync(tmp)
        os.replace(tmp, self.parts / f"{name}.parquet")
        _sync(self.parts)  # the merged file is on disk before the run files go
        for f in files:
            f.unlink()
        for f in self.parts.glob("all-*.parquet"):
            if f.name != f"{name}.parquet":
                f.unlink()
        return rows


def _sync(path: Path) -> None:
    """fsync a file or a folder (a rename is durable once its folder is synced)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
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

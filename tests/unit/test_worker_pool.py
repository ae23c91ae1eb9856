"""The process pool's workers start with what they inherit out of the collector's sight."""

from __future__ import annotations

import gc

from simlib.experiment.runner import process_pool


def test_workers_freeze_what_they_start_with() -> None:
    with process_pool(2) as pool:
        frozen = list(pool.map(_frozen, range(2)))
    assert all(count > 1000 for count in frozen), frozen  # simlib's modules at least


def _frozen(_: int) -> int:
    return gc.get_freeze_count()

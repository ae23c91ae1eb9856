"""Golden records: the engine's records of a few small halls, pinned by digest.

The digests in ``data/golden_records.json`` were computed by the engine before any speed
work; a speed change (or a new feature that is switched off) must reproduce them exactly.
A deliberate change of behaviour regenerates them, and says so in its commit:

    PYTHONPATH=. python -m tests.unit.test_golden_records --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simlib.engine import Records, simulate
from simlib.metrics import flatten, kpis
from tests.unit.golden_halls import HALLS

GOLDEN = Path(__file__).parent / "data" / "golden_records.json"
SEEDS = (5, 17)
KPIS = ("cases_arrived", "cases_completed", "hall_wait_mean_min", "lead_time_mean_days")


def _digest(columns: dict[str, np.ndarray]) -> str:
    """SHA-256 of the columns, times rounded to 1e-6 minutes (so a platform's last bit of
    floating point cannot matter, while any change of the model does)."""
    h = hashlib.sha256()
    for name in sorted(columns):
        col = columns[name]
        if col.dtype.kind == "f":
            col = np.round(col, 6)
            col = np.where(np.isnan(col), -1e300, col)  # nan has many bit patterns
        h.update(name.encode())
        h.update(np.ascontiguousarray(col, dtype=np.float64).tobytes())
    return h.hexdigest()[:24]


def fingerprint(records: Records) -> dict[str, Any]:
    """What the golden file keeps for one run: table digests, sizes and a few KPIs."""
    out: dict[str, Any] = {
        table: _digest(records.arrays(table)) for table in ("cases", "visits", "steps")
    }
    out["rows"] = [
        len(records.arrays(t)["case" if t != "cases" else "arrival"])
        for t in ("cases", "visits", "steps")
    ]
    out["end"] = round(records.end, 6)
    out["backlog"] = _digest({"b": np.array(records.daily_backlog, dtype=float)})
    out["tally"] = {
        p: [round(t.wait_sum, 4), t.wait_n, round(t.busy, 4), round(t.available, 4)]
        for p, t in records.tally.items()
    }
    values = flatten(kpis(records))
    out["kpis"] = {k: None if np.isnan(values[k]) else round(values[k], 6) for k in KPIS}
    return out


def compute() -> dict[str, Any]:
    return {
        f"{name}/{seed}": fingerprint(simulate(build(), seed))
        for name, build in HALLS.items()
        for seed in SEEDS
    }


@pytest.mark.parametrize("name", list(HALLS))
def test_records_match_the_golden_digests(name: str) -> None:
    golden = json.loads(GOLDEN.read_text())
    for seed in SEEDS:
        key = f"{name}/{seed}"
        got = fingerprint(simulate(HALLS[name](), seed))
        want = golden[key]
        for part in want:  # one assertion per part: the message says what changed
            assert got[part] == want[part], f"{key}: {part} changed"


def test_kpi_detail_records_the_same_cases_and_tickets() -> None:
    """``detail="kpi"`` drops the event log only; cases and tickets stay identical."""
    golden = json.loads(GOLDEN.read_text())
    got = fingerprint(simulate(HALLS["chains"](), SEEDS[0], detail="kpi"))
    want = golden[f"chains/{SEEDS[0]}"]
    for part in ("cases", "visits", "end", "tally", "kpis"):
        assert got[part] == want[part], part
    assert got["rows"][2] == 0 < want["rows"][2]


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.unit.test_golden_records --write")
    GOLDEN.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")

"""Officers per clock hour -> shifts: the cheapest set of shifts that covers them.

An integer program (``scipy.optimize.milp``): choose how many officers work each allowed
shift pattern so that every clock hour has at least the officers it needs, at least cost
(officer-hours, or money with ``cost_per_hour``). Patterns come from the optimisation file,
or are generated as every contiguous block of the given lengths inside the opening hours
(a lunch break inside a block is unpaid and uncovered).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from simlib.scenario.model import parse_hours

__all__ = ["Pattern", "cover", "generate_patterns", "pattern_from_hours"]


class Pattern:
    """A shift: its hours (``["09:00-12:00", "13:00-14:00"]``), the clock hours it fully
    covers, and its paid minutes."""

    def __init__(self, hours: list[str], opening: list[tuple[int, int]]):
        self.hours = hours
        spans = parse_hours(hours)
        self.minutes = float(sum(e - s for s, e in spans))
        covered = set()
        for h in range(24):
            need = [
                (max(s, h * 60), min(e, (h + 1) * 60))
                for s, e in opening
                if min(e, (h + 1) * 60) > max(s, h * 60)
            ]
            if need and all(any(a <= x and y <= b for a, b in spans) for x, y in need):
                covered.add(h)
        self.covers = covered

    def __repr__(self) -> str:
        return f"Pattern({self.hours})"


def _clock(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def pattern_from_hours(start: int, end: int, opening: list[tuple[int, int]]) -> list[str] | None:
    """The opening hours inside clock minutes [start, end) as an hours list (None if empty)."""
    parts = [(max(s, start), min(e, end)) for s, e in opening if min(e, end) > max(s, start)]
    return [f"{_clock(s)}-{_clock(e)}" for s, e in parts] or None


def generate_patterns(opening: list[tuple[int, int]], lengths: list[int]) -> list[list[str]]:
    """Every block of ``lengths`` clock hours starting on an open clock hour, clipped to the
    opening hours (a block may run past closing only as far as the day is open)."""
    first, last = opening[0][0], opening[-1][1]
    starts = sorted(
        {max(first, h * 60) for s, e in opening for h in range(s // 60, math.ceil(e / 60))}
    )
    out: list[list[str]] = []
    for start, length in itertools.product(starts, sorted(set(lengths))):
        end = min(last, (start // 60 + length) * 60)
        hours = pattern_from_hours(start, end, opening)
        if hours and hours not in out:
            out.append(hours)
    return out


def cover(
    need: dict[int, int], patterns: list[Pattern], cost_per_minute: float = 1 / 60
) -> list[tuple[Pattern, int]]:
    """Officers per pattern, at least ``need[h]`` on duty in every clock hour h, at least
    cost. Raises ValueError when some needed hour is covered by no pattern."""
    hours = sorted(h for h, n in need.items() if n > 0)
    if not hours:
        return []
    missing = [h for h in hours if not any(h in p.covers for p in patterns)]
    if missing:
        raise ValueError(
            f"no shift pattern covers hour(s) {', '.join(f'{h:02d}' for h in missing)}"
        )
    a = np.array([[1.0 if h in p.covers else 0.0 for p in patterns] for h in hours])
    # A hair per shift breaks ties towards fewer, longer shifts (no needless hand-overs).
    costs = np.array([p.minutes * cost_per_minute + 1e-4 for p in patterns])
    res = milp(
        costs,
        constraints=LinearConstraint(a, lb=np.array([need[h] for h in hours], dtype=float)),
        integrality=np.ones(len(patterns)),
        bounds=Bounds(0, np.inf),
    )
    if not res.success:  # pragma: no cover - a covering problem with a cover is feasible
        raise ValueError(f"shift covering failed: {res.message}")
    counts = np.round(res.x).astype(int)
    return [(p, int(n)) for p, n in zip(patterns, counts, strict=True) if n > 0]

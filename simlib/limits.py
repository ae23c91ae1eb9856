"""Bounds on the sizes simlib accepts, so that a typo cannot hang the machine or exhaust
its memory (``days: 1000000000``, ``per_hour: 1e12``, ``--reps 1000000000``).

Each limit is far above what a real hall needs and is stated in the error that enforces
it. A user who really needs more raises it with an environment variable, e.g.
``SIMLIB_MAX_ARRIVALS=50000000 simlib run big.yaml``.

| name | default | what |
|---|---|---|
| ``days`` | 3,660 | simulated calendar days per run (ten years) |
| ``officers`` | 10,000 | officers in one pool |
| ``arrivals`` | 10,000,000 | applicants per run, estimated from the rates before running |
| ``replications`` | 10,000 | replications of one scenario (run, compare, sweep) |
| ``points`` | 100,000 | points of a sweep design |
| ``file_mb`` | 64 | size of a YAML file, in MB |
| ``yaml_nodes`` | 1,000,000 | YAML nodes after expanding aliases |
| ``log_mb`` | 1,024 | size of a ticket or event log file given to ``calibrate``, in MB |
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["DEFAULTS", "checker", "env_name", "limit", "over"]

DEFAULTS: dict[str, int] = {
    "days": 3_660,
    "officers": 10_000,
    "arrivals": 10_000_000,
    "replications": 10_000,
    "points": 100_000,
    "file_mb": 64,
    "yaml_nodes": 1_000_000,
    "log_mb": 1_024,
}


def env_name(name: str) -> str:
    """The environment variable that overrides limit ``name``."""
    return f"SIMLIB_MAX_{name.upper()}"


def limit(name: str) -> int:
    """The current value of limit ``name`` (its environment variable, else the default)."""
    raw = os.environ.get(env_name(name))
    if raw is None or not raw.strip():
        return DEFAULTS[name]
    try:
        value = int(float(raw))
    except ValueError:
        return DEFAULTS[name]
    return value if value > 0 else DEFAULTS[name]


def over(name: str, value: float, what: str) -> str | None:
    """A message if ``value`` exceeds limit ``name`` (``what`` says what was counted)."""
    cap = limit(name)
    if value <= cap:
        return None
    shown = f"{value:,.0f}" if value < 1e15 else f"{value:.3g}"
    return f"{what} is {shown}; the limit is {cap:,} (raise it with {env_name(name)})"


def checker(name: str, what: str) -> Callable[[float], float]:
    """A validator (for pydantic's AfterValidator) refusing values over limit ``name``."""

    def check(value: float) -> float:
        message = over(name, value, what)
        if message:
            raise ValueError(message)
        return value

    return check

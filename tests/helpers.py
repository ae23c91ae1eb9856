"""Shared builders and statistical assertions for the test suite."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import stats

from simlib.engine import simulate
from simlib.experiment import replication_seed
from simlib.files import scenario_from_dict
from simlib.metrics import flatten, kpi_row, kpis
from simlib.scenario import Scenario

ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# The demo test and notebook 02 both run the green approval study on the same horizon
# (14 days, 7 warm-up), seed and 2 replications. In this xdist group they run on one worker,
# one after the other, sharing one run store (fixture ``green_study_cache``): the second
# reuses the first's ~50 runs (same scenario, seed and measure: the same rows) instead of
# simulating them again.
GREEN_STUDY = pytest.mark.xdist_group("green_study")

# The tests that read the service-centre log's calibration (fixture ``service_centre_fit``,
# tests/conftest.py) run on one worker: it is fitted once for all of them.
SERVICE_CENTRE = pytest.mark.xdist_group("service_centre")


def always_open(
    days: int, warmup: int, pools: dict[str, Any], matters: list[dict], **extra: Any
) -> Scenario:
    """A 24/7 hall: the setting of textbook queueing results."""
    data = {
        "name": "test",
        "horizon": {"days": days, "warmup_days": warmup},
        "calendar": {"workdays": ALL_WEEK, "hours": ["00:00-24:00"]},
        "pools": pools,
        "matters": matters,
        **extra,
    }
    return scenario_from_dict(data)


def exp(mean: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": mean}


def kpi_samples(scenario: Scenario, reps: int, seed: int, *names: str) -> dict[str, np.ndarray]:
    """Per-replication values of the named (flattened) KPIs."""
    out: dict[str, list[float]] = {n: [] for n in names}
    for i in range(reps):
        values = flatten(kpis(simulate(scenario, replication_seed(seed, i), detail="kpi")))
        for n in names:
            out[n].append(values[n])
    return {n: np.array(v) for n, v in out.items()}


def kpi_row_samples(scenario: Scenario, reps: int, seed: int, *names: str) -> dict[str, np.ndarray]:
    """Per-replication values of the named columns of the full KPI row (per matter, per hour)."""
    out: dict[str, list[float]] = {n: [] for n in names}
    for i in range(reps):
        values = kpi_row(simulate(scenario, replication_seed(seed, i), detail="kpi"), scenario)
        for n in names:
            out[n].append(values[n])
    return {n: np.array(v) for n, v in out.items()}


def assert_in_ci(
    samples: np.ndarray, expected: float, max_rel_half_width: float, level: float = 0.99
) -> None:
    """``expected`` lies in the t-interval of ``samples``, and that interval is tight enough
    to tell a wrong model apart (so the test can fail)."""
    x = np.asarray(samples, dtype=float)
    n = len(x)
    mean = x.mean()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)
    assert half <= max_rel_half_width * abs(expected), (
        f"CI too wide to be a test: mean {mean:.4g} ± {half:.3g} vs {expected:.4g}"
    )
    assert mean - half <= expected <= mean + half, (
        f"theory {expected:.5g} outside the {level:.0%} CI [{mean - half:.5g}, {mean + half:.5g}]"
    )


def constant(value: float) -> dict[str, Any]:
    return {"dist": "constant", "value": value}


def desk_matter(per_hour: float, time: dict[str, Any], pool: str = "desk", **extra: Any) -> dict:
    """A matter ``m`` whose walk-ins are served at one window pool (no chain unless given)."""
    return {
        "id": "m",
        "arrivals": {"per_hour": per_hour},
        "acceptance": {"pool": pool, "time": time},
        **extra,
    }


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
OFFICE = {"workdays": WEEKDAYS, "hours": ["09:00-17:00"], "start_date": "2025-03-03"}
AROUND_THE_CLOCK = {"workdays": ALL_WEEK, "hours": ["00:00-24:00"]}


def hall_data(
    name: str,
    days: int,
    pools: dict[str, int | dict[str, Any]],
    matters: list[dict],
    warmup: int = 0,
    calendar: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A small hall as scenario data, to be changed by a test before it is read: ``pools``
    maps pool id to officers (or to the pool's keys); office hours on weekdays unless ``calendar`` is given;
    ``extra`` adds top-level keys (``hall``, ...)."""
    return {
        "name": name,
        "horizon": {"days": days, "warmup_days": warmup},
        "calendar": calendar or dict(OFFICE),
        "pools": {p: n if isinstance(n, dict) else {"count": n} for p, n in pools.items()},
        "matters": matters,
        **extra,
    }


def walk_in(
    matter: str,
    pool: str,
    mean: float,
    per_hour: float | None = None,
    per_day: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A matter whose applicants draw a ticket at ``per_hour`` (or ``per_day``) and are
    served at ``pool`` in exponential time of ``mean`` minutes; ``extra``: other keys."""
    rate = {"per_hour": per_hour} if per_day is None else {"per_day": per_day}
    return {
        "id": matter,
        "arrivals": rate,
        "acceptance": {"pool": pool, "time": exp(mean)},
        **extra,
    }


def booking(**changes: Any) -> dict[str, Any]:
    """Appointments for a matter: 40 % book half-hour slots of two places, 1 in 10 do not
    come, the rest check in within 30 min of their slot's call (``changes`` override)."""
    return {
        "share": 0.4,
        "slot_min": 30,
        "template": 2,
        "no_show": 0.1,
        "punctuality": {"dist": "uniform", "min": 0, "max": 30},
        "early_by_min": 15,
        **changes,
    }


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def sweep_files(tmp_path: Path, sweep: dict[str, Any], hall: dict[str, Any]) -> Path:
    """``hall.yaml`` and a ``sweep.yaml`` over it (seed 1 unless ``sweep`` says otherwise)."""
    write_yaml(tmp_path / "hall.yaml", hall)
    spec = {"sweep": "t", "scenario": "hall.yaml", "seed": 1, **sweep}
    return write_yaml(tmp_path / "sweep.yaml", spec)

"""A day with a strong peak: by-hour staffing found by simulation holds in every hour,
stationary hour-by-hour Erlang C (SIPP) does not, and the cost is that of Erlang C on the
modified offered load (or less)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from simlib import theory
from simlib.engine import simulate
from simlib.experiment import replication_seed
from simlib.experiment.stats import mean_ci
from simlib.metrics import kpis_by_hour
from simlib.optimize.candidate import Candidate, apply, realise
from simlib.optimize.search import optimize
from tests.optimize_helpers import ALL_WEEK, optimization

PER_HOUR = [20, 40, 120, 120, 90, 60, 40, 20]  # 08-16 h: a two-hour peak, a slow decline
HOURS = list(range(8, 16))
MEAN = 30.0  # minutes of service: the load lags the arrivals by about half an hour
TARGET, LEVEL = 5.0, 0.8  # 80 % of tickets called within 5 minutes, in every hour


def _scenario() -> dict:
    return {
        "name": "strong peak",
        "horizon": {"days": 8, "warmup_days": 0},
        "calendar": {"workdays": ALL_WEEK, "hours": ["08:00-16:00"]},
        "hall": {"at_close": "serve_all", "wait_target_min": TARGET},
        "pools": {"desk": {"count": 40}},
        "matters": [
            {
                "id": "m",
                "arrivals": {
                    "per_day": sum(PER_HOUR),
                    "profile": {f"{h:02d}": r for h, r in zip(HOURS, PER_HOUR, strict=True)},
                },
                "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": MEAN}},
            }
        ],
    }


def _erlang_c_staff(load: float) -> int:
    mu = 1 / MEAN
    c = math.floor(load) + 1
    while theory.mmc_service_level(load * mu, mu, c, TARGET) < LEVEL:
        c += 1
    return c


def _modified_offered_load() -> list[float]:
    """Hour means of m(t) = int lambda(t - u) P(S > u) du; exponential S: m' = lambda - mu m."""
    mu, m, out = 1 / MEAN, 0.0, []
    for rate in PER_HOUR:
        a = rate / 60 / mu  # the stationary load of this hour
        decay = 1 - math.exp(-mu * 60)
        out.append(a + (m - a) * decay / (mu * 60))
        m = a + (m - a) * math.exp(-mu * 60)
    return out


def _hourly_service_level(scenario, seeds) -> dict[int, np.ndarray]:
    """Per replication, the share of each hour's tickets called within the target."""
    values: dict[int, list[float]] = {h: [] for h in HOURS}
    for seed in seeds:
        by_hour = kpis_by_hour(simulate(scenario, seed, detail="kpi"))
        for h in HOURS:
            values[h].append(by_hour[f"{h:02d}"]["hall_service_level"])
    return {h: np.array(v) for h, v in values.items()}


def test_by_hour_staffing_holds_every_hour_where_sipp_fails(tmp_path: Path) -> None:
    opt = optimization(
        tmp_path,
        _scenario(),
        {
            "optimize": "peak",
            "seed": 3,
            "replications": {"min": 4, "max": 10},
            "decisions": {
                "pools.desk.shifts": {
                    "by_hour": True,
                    "range": [1, 150],
                    "shift_lengths": [1, 2, 3, 4, 5, 6, 7, 8],
                }
            },
            "requirements": [{"kpi": "hall_service_level", "min": LEVEL, "every_hour": True}],
        },
    )
    result = optimize(opt)
    assert result.feasible is True
    needs = dict(result.best.hourly)["desk"]
    # Cost: no more than 5 % above Erlang C on the modified offered load (computed here).
    mol_staffing = [_erlang_c_staff(a) for a in _modified_offered_load()]
    assert sum(needs) <= 1.05 * sum(mol_staffing), (needs, mol_staffing)
    # SIPP: Erlang C on each hour's own arrival rate, as if the hall were stationary.
    sipp = [_erlang_c_staff(rate / 60 * MEAN) for rate in PER_HOUR]
    sipp_scenario = apply(
        opt.base,
        Candidate(shifts=realise(opt.base, opt.by_hour, HOURS, {"desk": tuple(sipp)}, False)),
    )
    fresh = [replication_seed(999, i) for i in range(6)]
    month = {"horizon": opt.base.horizon.model_copy(update={"days": 30})}
    chosen = _hourly_service_level(result.best_scenario.model_copy(update=month), fresh)
    stationary = _hourly_service_level(sipp_scenario.model_copy(update=month), fresh)
    # Re-simulated on fresh seeds, no hour of the chosen staffing is shown to miss ...
    for h in HOURS:
        mean, _, high = mean_ci(chosen[h])
        assert high >= LEVEL and mean > LEVEL - 0.03, (h, chosen[h])
    # ... while SIPP misses after the peak, where the load still lags the arrivals: on the
    # same applicants (common random numbers) it is below the target and significantly
    # below the chosen staffing in some hour.
    misses = []
    for h in HOURS:
        if h < 12:
            continue
        low_diff = mean_ci(chosen[h] - stationary[h])[1]
        if stationary[h].mean() < LEVEL and low_diff > 0:
            misses.append(h)
    assert misses, {h: (stationary[h].mean(), mean_ci(chosen[h] - stationary[h])) for h in HOURS}

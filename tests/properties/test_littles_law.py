"""Little's law at the windows (STYLE §7): the mean number of busy officers equals the
rate at which tickets are served times the mean service time, L = λ·W.

L comes from the engine's officer tally (``utilization``), λ from the tickets served
after warm-up, W from the scenario's service-time distribution: three independent
sources, so a lost, duplicated or wrongly timed service shows up as a gap. The tolerance
is four standard errors of the mean service time over the served tickets."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simlib.engine import simulate
from simlib.metrics import kpis
from simlib.timekeeping import DAY
from tests.helpers import always_open, constant, desk_matter

DISTS = {
    "exponential": lambda m: ({"dist": "exponential", "mean": m}, 1.0),
    "constant": lambda m: (constant(m), 0.0),
    "lognormal": lambda m: ({"dist": "lognormal", "mean": m, "cv": 0.5}, 0.5),
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    officers=st.integers(1, 4),
    load=st.floats(0.3, 0.85),
    mean=st.floats(3, 20),
    dist=st.sampled_from(sorted(DISTS)),
    seed=st.integers(0, 2**31 - 1),
)
def test_busy_officers_equal_throughput_times_service_time(
    officers: int, load: float, mean: float, dist: str, seed: int
) -> None:
    time_spec, cv = DISTS[dist](mean)
    per_hour = load * officers * 60 / mean
    days = max(2, math.ceil(1500 / (per_hour * 24)))  # about 1,500 tickets
    matter = desk_matter(per_hour, time_spec, pool="w")
    scenario = always_open(days + 1, 1, {"w": {"count": officers}}, [matter])
    records = simulate(scenario, seed)
    horizon = (days + 1) * DAY
    warmup = DAY
    served = records.visits[records.visits["outcome"] == "served"]
    # Service time inside the measured window [warm-up, horizon]: what the tally counts.
    inside = (served["end"].clip(warmup, horizon) - served["call"].clip(warmup, horizon)).clip(0)
    n = len(served[(served["call"] >= warmup) & (served["call"] < horizon)])
    assert n > 800
    busy_officers = kpis(records)["utilization"]["w"] * officers  # L, from the officer tally
    throughput = n / (horizon - warmup)  # λ, tickets called per minute
    little = throughput * mean  # λ·W with W the distribution's mean
    edges = 2 * officers * mean / (horizon - warmup)  # services cut by warm-up or horizon
    tolerance = 4 * cv * mean / math.sqrt(n) * throughput + edges
    assert abs(busy_officers - little) <= tolerance + 1e-9, (
        f"L={busy_officers:.4f} vs λW={little:.4f} (±{tolerance:.4f}); "
        f"records say {inside.sum() / (horizon - warmup):.4f}"
    )

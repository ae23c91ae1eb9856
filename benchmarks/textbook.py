"""Minimal textbook SimPy models (one process per customer, ``with resource.request()``).

The reference the engine is measured against: the same queues written the way SimPy's own
examples write them, with the same random variates drawn from numpy in batches.
"""

from __future__ import annotations

import numpy as np
import simpy


def tandem(lam: float, means: list[float], servers: list[int], customers: int, seed: int) -> float:
    """Run ``customers`` through a series of M/M/c stations; returns the mean total wait."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / lam, customers).tolist()
    services = [rng.exponential(m, customers).tolist() for m in means]
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=c) for c in servers]
    total_wait = [0.0]

    def customer(i: int):
        for k, station in enumerate(stations):
            arrive = env.now
            with station.request() as req:
                yield req
                total_wait[0] += env.now - arrive
                yield env.timeout(services[k][i])

    def source():
        for i in range(customers):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    env.process(source())
    env.run()
    return total_wait[0] / customers

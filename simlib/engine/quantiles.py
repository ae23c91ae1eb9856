"""Quantile functions for the hot path: a distribution's ``quantile`` with its constants
worked out once per model instead of on every draw.

Each function does the same floating-point operations, in the same order, as the
distribution's own ``quantile`` (so the draws, and the records, are identical bit for bit);
distributions without costly constants use their own method.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

from scipy import special

from simlib.scenario.dists import BaseDistribution, Exponential, Gamma, Lognormal

__all__ = ["quantile_fn"]

_INV_CDF = NormalDist().inv_cdf


def quantile_fn(dist: BaseDistribution) -> Callable[[float], float]:
    """``dist.quantile``, faster, with identical results."""
    if isinstance(dist, Lognormal) and dist.cv != 0:
        s2 = math.log1p(dist.cv**2)
        mu = math.log(dist.mean) - s2 / 2
        sigma = math.sqrt(s2)
        exp = math.exp

        def lognormal(u: float) -> float:
            return exp(mu + sigma * _INV_CDF(max(u, 1e-300)))

        return lognormal
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        mean = dist.mean
        inverse = special.gammaincinv

        def gamma(u: float) -> float:
            return float(inverse(shape, u)) * mean / shape

        return gamma
    if isinstance(dist, Exponential):
        minus_mean = -dist.mean
        log1p = math.log1p

        def exponential(u: float) -> float:
            return minus_mean * log1p(-u)

        return exponential
    return dist.quantile

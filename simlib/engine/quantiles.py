"""Quantile functions for the hot path: a distribution's ``quantile`` with its constants
worked out once per model instead of on every draw.

Each function does the same floating-point operations, in the same order, as the
distribution's own ``quantile`` (so the draws, and the records, are identical bit for bit);
distributions without costly constants use their own method.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import _normal_dist_inv_cdf  # type: ignore[attr-defined]

import numpy as np
from scipy import special

from simlib.scenario.dists import BaseDistribution, Exponential, Gamma, Lognormal, Triangular

__all__ = [
    "NORMAL_INV_CDF",
    "lognormal_parameters",
    "quantile_fn",
    "quantiles_fn",
    "triangular_parameters",
]

# NormalDist().inv_cdf(p) is this function with mu=0, sigma=1 once 0 < p < 1 is checked;
# called with the lognormal's (mu, sigma) it returns ``mu + x * sigma``, the very sum
# ``mu + sigma * x`` the distribution computes (a product commutes exactly), one call less.
_INV_CDF = NORMAL_INV_CDF = _normal_dist_inv_cdf


def lognormal_parameters(dist: Lognormal) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal, as the distribution works them out."""
    s2 = math.log1p(dist.cv**2)
    return math.log(dist.mean) - s2 / 2, math.sqrt(s2)


def triangular_parameters(dist: Triangular) -> tuple[float, float, float, float, float, float]:
    """(a, b, split, b - a, c - a, b - c): the constants of the triangular quantile
    ``a + sqrt(u * (b - a) * (c - a))`` below ``split``, ``b - sqrt((1 - u) * (b - a) * (b - c))``
    above it."""
    a, c, b = dist.min, dist.mode, dist.max
    return a, b, (c - a) / (b - a), b - a, c - a, b - c


def quantile_fn(dist: BaseDistribution) -> Callable[[float], float]:
    """``dist.quantile``, faster, with identical results."""
    if isinstance(dist, Lognormal) and dist.cv != 0:
        mu, sigma = lognormal_parameters(dist)
        exp = math.exp
        inv = _INV_CDF

        def lognormal(u: float) -> float:
            return exp(inv(u if u > 1e-300 else 1e-300, mu, sigma))

        return lognormal
    if isinstance(dist, Triangular):
        a, b, split, ba, ca, bc = triangular_parameters(dist)  # the method's differences
        sqrt = math.sqrt

        def triangular(u: float) -> float:
            if u < split:
                return a + sqrt(u * ba * ca)
            return b - sqrt((1 - u) * ba * bc)

        return triangular
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


def quantiles_fn(dist: BaseDistribution) -> Callable[[list[float]], list[float]] | None:
    """A quantile function for a whole block of uniforms at once, identical element by
    element to ``quantile_fn(dist)``, where that is much cheaper than one call per draw
    (else None). A gamma's inverse costs microseconds per call: a ufunc over an array
    calls the same scalar routine per element, and numpy's products and quotients are
    the same IEEE operations, in the same order, as the scalar version's."""
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        mean = dist.mean
        inverse = special.gammaincinv

        def gammas(us: list[float]) -> list[float]:
            values: list[float] = (inverse(shape, np.array(us)) * mean / shape).tolist()
            return values

        return gammas
    return None

"""Distributions as planners write them: by mean and coefficient of variation.

Every distribution samples by inverse transform from one uniform, so that common random
numbers stay synchronised when a reform changes a parameter: the same applicant draws
the same uniform and gets a proportionally shorter time when ``scale_times`` halves a
mean. Each one knows its analytic mean and variance (for theory checks and warnings).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from scipy import special

__all__ = [
    "BaseDistribution",
    "Constant",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "MaxOf",
    "Triangular",
    "Uniform",
]

_STD_NORMAL = NormalDist()
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class BaseDistribution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def expected(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def variance(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def quantile(self, u: float) -> float:  # pragma: no cover
        """Value at cumulative probability ``u`` in [0, 1)."""
        raise NotImplementedError

    def scaled(self, factor: float) -> BaseDistribution:  # pragma: no cover
        """The same shape with every value multiplied by ``factor``."""
        raise NotImplementedError


class Exponential(BaseDistribution):
    dist: Literal["exponential"] = "exponential"
    mean: Positive

    def expected(self) -> float:
        return self.mean

    def variance(self) -> float:
        return self.mean**2

    def quantile(self, u: float) -> float:
        return -self.mean * math.log1p(-u)

    def scaled(self, factor: float) -> Exponential:
        return Exponential(mean=self.mean * factor)


class Lognormal(BaseDistribution):
    dist: Literal["lognormal"] = "lognormal"
    mean: Positive
    cv: NonNegative

    def expected(self) -> float:
        return self.mean

    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def quantile(self, u: float) -> float:
        if self.cv == 0:
            return self.mean
        s2 = math.log1p(self.cv**2)
        mu = math.log(self.mean) - s2 / 2
        return math.exp(mu + math.sqrt(s2) * _STD_NORMAL.inv_cdf(max(u, 1e-300)))

    def scaled(self, factor: float) -> Lognormal:
        return Lognormal(mean=self.mean * factor, cv=self.cv)


class Gamma(BaseDistribution):
    dist: Literal["gamma"] = "gamma"
    mean: Positive
    cv: Positive

    def expected(self) -> float:
        return self.mean

    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def quantile(self, u: float) -> float:
        shape = 1.0 / self.cv**2
        return float(special.gammaincinv(shape, u)) * self.mean / shape

    def scaled(self, factor: float) -> Gamma:
        return Gamma(mean=self.mean * factor, cv=self.cv)


class Triangular(BaseDistribution):
    dist: Literal["triangular"] = "triangular"
    min: NonNegative
    mode: NonNegative
    max: Positive

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.min <= self.mode <= self.max or self.min == self.max:
            raise ValueError(
                f"needs min <= mode <= max and min < max; got min={self.min}, "
                f"mode={self.mode}, max={self.max}"
            )
        return self

    def expected(self) -> float:
        return (self.min + self.mode + self.max) / 3

    def variance(self) -> float:
        a, c, b = self.min, self.mode, self.max
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def quantile(self, u: float) -> float:
        a, c, b = self.min, self.mode, self.max
        split = (c - a) / (b - a)
        if u < split:
            return a + math.sqrt(u * (b - a) * (c - a))
        return b - math.sqrt((1 - u) * (b - a) * (b - c))

    def scaled(self, factor: float) -> Triangular:
        return Triangular(min=self.min * factor, mode=self.mode * factor, max=self.max * factor)


class Uniform(BaseDistribution):
    dist: Literal["uniform"] = "uniform"
    min: NonNegative
    max: Positive

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.min > self.max:
            raise ValueError(f"needs min <= max; got min={self.min}, max={self.max}")
        return self

    def expected(self) -> float:
        return (self.min + self.max) / 2

    def variance(self) -> float:
        return (self.max - self.min) ** 2 / 12

    def quantile(self, u: float) -> float:
        return self.min + u * (self.max - self.min)

    def scaled(self, factor: float) -> Uniform:
        return Uniform(min=self.min * factor, max=self.max * factor)


class Constant(BaseDistribution):
    dist: Literal["constant"] = "constant"
    value: NonNegative

    def expected(self) -> float:
        return self.value

    def variance(self) -> float:
        return 0.0

    def quantile(self, u: float) -> float:
        return self.value

    def scaled(self, factor: float) -> Constant:
        return Constant(value=self.value * factor)


class Empirical(BaseDistribution):
    """Resamples the observed values with equal weight (e.g. from a ticket log)."""

    dist: Literal["empirical"] = "empirical"
    values: Annotated[list[NonNegative], Field(min_length=1)]
    _sorted: list[float] | None = PrivateAttr(default=None)

    def expected(self) -> float:
        return math.fsum(self.values) / len(self.values)

    def variance(self) -> float:
        m = self.expected()
        return math.fsum((v - m) ** 2 for v in self.values) / len(self.values)

    def quantile(self, u: float) -> float:
        ordered = self._ordered_values()
        return ordered[min(int(u * len(ordered)), len(ordered) - 1)]

    def _ordered_values(self) -> list[float]:
        # Sorted so that the inverse transform is monotone (CRN-friendly); cached.
        if self._sorted is None:
            self._sorted = sorted(self.values)
        return self._sorted

    def scaled(self, factor: float) -> Empirical:
        return Empirical(values=[v * factor for v in self.values])


class MaxOf(BaseDistribution):
    """The longest of several independent times, plus an optional extra: a joint review
    (``merge_steps``) lasts as long as the longest of the reviews it merges, plus the time
    to coordinate. The engine draws each part with the key of the step it replaces."""

    dist: Literal["max"] = "max"
    of: Annotated[dict[str, Distribution], Field(min_length=1)]
    plus: Distribution | None = None
    _moments: tuple[float, float] | None = PrivateAttr(default=None)

    def _sample_moments(self) -> tuple[float, float]:
        # Deterministic quasi-Monte Carlo (scrambled Sobol, fixed seed): no closed form.
        if self._moments is None:
            from scipy.stats import qmc  # here: every import of simlib would pay ~0.7 s for it

            parts = list(self.of.values())
            points = qmc.Sobol(len(parts) + 1, scramble=True, seed=0).random(4096)
            values = np.array(
                [
                    max(d.quantile(u) for d, u in zip(parts, row, strict=False))
                    + (self.plus.quantile(row[-1]) if self.plus is not None else 0.0)
                    for row in points
                ]
            )
            self._moments = (float(values.mean()), float(values.var()))
        return self._moments

    def expected(self) -> float:
        return self._sample_moments()[0]

    def variance(self) -> float:
        return self._sample_moments()[1]

    def quantile(self, u: float) -> float:
        """Comonotone value (all parts at the same u); the engine samples parts separately."""
        extra = self.plus.quantile(u) if self.plus is not None else 0.0
        return max(d.quantile(u) for d in self.of.values()) + extra

    def scaled(self, factor: float) -> MaxOf:
        return MaxOf(
            of={k: d.scaled(factor) for k, d in self.of.items()},
            plus=self.plus.scaled(factor) if self.plus is not None else None,
        )


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Triangular | Uniform | Constant | Empirical | MaxOf,
    Field(discriminator="dist"),
]
"""Any distribution of the scenario format, told apart by its ``dist`` key."""
MaxOf.model_rebuild()

DIST_NAMES = (
    "exponential",
    "lognormal",
    "gamma",
    "triangular",
    "uniform",
    "constant",
    "empirical",
    "max",
)

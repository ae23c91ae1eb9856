"""Distributions from data: service times by ML and AIC, patience from censored waits.

Service times: exponential, lognormal and gamma (the families a scenario can hold) are
fitted by maximum likelihood to the positive times; the lowest AIC wins, then two checks
decide whether to keep it: a goodness-of-fit test valid for estimated parameters
(``scipy.stats.goodness_of_fit``, Anderson-Darling with parameters refitted on every Monte
Carlo sample, on a seeded subsample) and the fitted mean against the sample mean (a
lognormal fitted to a heavy tail overstates the mean; a queue feels the mean first).
Failing either, the time is the empirical distribution (its quantiles, mean kept).

Patience: a served applicant's wait is a lower bound of their patience (right-censored),
an applicant who gave up reveals it. The Kaplan-Meier estimate is the nonparametric
answer; censored ML over the same families, chosen by AIC, gives a distribution with a
tail beyond the longest wait. The mean wait of those who gave up is biased low (patient
applicants are served before their patience shows) and is never used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = ["FamilyFit", "ServiceFit", "censored_fit", "fit_service", "kaplan_meier"]

FAMILIES = ("exponential", "lognormal", "gamma")
MIN_EVENTS = 10  # applicants who gave up, to fit patience at all


@dataclass
class FamilyFit:
    family: str
    mean: float
    cv: float
    loglik: float
    k: int  # parameters

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik

    def frozen(self) -> stats.rv_continuous:
        return frozen(self.family, self.mean, self.cv)

    def spec(self) -> dict:
        mean, cv = round(float(self.mean), 4), round(float(self.cv), 4)
        if self.family == "exponential":
            return {"dist": "exponential", "mean": mean}
        return {"dist": self.family, "mean": mean, "cv": cv}


def frozen(family: str, mean: float, cv: float) -> stats.rv_continuous:
    """The scipy distribution of a scenario family given by mean and cv."""
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "lognormal":
        s2 = math.log1p(cv**2)
        return stats.lognorm(s=math.sqrt(s2), scale=mean / math.sqrt(1 + cv**2))
    shape = 1 / cv**2
    return stats.gamma(a=shape, scale=mean / shape)


def _ml(x: np.ndarray) -> list[FamilyFit]:
    n = len(x)
    lx = np.log(x)
    fits = [FamilyFit("exponential", float(x.mean()), 1.0, 0.0, 1)]
    mu, sigma = float(lx.mean()), float(lx.std())
    fits.append(
        FamilyFit("lognormal", math.exp(mu + sigma**2 / 2), math.sqrt(math.expm1(sigma**2)), 0, 2)
    )
    a, _, scale = stats.gamma.fit(x, floc=0)
    fits.append(FamilyFit("gamma", a * scale, 1 / math.sqrt(a), 0.0, 2))
    for f in fits:
        f.loglik = float(f.frozen().logpdf(x).sum())
    del n
    return fits


@dataclass
class ServiceFit:
    n: int
    n_zero: int
    sample_mean: float
    sample_cv: float
    candidates: list[FamilyFit]
    best: FamilyFit
    gof_p: float
    gof_n: int
    mean_error: float  # best fit's mean / sample mean - 1
    use_empirical: bool
    spec: dict
    reason: str


def fit_service(
    x: np.ndarray,
    seed: int = 0,
    gof_n: int = 300,
    mc: int = 199,
    max_mean_error: float = 0.05,
    p_min: float = 0.01,
    quantiles: int = 200,
) -> ServiceFit:
    """Fit service times (minutes); see the module docstring for the rule."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    pos = x[x > 0]
    cands = _ml(pos)
    best = min(cands, key=lambda f: f.aic)
    rng = np.random.default_rng(seed)
    sub = rng.choice(pos, size=min(gof_n, len(pos)), replace=False)
    gof = stats.goodness_of_fit(
        _SCIPY[best.family],
        sub,
        known_params={"loc": 0},
        statistic="ad",
        n_mc_samples=mc,
        rng=rng,
    )
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    err = best.mean / mean - 1
    problems = []
    if gof.pvalue < p_min:
        problems.append(f"{best.family} rejected (AD p = {gof.pvalue:.3f})")
    if abs(err) > max_mean_error:
        problems.append(f"{best.family} mean off the sample mean by {err:+.0%}")
    if problems:
        probs = (np.arange(quantiles) + 0.5) / quantiles
        values = np.quantile(x, probs)
        values *= mean / values.mean()  # keep the sample mean (the tail beyond the grid)
        spec = {"dist": "empirical", "values": [round(float(v), 3) for v in values]}
    else:
        spec = best.spec()
    return ServiceFit(
        n=len(x),
        n_zero=int((x <= 0).sum()),
        sample_mean=mean,
        sample_cv=sd / mean if mean > 0 else 0.0,
        candidates=cands,
        best=best,
        gof_p=float(gof.pvalue),
        gof_n=len(sub),
        mean_error=float(err),
        use_empirical=bool(problems),
        spec=spec,
        reason="; ".join(problems) + ("; empirical quantiles" if problems else ""),
    )


_SCIPY = {"exponential": stats.expon, "lognormal": stats.lognorm, "gamma": stats.gamma}


def kaplan_meier(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival: distinct event times and S(t) just after each."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    uniq, first = np.unique(time, return_index=True)
    at_risk = len(time) - first
    deaths = np.add.reduceat(event.astype(int), first)
    keep = deaths > 0
    surv = np.cumprod(1 - deaths[keep] / at_risk[keep])
    return uniq[keep], surv


def km_quantile(times: np.ndarray, surv: np.ndarray, q: float) -> float:
    """Smallest t with S(t) <= 1 - q (NaN if the curve never gets there)."""
    hit = np.flatnonzero(surv <= 1 - q)
    return float(times[hit[0]]) if hit.size else float("nan")


@dataclass
class PatienceFit:
    n: int
    n_gave_up: int
    km_times: np.ndarray
    km_surv: np.ndarray
    km_median: float
    candidates: list[FamilyFit]
    best: FamilyFit
    naive_mean: float  # mean wait of those who gave up (biased; for the record only)

    @property
    def median(self) -> float:
        return float(self.best.frozen().median())

    @property
    def observed(self) -> bool:
        """Enough applicants gave up to fit patience (else the hall has none)."""
        return self.n_gave_up >= MIN_EVENTS


def censored_fit(wait: np.ndarray, gave_up: np.ndarray, floor: float = 1 / 120) -> PatienceFit:
    """Patience (minutes) from waits: events where ``gave_up``, right-censored otherwise."""
    wait = np.asarray(wait, dtype=float)
    gave_up = np.asarray(gave_up, dtype=bool)
    ok = np.isfinite(wait)
    wait, gave_up = np.maximum(wait[ok], floor), gave_up[ok]
    times, surv = kaplan_meier(wait, gave_up)
    ev, ce = wait[gave_up], wait[~gave_up]
    cands = [
        FamilyFit("exponential", float(wait.sum() / max(len(ev), 1)), 1.0, 0.0, 1),
    ]
    for family in ("lognormal", "gamma") if len(ev) >= MIN_EVENTS else ():

        def nll(theta: np.ndarray, family: str = family) -> float:
            mean, cv = np.exp(np.clip(theta, -12, 12))
            d = frozen(family, mean, cv)
            return -float(d.logpdf(ev).sum() + d.logsf(ce).sum())

        start = np.log([cands[0].mean, 1.0])
        res = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-4})
        mean, cv = np.exp(np.clip(res.x, -12, 12))
        cands.append(FamilyFit(family, float(mean), float(cv), -float(res.fun), 2))
    d = cands[0].frozen()
    cands[0].loglik = float(d.logpdf(ev).sum() + d.logsf(ce).sum())
    best = min(cands, key=lambda f: f.aic)
    return PatienceFit(
        n=len(wait),
        n_gave_up=int(gave_up.sum()),
        km_times=times,
        km_surv=surv,
        km_median=km_quantile(times, surv, 0.5),
        candidates=cands,
        best=best,
        naive_mean=float(ev.mean()) if len(ev) else float("nan"),
    )

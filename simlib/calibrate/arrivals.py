"""Arrivals per matter by weekday and hour: a Poisson model fitted by maximum likelihood.

Redials (an identified applicant calling again soon after giving up) are not fresh demand:
the simulated hall makes them itself from its own reneges (``renege_return_prob``), so
they are taken out of the counts before fitting. Unidentified applicants' redials are
taken out in expectation, at the redial share seen among identified ones in that hour.

The model: on a day of weekday w the expected count in clock hour h is N_w p_g(h), where
g is the day's opening-hours group (days with the same hours share an hour profile). Its
ML estimates are the mean daily total per weekday and the hour shares within each group.
Two checks say where this is wrong: a likelihood-ratio test against one free rate per
weekday and hour, and a dispersion test of the counts of the same weekday-hour across
weeks (Poisson: variance = mean).

Where the dispersion test rejects Poisson, a random daily rate is fitted (Gamma-Poisson:
the day's rate times a Gamma factor of mean 1, ``arrivals.day_factor``) by the method of
moments on daily counts per weekday: a weekday's daily counts have variance m + m^2 cv^2,
so cv^2 = sum_w (s_w^2 - m_w) / sum_w m_w^2 over weekdays with at least two dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ArrivalFit", "day_rate_cv", "fit_arrivals", "mark_redials"]


def mark_redials(t: pd.DataFrame, window_min: float) -> dict[str, float]:
    """Flag ``t['redial']`` (a ticket within ``window_min`` after the same applicant gave up)
    and return the return probability and the mean delay (minutes) among identified
    applicants."""
    t["redial"] = False
    known = t[t["applicant"].notna()].sort_values(["applicant", "ticket"])
    left = (known["ticket"] + known["wait"].fillna(0.0)).to_numpy()
    same = known["applicant"].to_numpy()[1:] == known["applicant"].to_numpy()[:-1]
    gave = known["gave_up"].to_numpy()[:-1]
    gap = known["ticket"].to_numpy()[1:] - left[:-1]
    hit = same & gave & (gap >= 0) & (gap <= window_min)
    t.loc[known.index[1:][hit], "redial"] = True
    n_gave = int(known["gave_up"].sum())
    return {
        "return_prob": float(hit.sum() / n_gave) if n_gave else 0.0,
        "mean_delay_min": float(gap[hit].mean()) if hit.any() else window_min / 2,
        "n_gave_up_identified": n_gave,
        "n_redials": int(hit.sum()),
        "identified_share": float(t["applicant"].notna().mean()),
    }


def fresh_weights(t: pd.DataFrame) -> np.ndarray:
    """1 for a fresh ticket, 0 for an identified redial, and 1 minus the identified redial
    share of its clock hour for an unidentified ticket."""
    known = t["applicant"].notna()
    share = t[known].groupby("hour")["redial"].mean()
    w = np.where(known, (~t["redial"]).astype(float), 1.0 - t["hour"].map(share).fillna(0.0))
    return np.asarray(w, dtype=float)


@dataclass
class ArrivalFit:
    """One matter's fitted arrivals and the checks of the model."""

    matter: str
    per_day: float  # mean fresh tickets on a day of the main group
    weekday_factors: dict[int, float]  # weekday (0 = Mon) -> factor on per_day
    profile: dict[int, float]  # clock hour -> share, main group
    profile_by_weekday: dict[int, dict[int, float]]  # other groups' weekdays
    n_tickets: int
    n_days: int
    lr_p: float  # multiplicative model vs a free rate per weekday-hour
    dispersion: float  # Pearson X^2 / df across weeks
    dispersion_p: float
    rate: pd.DataFrame = field(repr=False)  # fitted mean count, weekday x hour
    day_cv: float = 0.0  # method-of-moments cv of the daily rate factor (0: none seen)
    day_cv_df: int = 0  # degrees of freedom behind it (dates minus weekdays)

    @property
    def poisson_rejected(self) -> bool:
        return self.dispersion_p < 0.01


def _counts(t: pd.DataFrame, weights: np.ndarray, days: int) -> np.ndarray:
    counts = np.zeros((days, 24))
    np.add.at(counts, (t["day"].to_numpy(), t["hour"].to_numpy()), weights)
    return counts


def fit_arrivals(
    t: pd.DataFrame,
    weights: np.ndarray,
    day_weekday: np.ndarray,
    day_group: np.ndarray,
    open_days: np.ndarray,
    main_group: int,
) -> list[ArrivalFit]:
    """Fit every matter. ``day_weekday``/``day_group`` per day of the log; ``open_days``
    marks the days that count (holidays left out)."""
    days = len(day_weekday)
    fits = []
    for matter, idx in t.groupby("matter").indices.items():
        counts = _counts(t.iloc[idx], weights[idx], days)[open_days]
        wd, grp = day_weekday[open_days], day_group[open_days]
        totals = counts.sum(axis=1)
        mean_by_wd = {int(w): float(totals[wd == w].mean()) for w in np.unique(wd)}
        profiles = {}
        for g in np.unique(grp):
            col = counts[grp == g].sum(axis=0)
            profiles[int(g)] = col / col.sum() if col.sum() > 0 else np.zeros(24)
        main_days = grp == main_group
        per_day = float(totals[main_days].mean()) if main_days.any() else float(totals.mean())
        per_day = max(per_day, 1e-9)
        fitted = np.array(
            [mean_by_wd[int(w)] * profiles[int(g)] for w, g in zip(wd, grp, strict=True)]
        )
        lr_p = _lr_test(counts, fitted, wd)
        disp, disp_p = _dispersion(counts, wd)
        day_cv, day_df = day_rate_cv(totals, wd)
        main_profile = profiles.get(main_group, profiles[int(grp[0])])
        fits.append(
            ArrivalFit(
                matter=str(matter),
                per_day=per_day,
                weekday_factors={w: m / per_day for w, m in mean_by_wd.items()},
                profile={h: float(p) for h, p in enumerate(main_profile) if p > 0},
                profile_by_weekday={
                    int(w): {h: float(p) for h, p in enumerate(profiles[int(g)]) if p > 0}
                    for w, g in sorted(set(zip(wd.tolist(), grp.tolist(), strict=True)))
                    if g != main_group
                },
                n_tickets=len(idx),
                n_days=int(open_days.sum()),
                lr_p=lr_p,
                dispersion=disp,
                dispersion_p=disp_p,
                rate=pd.DataFrame(
                    [mean_by_wd[w] * profiles[int(grp[wd == w][0])] for w in sorted(mean_by_wd)],
                    index=sorted(mean_by_wd),
                ),
                day_cv=day_cv,
                day_cv_df=day_df,
            )
        )
    return fits


def day_rate_cv(totals: np.ndarray, wd: np.ndarray) -> tuple[float, int]:
    """Method-of-moments cv of a Gamma daily-rate factor from daily counts ``totals`` and
    their weekdays ``wd``: pooled over weekdays, excess variance / squared mean (0 when the
    counts are no more variable than Poisson). Also the degrees of freedom used."""
    excess, scale, df = 0.0, 0.0, 0
    for w in np.unique(wd):
        c = totals[wd == w]
        if len(c) < 2:
            continue
        m = float(c.mean())
        excess += float(c.var(ddof=1)) - m
        scale += m * m
        df += len(c) - 1
    if df == 0 or scale <= 0 or excess <= 0:
        return 0.0, df
    return float(np.sqrt(excess / scale)), df


def _lr_test(counts: np.ndarray, fitted: np.ndarray, wd: np.ndarray) -> float:
    """G-test of the multiplicative model against one free rate per weekday-hour cell."""
    free = np.array([counts[wd == w].mean(axis=0) for w in wd])
    mask = counts > 0
    g2 = 2 * np.sum(counts[mask] * (np.log(free[mask]) - np.log(np.maximum(fitted[mask], 1e-12))))
    g2 -= 2 * np.sum(free - fitted)
    cells = {(int(w), h) for w in np.unique(wd) for h in range(24) if free[wd == w][0, h] > 0}
    k_free = len(cells)
    k_model = len(np.unique(wd)) + int(np.count_nonzero(fitted.sum(axis=0) > 0))
    df = max(k_free - k_model, 1)
    return float(stats.chi2.sf(max(g2, 0.0), df))


def _dispersion(counts: np.ndarray, wd: np.ndarray) -> tuple[float, float]:
    """Pearson X^2 of counts of the same weekday-hour across weeks around their mean."""
    x2, df = 0.0, 0
    for w in np.unique(wd):
        c = counts[wd == w]
        if len(c) < 2:
            continue
        mean = c.mean(axis=0)
        ok = mean > 0
        x2 += float((((c[:, ok] - mean[ok]) ** 2) / mean[ok]).sum())
        df += int(ok.sum()) * (len(c) - 1)
    if df == 0:
        return float("nan"), float("nan")
    return x2 / df, float(stats.chi2.sf(x2, df))

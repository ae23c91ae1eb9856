"""Balking from a ticket log that records people who looked at the display and left
(outcome codes in the map's ``balked``).

For every look (a ticket taken, or a look that ended in leaving) the tickets waiting at
that instant are counted from the log itself: a ticket waits from its ticket time until its
call (served) or its leaving time (gave up). A logistic curve of that count is fitted by
maximum likelihood (logistic regression, Newton's method), with 95 % intervals by the delta
method; ``per_window: false`` since the log does not say how many windows were open at each
instant. The share of identified applicants who balked and came back later in the log is
``return_prob`` (a lower bound: returns after the log's last day are not seen).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.calibrate.booking import Z95, wilson
from simlib.calibrate.yamlout import Note

__all__ = ["BalkingFit", "fit_balking", "waiting_at"]


@dataclass
class BalkingFit:
    threshold: float  # tickets waiting at which half the applicants leave
    scale: float  # width of the curve
    threshold_ci: tuple[float, float]
    scale_ci: tuple[float, float]
    n_looks: int
    n_balked: int
    returned: int
    identified: int
    per_matter: dict[str, int]  # balks per matter (their arrivals are added to the rates)

    def keys(self) -> dict[str, Note]:
        lo, hi = wilson(self.returned, self.identified)
        share = self.returned / self.identified if self.identified else 0.0
        return {
            "curve": Note("logistic", "fitted: the log records who looked and left"),
            "threshold": Note(
                round(self.threshold, 3),
                f"ML logistic regression on the tickets waiting at each of {self.n_looks} "
                f"looks ({self.n_balked} left) 95% CI [{self.threshold_ci[0]:.2f}, "
                f"{self.threshold_ci[1]:.2f}]",
            ),
            "scale": Note(
                round(self.scale, 3),
                f"95% CI [{self.scale_ci[0]:.2f}, {self.scale_ci[1]:.2f}]",
            ),
            "per_window": Note(False, "tickets waiting in all: the log shows no open windows"),
            "return_prob": Note(
                round(share, 4),
                f"{self.returned} of {self.identified} identified applicants who left came "
                f"back later in the log 95% CI [{lo:.3f}, {hi:.3f}] (a lower bound)",
            ),
            "illustrative": Note(False, "fitted from the log"),
        }


def waiting_at(t: pd.DataFrame, times: np.ndarray) -> np.ndarray:
    """Tickets waiting (taken, not yet called or gone) just before each of ``times``."""
    start = t["ticket"].to_numpy(dtype=float)
    gave_up = t["gave_up"].to_numpy() & ~t["served"].to_numpy()
    end = np.where(t["served"].to_numpy(), t["call"].to_numpy(dtype=float), np.nan)
    end = np.where(gave_up, start + t["wait"].to_numpy(dtype=float), end)  # NaN: not known
    waited = ~np.isnan(end) & (end > start)  # called at once: never on the display
    starts, ends = np.sort(start[waited]), np.sort(end[waited])
    return np.searchsorted(starts, times, "left") - np.searchsorted(ends, times, "right")


def fit_balking(t: pd.DataFrame) -> BalkingFit | None:
    """The logistic balking curve, or None when the log records no one who looked and left."""
    balks: pd.DataFrame | None = t.attrs.get("balked")
    if balks is None or balks.empty:
        return None
    walk_in = ~t["booked"].to_numpy() if "booked" in t else np.ones(len(t), dtype=bool)
    looks = np.concatenate([t["ticket"].to_numpy()[walk_in], balks["ticket"].to_numpy()])
    left = np.concatenate([np.zeros(int(walk_in.sum())), np.ones(len(balks))])
    ahead = waiting_at(t, looks).astype(float)
    a, b, cov = _logistic(ahead, left)
    if b <= 0:
        return None  # leaving does not rise with the queue: no curve to fit
    threshold, scale = -a / b, 1 / b
    # delta method: d(-a/b) = (-1/b, a/b^2); d(1/b) = (0, -1/b^2)
    g_t = np.array([-1 / b, a / b**2])
    g_s = np.array([0.0, -1 / b**2])
    se_t, se_s = math.sqrt(g_t @ cov @ g_t), math.sqrt(g_s @ cov @ g_s)
    returned, identified = _returns(t, balks)
    return BalkingFit(
        float(threshold),
        float(scale),
        (threshold - Z95 * se_t, threshold + Z95 * se_t),
        (scale - Z95 * se_s, scale + Z95 * se_s),
        len(looks),
        len(balks),
        returned,
        identified,
        {str(k): int(v) for k, v in balks["matter"].value_counts().items()},
    )


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """ML of P(y = 1) = 1 / (1 + exp(-(a + b x))): a, b and their covariance."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    info = np.eye(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(X @ beta, -700, 700)))
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        step = np.linalg.solve(info + 1e-12 * np.eye(2), X.T @ (y - p))
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1]), np.linalg.inv(info)


def _returns(t: pd.DataFrame, balks: pd.DataFrame) -> tuple[int, int]:
    """Identified applicants who balked, and how many of them have a later row."""
    if "applicant" not in balks:
        return 0, 0
    who = balks["applicant"].to_numpy()
    ident = pd.notna(who) & (who.astype(str) != "")
    if not ident.any():
        return 0, 0
    later = pd.concat([t[["applicant", "ticket"]], balks[["applicant", "ticket"]]])
    last = later.groupby("applicant")["ticket"].max()
    came_back = last.reindex(who[ident]).to_numpy() > balks["ticket"].to_numpy()[ident]
    return int(came_back.sum()), int(ident.sum())

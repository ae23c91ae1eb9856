"""Monotonicity that must hold applicant by applicant under common random numbers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.engine import simulate
from tests.helpers import always_open


def _desk(count: int, per_hour: float, mean: float, complete: float = 1.0) -> object:
    # No drain (drain_days 0): these properties hold applicant by applicant, at any horizon.
    return always_open(
        4,
        0,
        {"desk": {"count": count}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": per_hour},
                "complete_prob": complete,
                "acceptance": {
                    "pool": "desk",
                    "time": {"dist": "lognormal", "mean": mean, "cv": 0.8},
                },
            }
        ],
        hall={"return_delay_days": {"dist": "exponential", "mean": 0.1}},
        horizon={"days": 4, "warmup_days": 0, "drain_days": 0},
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.floats(0.5, 0.95), st.floats(2, 20), st.integers(0, 10_000))
def test_one_more_officer_never_makes_anyone_wait_longer(
    c: int, rho: float, mean: float, seed: int
) -> None:
    """FCFS with service needs attached to applicants: an extra server lowers every wait."""
    per_hour = rho * c * 60 / mean
    fewer = simulate(_desk(c, per_hour, mean), seed).visits.set_index("case")
    more = simulate(_desk(c + 1, per_hour, mean), seed).visits.set_index("case")
    both = fewer.merge(more, left_index=True, right_index=True, suffixes=("", "_more"))
    both = both.dropna(subset=["wait", "wait_more"])
    assert len(both) > 0
    assert (both["wait_more"] <= both["wait"] + 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(st.floats(0.3, 0.9), st.floats(0.0, 0.1), st.integers(0, 10_000))
def test_more_complete_documents_never_mean_more_visits(p: float, extra: float, seed: int) -> None:
    """An applicant whose documents were complete stays complete when completeness rises."""
    low = simulate(_desk(3, 6, 10, complete=p), seed).cases
    high = simulate(_desk(3, 6, 10, complete=min(1.0, p + extra + 0.05)), seed).cases
    decided = (low["status"] == "decided") & (high["status"] == "decided")
    assert decided.any()
    assert (high.loc[decided, "visits"].to_numpy() <= low.loc[decided, "visits"].to_numpy()).all()
    assert np.all(high["arrival"].to_numpy() == low["arrival"].to_numpy())  # same applicants

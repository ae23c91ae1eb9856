"""Patience from censored waits, on simulated logs whose true patience is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.calibrate import load_map, read_ticket_log
from simlib.calibrate.fitting import censored_fit, frozen
from simlib.engine import simulate
from simlib.ticketlog import MAP_PATH, write_ticket_log
from tests.helpers import always_open


@pytest.mark.parametrize(
    ("patience", "lam_per_hour"),
    [
        ({"dist": "lognormal", "mean": 6.0, "cv": 1.0}, 66),  # overloaded: ~25 % give up
        ({"dist": "exponential", "mean": 8.0}, 57),  # near capacity: ~12 % give up
    ],
)
def test_censored_estimate_recovers_median_where_naive_mean_is_biased(
    tmp_path: Path, patience: dict, lam_per_hour: float
) -> None:
    scenario = always_open(
        5,
        0,
        {"desk": {"count": 5}},
        [
            {
                "id": "m",
                "arrivals": {"per_hour": lam_per_hour},
                "acceptance": {"pool": "desk", "time": {"dist": "exponential", "mean": 5.0}},
            }
        ],
        hall={"patience": patience, "renege_return_prob": 0.0},
    )
    path = write_ticket_log(simulate(scenario, 3), tmp_path / "tickets.csv")
    t = read_ticket_log(path, load_map(MAP_PATH))
    share = t["gave_up"].mean()
    assert share >= 0.10
    fit = censored_fit(t["wait"].to_numpy(), t["gave_up"].to_numpy())
    truth = frozen(patience["dist"], patience["mean"], patience.get("cv", 1.0))
    assert fit.median == pytest.approx(truth.median(), rel=0.10)
    if fit.km_median == fit.km_median:  # reached by the Kaplan-Meier curve
        assert fit.km_median == pytest.approx(truth.median(), rel=0.10)
    # The mean wait of those who gave up says little about patience: far below its mean.
    assert fit.naive_mean < 0.6 * truth.mean()
    assert fit.best.family == patience["dist"]

"""Round trip of balking: simulate a hall where applicants leave at the display with a
logistic curve of the tickets waiting, export its ticket log (their looks are rows with
outcome ``balked``), calibrate, and recover the curve's threshold and scale and the share
who come back within their intervals. A fit that counted the wrong queue (e.g. tickets
called at once, or the looker itself) or ignored the looks would miss."""

from __future__ import annotations

from pathlib import Path

from simlib import scenario_from_dict
from simlib.calibrate import calibrate
from simlib.calibrate.yamlout import plain
from simlib.engine import simulate
from simlib.ticketlog import MAP_PATH, write_ticket_log
from tests.helpers import hall_data, walk_in

THRESHOLD, SCALE, RETURN = 6.0, 1.5, 0.5
HALL = hall_data(
    "balking hall",
    30,
    {"desk": 3},
    # more than three desks serve: the queue grows
    [walk_in("permit", "desk", 8, per_hour=24)],
    hall={
        "balking": {
            "curve": "logistic",
            "threshold": THRESHOLD,
            "scale": SCALE,
            "per_window": False,
            "return_prob": RETURN,
        },
        "return_delay_days": {"dist": "exponential", "mean": 0.05},
    },
)


def test_balking_curve_and_returns_are_recovered(tmp_path: Path) -> None:
    records = simulate(scenario_from_dict(HALL), 11)
    log = write_ticket_log(records, tmp_path / "tickets.csv")
    cal = calibrate(log, MAP_PATH, refine_rounds=0)
    fit = cal.balking
    assert fit is not None and fit.n_balked > 300
    lo, hi = fit.threshold_ci
    assert lo <= THRESHOLD <= hi and hi - lo < 2.0, (fit.threshold, lo, hi)
    lo, hi = fit.scale_ci
    assert lo <= SCALE <= hi and hi - lo < 1.5, (fit.scale, lo, hi)
    keys = plain(cal.data["hall"]["balking"])
    assert keys["curve"] == "logistic" and keys["per_window"] is False
    assert keys["illustrative"] is False
    assert abs(keys["return_prob"] - RETURN) < 0.06, keys["return_prob"]
    cal.scenario()  # the calibrated hall, balking included, validates

"""The last calibration step (``settle_scale``) on a log where nobody gave up: the share who
gave up is 0 there, so its relative error is not known (NaN, never 0 or inf). It is left out
of every scale's loss, which the two measures the log has still decide, and the YAML header
says "not known" — with no RuntimeWarning on the way."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from simlib import scenario_from_dict
from simlib.calibrate import calibrate
from simlib.calibrate.capacity import SCALES, relative_error
from simlib.engine import simulate
from simlib.ticketlog import MAP_PATH, write_ticket_log
from tests.helpers import hall_data, walk_in

# No patience: every applicant waits until called, so the log has no one who gave up.
HALL = hall_data("patient hall", 10, {"desk": 3}, [walk_in("permit", "desk", 8, per_hour=20)])


def test_a_measure_the_log_lacks_is_not_known_and_left_out(tmp_path: Path) -> None:
    log = write_ticket_log(simulate(scenario_from_dict(HALL), 5), tmp_path / "tickets.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        cal = calibrate(log, MAP_PATH, refine_rounds=1)
    assert set(cal.settled) == set(SCALES)
    for errors in cal.settled.values():
        assert math.isnan(errors["gave_up_share"])
        known = errors["wait_served_min"] ** 2 + errors["service_level"] ** 2
        assert math.isfinite(known) and errors["loss"] == known
    kept = min(cal.settled, key=lambda s: cal.settled[s]["loss"])
    assert f"x{kept:.2f}: " in cal.header() and "not known" in cal.header()
    assert "nan" not in cal.header().lower()


def test_relative_error_is_not_known_without_a_log_value() -> None:
    assert relative_error(1.2, 1.0) == 0.19999999999999996
    assert math.isnan(relative_error(0.1, 0.0))  # nobody gave up in the log
    assert math.isnan(relative_error(0.0, 0.0))
    assert math.isnan(relative_error(3.0, math.nan))  # nobody served in busy hours
    assert math.isnan(relative_error(math.nan, 2.0))  # the simulation served nobody

"""Round trip of appointments: simulate a hall where some applicants book, export its ticket
log (booked column, slot time, no-shows), calibrate, and recover the booking share, the
no-show share and punctuality within their intervals; a matter without bookings gets no
``appointments`` key. A fit that counted no-shows as walk-ins, measured lateness from the
eligible time, or ignored the booked column would miss (the test checks each)."""

from __future__ import annotations

from pathlib import Path

from simlib import scenario_from_dict
from simlib.calibrate import calibrate
from simlib.calibrate.yamlout import plain
from simlib.engine import simulate
from simlib.ticketlog import MAP_PATH, write_ticket_log
from tests.helpers import booking, hall_data, walk_in

SHARE, NO_SHOW, EARLY_BY, PUNCT_MEAN, PUNCT_CV = 0.4, 0.15, 10.0, 12.0, 0.5
BOOKING = booking(
    share=SHARE,
    no_show=NO_SHOW,
    early_by_min=EARLY_BY,
    punctuality={"dist": "gamma", "mean": PUNCT_MEAN, "cv": PUNCT_CV},
    early_window_min=15,
    late_window_min=45,
    max_days_ahead=30,
)
HALL = hall_data(
    "booking hall",
    40,
    {"desk": 4},
    [
        walk_in("visa", "desk", 6, per_day=60, appointments=BOOKING),
        walk_in("licence", "desk", 6, per_day=80),
    ],
)


def test_booking_share_no_shows_and_punctuality_are_recovered(tmp_path: Path) -> None:
    records = simulate(scenario_from_dict(HALL), 7)
    log = write_ticket_log(records, tmp_path / "tickets.csv")
    cal = calibrate(log, MAP_PATH, refine_rounds=0)
    assert set(cal.bookings) == {"visa"}
    fit = cal.bookings["visa"]
    share, (lo, hi) = fit.share
    assert lo <= SHARE <= hi and hi - lo < 0.06, (share, lo, hi)
    assert fit.no_show is not None
    p, (lo, hi) = fit.no_show
    assert lo <= NO_SHOW <= hi and hi - lo < 0.08, (p, lo, hi)
    punct = fit.punctuality()
    assert punct is not None
    mean, sd, (lo, hi) = punct
    true_mean = PUNCT_MEAN - EARLY_BY  # check-in minus slot
    assert lo <= true_mean <= hi, (mean, lo, hi)
    assert abs(sd - PUNCT_CV * PUNCT_MEAN) < 0.1 * PUNCT_CV * PUNCT_MEAN, sd
    assert fit.slot_min == 30 and set(fit.places.values()) <= {1, 2}
    assert max(fit.places.values()) == 2
    matters = {m["id"]: plain(m) for m in cal.data["matters"]}
    booked = matters["visa"]["appointments"]
    assert booked["share"] == round(share, 4) and booked["template"]["10"] == 2
    assert booked["early_window_min"] <= 15 and booked["late_window_min"] <= 45
    assert "appointments" not in matters["licence"]
    assert "balking" not in cal.data["hall"]  # nobody in the log looked and left
    cal.scenario()  # the calibrated hall, appointments included, validates

"""Capacity by weekday: a simulated back office whose Friday has half the hours of the
other days (the same officer, ``hours_by_weekday``), its event log of completions, and the
weekday factors fitted from it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from simlib.calibrate.weekdays import weekday_capacity
from simlib.engine import simulate
from simlib.eventlog import event_log
from simlib.files import scenario_from_dict
from tests.helpers import exp

WORKDAYS = ["mon", "tue", "wed", "thu", "fri"]
# Friday 08:00-12:30 against 08:00-17:00: half the capacity; factors over the mean day
TRUE_FRI, TRUE_OTHER = 0.5 / 0.9, 1.0 / 0.9


def _completions(friday: list[str] | None, seed: int = 3) -> pd.Series:
    """12 weeks of one back-office officer with a growing backlog (arrivals 1.15 x the
    capacity): completions then follow the hours on duty. The first week is left out."""
    shift: dict[str, Any] = {"count": 1, "hours": ["08:00-17:00"]}
    if friday is not None:
        shift["hours_by_weekday"] = {"fri": friday}
    sc = scenario_from_dict(
        {
            "name": "short-friday-back-office",
            "horizon": {"days": 84, "warmup_days": 0, "drain_days": 0},
            "calendar": {"start_date": "2026-01-05", "hours": ["08:00-17:00"]},
            "pools": {"desk": {"count": 4}, "back": {"shifts": [shift]}},
            "matters": [
                {
                    "id": "permit",
                    "arrivals": {"per_day": 112},
                    "online_share": 1.0,
                    "acceptance": {"pool": "desk", "time": {"dist": "constant", "value": 1.0}},
                    "chain": [{"id": "handle", "pool": "back", "time": exp(5.0)}],
                }
            ],
        }
    )
    log = event_log(simulate(sc, seed))
    ends = log.loc[log["concept:name"] == "handle", "time:timestamp"]
    return ends[ends >= pd.Timestamp("2026-01-12")]


def test_friday_capacity_at_half_is_recovered_within_its_ci() -> None:
    fit = weekday_capacity(_completions(["08:00-12:30"]), WORKDAYS)
    assert fit.low["fri"] <= TRUE_FRI <= fit.high["fri"]
    # Mon-Thu share what Friday leaves (the factors average 1); each near the truth
    assert all(abs(fit.factor[d] - TRUE_OTHER) < 0.1 for d in WORKDAYS[:4])
    assert sum(fit.factor.values()) == pytest.approx(5.0)  # the mean day stays the mean
    assert fit.days == {d: 11 for d in WORKDAYS}
    # Where Friday is a full day the fit says so: the interval tells the two apart.
    flat = weekday_capacity(_completions(None), WORKDAYS)
    assert flat.low["fri"] <= 1.0 <= flat.high["fri"] and flat.low["fri"] > TRUE_FRI + 0.1

"""Hand-offs at courier rounds and absences in spells, asserted on the event log and roster."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from simlib import reforms as R
from simlib.engine import simulate
from simlib.engine.model import Model
from simlib.files import scenario_from_dict
from simlib.timekeeping import DAY

CONST = {"dist": "constant", "value": 10}


def _chain_hall(**matter: Any) -> Any:
    return scenario_from_dict(
        {
            "name": "hand-offs",
            "horizon": {"days": 21, "warmup_days": 0},
            "pools": {"w": {"count": 2}, "a": {"count": 3}, "b": {"count": 3}},
            "matters": [
                {
                    "id": "x",
                    "arrivals": {"per_day": 25},
                    "acceptance": {"pool": "w", "time": CONST},
                    "chain": [
                        {"id": "s1", "pool": "a", "time": CONST},
                        {"id": "s2", "pool": "b", "time": CONST},
                    ],
                    **matter,
                }
            ],
        }
    )


def _handovers(records: Any) -> Any:
    """Per hand-over: when the file left the previous department and when it arrived."""
    log = records.steps.sort_values(["case", "start"])
    rows = []
    for _, case in log.groupby("case"):
        acts = case.set_index(case["activity"].astype(str))
        for before, after in (("acceptance", "s1"), ("s1", "s2")):
            if before in acts.index and after in acts.index:
                rows.append((acts.loc[before, "end"], acts.loc[after, "enqueued"]))
    return np.array(rows)


def test_files_travel_at_the_next_courier_round_on_a_working_day() -> None:
    records = simulate(_chain_hall(handoff={"rounds": ["10:00", "15:00"]}), 2)
    pairs = _handovers(records)
    assert len(pairs) > 200
    cal = records.calendar
    for left, arrived in pairs:
        day, clock = divmod(arrived, DAY)
        assert clock in (600.0, 900.0) and cal.is_workday[int(day)]
        assert arrived >= left
        # ... and it is the first round at or after the hand-over.
        earlier = [d * DAY + c for d in cal.workdays() for c in (600.0, 900.0)]
        assert not [t for t in earlier if left <= t < arrived]
    clock_left = pairs[:, 0] % DAY
    # Handed over at 10:30 (between the rounds): arrives at 15:00 the same day.
    mid = (clock_left > 600) & (clock_left < 900)
    assert mid.any()
    assert (pairs[mid, 1] - pairs[mid, 0] + clock_left[mid] == 900).all()
    # Handed over at 15:30 (after the last round): arrives at 10:00 the next working day.
    late = clock_left > 900
    assert late.any()
    for left, arrived in pairs[late]:
        next_day = next(d for d in cal.workdays() if d > left // DAY)
        assert arrived == next_day * DAY + 600


def test_electronic_transfer_and_online_each_change_one_thing() -> None:
    base = _chain_hall(handoff_days=0.5)
    online = R.online(share=0.4)(base)
    transfer = R.electronic_transfer()(base)
    assert online.matters[0].handoff_days == 0.5 and online.matters[0].online_share == 0.4
    assert transfer.matters[0].handoff_days == 0 and transfer.matters[0].online_share == 0
    lag = {}
    for name, scenario in (("base", base), ("online", online), ("transfer", transfer)):
        records = simulate(scenario, 5)
        pairs = _handovers(records)
        lag[name] = pairs[:, 1] - pairs[:, 0]
        channels = set(records.cases["channel"].astype(str))
        assert channels == ({"walk_in", "online"} if name == "online" else {"walk_in"})
    assert np.allclose(lag["base"], 720) and np.allclose(lag["online"], 720)  # 12 h each
    assert np.allclose(lag["transfer"], 0)
    couriers = R.electronic_transfer()(_chain_hall(handoff={"rounds": ["10:00"]}))
    assert couriers.matters[0].handoff is None


def _absences(days: int, officers: int, daily_prob: float, mean_days: float) -> np.ndarray:
    """officer x working day: absent (from the roster, probed at noon)."""
    scenario = scenario_from_dict(
        {
            "name": "absences",
            "horizon": {"days": days, "warmup_days": 0},
            "pools": {
                "p": {
                    "count": officers,
                    "absence": {"daily_prob": daily_prob, "mean_days": mean_days},
                }
            },
            "matters": [
                {"id": "m", "arrivals": {"per_day": 1}, "acceptance": {"pool": "p", "time": CONST}}
            ],
        }
    )
    model = Model(scenario, 11, detail="kpi")
    officers_ = model.desks["p"].officers
    seen: list[list[bool]] = []

    def probe():
        for d in model.calendar.workdays():
            yield model.env.timeout(d * DAY + 600 - model.env.now)
            seen.append([o.absent for o in officers_])

    model.env.process(probe())
    model.run()
    return np.array(seen).T


def _spells(row: np.ndarray) -> list[int]:
    lengths, run = [], 0
    for gone in row:
        if gone:
            run += 1
        elif run:
            lengths.append(run)
            run = 0
    return lengths


def test_absences_come_in_spells_of_the_mean_length_with_the_daily_share() -> None:
    p, mean_days = 0.15, 5.0
    absent = _absences(420, 40, p, mean_days)  # 300 working days x 40 officers
    share = absent.mean(axis=1)  # per officer (officers are independent)
    half = stats.t.ppf(0.995, len(share) - 1) * share.std(ddof=1) / math.sqrt(len(share))
    assert abs(share.mean() - p) <= half and half < 0.2 * p
    spells = [s for row in absent for s in _spells(row)]
    m, se = np.mean(spells), np.std(spells, ddof=1) / math.sqrt(len(spells))
    assert abs(m - mean_days) <= 3 * se and 3 * se < 0.15 * mean_days
    # The default (independent days) has spells of 1 / (1 - p) days, far shorter.
    daily = [s for row in _absences(420, 40, p, 1.0) for s in _spells(row)]
    assert abs(np.mean(daily) - 1 / (1 - p)) < 0.05

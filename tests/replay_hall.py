"""A small hall for the replay tests, and what its records say at an instant (computed from
the records and the engine's calendar directly, not through ``simlib.visual.scene``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.engine.records import Records
from simlib.files import scenario_from_dict
from simlib.scenario import Scenario
from simlib.timekeeping import DAY
from simlib.visual.scene import absent_officers
from tests.helpers import booking

# Two window pools (one with absences, backed up by the back office), reneging, online
# pre-review at the windows (back-office work at a window), a lunch break that holds it.
HALL = {
    "name": "replay hall",
    "horizon": {"days": 3, "warmup_days": 2},
    "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"]},
    "hall": {"patience": {"dist": "exponential", "mean": 25}, "renege_return_prob": 0.5},
    "pools": {
        "wa": {"count": 4, "absence": {"daily_prob": 0.3}, "backup": "back"},
        "wb": {"count": 2},
        "back": {"count": 6},
    },
    "matters": [
        {
            "id": "a",
            "arrivals": {"per_hour": 18},
            "online_share": 0.25,
            "complete_prob": 0.8,
            "acceptance": {"pool": "wa", "time": {"dist": "exponential", "mean": 9}},
            "chain": [{"id": "check", "pool": "back", "time": {"dist": "exponential", "mean": 20}}],
        },
        {
            "id": "b",
            "arrivals": {"per_hour": 7},
            "acceptance": {"pool": "wb", "time": {"dist": "gamma", "mean": 14, "cv": 0.7}},
        },
    ],
}
DAY_NO = 2  # a Wednesday: the warm-up has filled the queues


def hall(**changes) -> Scenario:
    return scenario_from_dict({**HALL, **changes})


HALL_KINDS = (0, 1, 2)  # submit, return, collect (records.VISIT_KINDS order)

# The same hall where a share of matter a books a slot (some come late and are refused,
# some do not come) and applicants balk when a window has one ticket or more ahead.
BOOKING = booking(slot_min=15, late_rule="refused")


def booked_hall() -> Scenario:
    a, b = HALL["matters"]
    return hall(
        hall={**HALL["hall"], "balking": {"ahead_per_window": 1, "return_prob": 0.5}},
        matters=[{**a, "appointments": BOOKING}, b],
    )


def queued(records: Records) -> pd.DataFrame:
    """Hall visits with the time each joined the queue (``joined``): its ticket, or for a
    booked one its step's enqueued (when it became eligible; ``ticket`` is the slot).
    Refused latecomers never queued: they join and leave at their ``end``."""
    v = records.visits
    v = v[v["kind"].isin(["submit", "return", "collect", "booked"])].copy()
    s = records.steps
    eligible = dict(zip(zip(s["case"], s["start"], strict=True), s["enqueued"], strict=True))
    booked = (v["kind"] == "booked").to_numpy()
    joined = v["ticket"].to_numpy(copy=True)
    for n in np.flatnonzero(booked & v["call"].notna().to_numpy()):
        joined[n] = eligible.get((v["case"].iat[n], v["call"].iat[n]), joined[n])
    refused = (v["outcome"] == "refused").to_numpy()
    joined[refused] = v["end"].to_numpy()[refused]
    v["joined"] = joined
    return v


def expected_at(records: Records, scenario: Scenario, t: float, seed: int) -> dict[str, list[int]]:
    """Tickets waiting and window officers busy at absolute minute ``t``, per window pool.

    Absences are not in the records: an absent officer's back-office work waits on the desk
    (who is absent comes from ``absent_officers``, checked against the engine's roster)."""
    pools = list(dict.fromkeys(m.acceptance.pool for m in scenario.matters))
    v = queued(records)
    leaves = v["call"].fillna(v["end"]).fillna(np.inf)
    waiting = v[(v["joined"] <= t) & (t < leaves)]
    s = records.steps
    called = dict(zip(zip(v["case"], v["call"], strict=True), v["pool"], strict=True))
    on = s[(s["start"] <= t) & (t < s["end"])]
    cal = records.calendar
    busy = []
    for p in pools:
        periods = []
        for shift in scenario.pools[p].crews():
            periods.extend([cal.shift_periods(shift.hours, shift.days)] * shift.count)
        away = absent_officers(scenario, seed, int(t // DAY), p)
        mine = on[on["pool"] == p]
        officers = set()
        for case, start, officer in zip(mine["case"], mine["start"], mine["officer"], strict=True):
            ticket = (case, start) in called
            if officer >= len(away):
                # Back-office work of an AB backup officer is recorded under the job's pool
                # with the backup's own number (records.step): not one of this pool's windows.
                continue
            if ticket or (not away[officer] and any(a <= t < b for a, b in periods[officer])):
                officers.add(officer)
        # AB backups: officers of another pool serving this pool's tickets, at its windows.
        helping = on[~on["pool"].isin(pools)]
        for case, start in zip(helping["case"], helping["start"], strict=True):
            officers.add(("backup", case)) if called.get((case, start)) == p else None
        busy.append(len(officers))
    return {
        "waiting": [int((waiting["pool"] == p).sum()) for p in pools],
        "busy": busy,
    }


def event_times(records: Records) -> np.ndarray:
    """Every instant at which something in the hall changes (to keep samples off them)."""
    v, s = records.visits, records.steps
    times = [v["ticket"], v["call"], v["end"], s["start"], s["end"]]
    opens = [a for a, _b in records.calendar.open.periods]
    closes = [b for _a, b in records.calendar.open.periods]
    return np.sort(np.concatenate([np.asarray(x, dtype=float) for x in times] + [opens, closes]))


def sample_times(records: Records, day: int, n: int, seed: int = 7) -> list[float]:
    """``n`` random instants of the open hours of ``day``, each at least 0.05 min from any
    event (the page stores times to 0.01 min)."""
    events = event_times(records)
    events = events[~np.isnan(events)]
    rng = np.random.default_rng(seed)
    out: list[float] = []
    lo, hi = day * DAY + 9 * 60, day * DAY + 17 * 60 + 30
    while len(out) < n:
        t = float(rng.uniform(lo, hi))
        k = np.searchsorted(events, t)
        near = events[max(0, k - 1) : k + 1]
        if np.all(np.abs(near - t) > 0.05):
            out.append(t)
    return sorted(out)

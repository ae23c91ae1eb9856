"""What a replay draws, taken from a run's records: one day of the hall as plain columns.

Pure functions of (records, scenario, seed, day), no drawing: the browser replays these
columns, and the tests compute the same instants from the records independently.

* **tickets**: hall tickets (submit, return, collect, booked) alive during the day: when
  they joined the queue, called and gone, how they ended, which window served them (joined
  to the event log by case, ticket time and call time). A booked ticket's ``ticket`` column
  is its slot (kept as ``slot``); it joins the queue when it became eligible, its step's
  ``enqueued`` (a ticket still waiting when the run stopped has no step: its slot then).
  Balked applicants (left at the display), no-shows and refused latecomers never queue:
  they join and leave at the same instant (``t`` = ``end``; no-shows at their slot).
* **windows**: the officers of the pools that take tickets, each with the periods of its
  shift that day, whether the roster made it absent, and the periods it spent on
  back-office work (its event-log steps that are not tickets, cut to its shift: held work
  waits over lunch and nights).
* **areas**: waiting areas: one per acceptance pool (dedicated windows) or one shared
  (comprehensive windows), as the engine queues tickets.

Absences are not in the records; they are drawn again from the run's seed exactly as the
roster draws them (one stream per officer, a two-state chain over working days): the test
``tests/unit/test_replay_scene.py`` checks them against the engine's officers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simlib.engine.records import OUTCOMES, VISIT_KINDS, Records
from simlib.engine.streams import stream
from simlib.scenario.model import Scenario
from simlib.timekeeping import DAY, HallCalendar

__all__ = ["HALL_KINDS", "absent_officers", "default_day", "hall_day", "window_pools"]

# visits that take a ticket in the hall ("booked": an appointment, see engine.appointments)
HALL_KINDS = ("submit", "return", "collect", "booked")
_TICKET_WORK = ("acceptance", "collection")  # activities of a ticket at a window
_NEVER_QUEUED = ("balked", "no_show", "refused")  # looked, did not come, came too late
_ROUND = 2  # minutes to 2 decimals (0.6 s): plenty for drawing, compact JSON


def window_pools(scenario: Scenario) -> list[str]:
    """Pools whose officers sit at windows: those that accept matters, in file order."""
    return list(dict.fromkeys(m.acceptance.pool for m in scenario.matters))


def default_day(records: Records, scenario: Scenario) -> int:
    """The first working day after the warm-up (queues and back offices have filled)."""
    cal: HallCalendar = records.calendar
    days = [d for d in cal.workdays() if d >= scenario.horizon.warmup_days]
    days = days or cal.workdays()
    if not days:
        raise ValueError("the scenario has no working day to replay")
    return days[0]


def check_day(records: Records, day: int) -> None:
    """A ValueError naming the allowed days unless ``day`` is a working day of the run."""
    cal: HallCalendar = records.calendar
    horizon = int(records.horizon // DAY)
    if not 0 <= day < horizon or not cal.is_workday[day]:
        near = [d for d in cal.workdays() if d < horizon and abs(d - day) <= 7][:6]
        raise ValueError(
            f"day {day} is not a working day of the run (days 0-{horizon - 1}); working days "
            f"near it: {', '.join(map(str, near)) or 'none'}"
        )


def absent_officers(scenario: Scenario, seed: int, day: int, pool: str) -> list[bool]:
    """Which officers of ``pool`` the roster makes absent on ``day`` (seeded as the engine)."""
    spec = scenario.pools[pool]
    cal = HallCalendar(scenario.calendar, day + 1, scenario.hall.cutoff_minute)
    out: list[bool] = []
    first = 0
    for shift in spec.crews():
        periods = cal.shift_periods(shift.hours, shift.days, shift.hours_by_weekday)
        crew_days = sorted({int(s // DAY) for s, _e in periods})
        away = [False] * shift.count
        if spec.absence.daily_prob > 0 and day in crew_days:
            stay, fall = spec.absence.persistence()
            rngs = [stream(seed, "pool", pool, "absence", first + j) for j in range(shift.count)]
            for _d in crew_days[: crew_days.index(day) + 1]:
                away = [
                    rng.random() < (stay if gone else fall)
                    for gone, rng in zip(away, rngs, strict=True)
                ]
        out.extend(away)
        first += shift.count
    return out


def _shift_periods(scenario: Scenario, cal: HallCalendar, pool: str, day: int) -> list[list]:
    """Per officer of ``pool``: its shift periods on ``day`` (absolute minutes)."""
    out: list[list] = []
    for shift in scenario.pools[pool].crews():
        mine = [
            [s, e]
            for s, e in cal.shift_periods(shift.hours, shift.days, shift.hours_by_weekday)
            if int(s // DAY) == day
        ]
        out.extend([mine] * shift.count)
    return out


def _r(values: np.ndarray, origin: float) -> list[float | None]:
    """Minutes after ``origin``, rounded; NaN as None (JSON null)."""
    return [None if math.isnan(v) else round(float(v) - origin, _ROUND) for v in values]


def _cut(a: float, b: float, periods: list[list]) -> list[tuple[float, float]]:
    return [(max(a, s), min(b, e)) for s, e in periods if min(b, e) > max(a, s)]


def hall_day(records: Records, scenario: Scenario, seed: int, day: int) -> dict[str, Any]:
    """The columns of one hall on one day (times in minutes after that day's midnight)."""
    if records.detail != "full":
        raise ValueError('a replay needs the event log: simulate with detail="full"')
    check_day(records, day)
    cal: HallCalendar = records.calendar
    origin = day * DAY
    pools = window_pools(scenario)
    comprehensive = scenario.hall.mode == "comprehensive"
    areas = (
        [{"name": "all windows", "pools": pools}]
        if comprehensive
        else [{"name": p, "pools": [p]} for p in pools]
    )
    area_of = {p: (0 if comprehensive else i) for i, p in enumerate(pools)}
    windows, window_of = _windows(records, scenario, seed, day, pools, area_of)

    v = records.arrays("visits")
    kinds = [VISIT_KINDS.index(k) for k in HALL_KINDS]
    end_or_open = np.where(np.isnan(v["end"]), np.inf, v["end"])
    keep = np.isin(v["kind"], kinds) & (v["ticket"] < origin + DAY) & (end_or_open > origin)
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((v["case"][idx], v["ticket"][idx]))]

    s = records.arrays("steps")
    window_work = np.isin(s["pool"], [records.pools.index(p) for p in pools])
    ticket_work = np.isin(s["activity"], [records.activities.index(a) for a in _TICKET_WORK])
    near = (window_work | ticket_work) & (s["start"] < origin + DAY) & (s["end"] > origin - DAY)
    calls = _calls(records, idx, np.flatnonzero(near & ticket_work), windows, window_of, area_of)
    joined, win, taken = calls
    # The steps left are back-office work of window officers: busy while on shift (work
    # left at a shift's end waits on the desk until the officer's next period).
    for back in np.flatnonzero(near & window_work).tolist():
        at = window_of.get((int(s["pool"][back]), int(s["officer"][back])))
        if at is None or back in taken or windows[at].get("backup"):
            continue
        for a, b in _cut(float(s["start"][back]), float(s["end"][back]), windows[at]["shifts"]):
            windows[at]["back"].append([round(a - origin, _ROUND), round(b - origin, _ROUND)])
    for window in windows:
        window["shifts"] = [
            [round(a - origin, _ROUND), round(b - origin, _ROUND)] for a, b in window["shifts"]
        ]
        window["back"].sort()
    return {
        "areas": areas,
        "windows": windows,
        "tickets": _ticket_columns(records, idx, joined, win, area_of, origin),
        "open": [[a, b] for a, b in cal.day_hours[day]],
    }


Window = dict[str, Any]


def _windows(
    records: Records,
    scenario: Scenario,
    seed: int,
    day: int,
    pools: list[str],
    area_of: dict[str, int],
) -> tuple[list[Window], dict[tuple[int, int], int]]:
    """One window per officer of the window pools on ``day`` (absent ones drawn again from
    the seed), and the window of each (pool code, officer)."""
    windows: list[Window] = []
    window_of: dict[tuple[int, int], int] = {}
    for p in pools:
        code = records.pools.index(p)
        absent = absent_officers(scenario, seed, day, p)
        for j, periods in enumerate(_shift_periods(scenario, records.calendar, p, day)):
            window_of[(code, j)] = len(windows)
            windows.append(
                {
                    "pool": p,
                    "officer": j,
                    "area": area_of[p],
                    "absent": absent[j],
                    "shifts": [] if absent[j] else periods,
                    "back": [],
                }
            )
    return windows, window_of


def _calls(
    records: Records,
    idx: np.ndarray,
    rows: np.ndarray,
    windows: list[Window],
    window_of: dict[tuple[int, int], int],
    area_of: dict[str, int],
) -> tuple[np.ndarray, list[int], set[int]]:
    """Match the day's visits ``idx`` to the window steps ``rows`` that served them: when
    each joined the queue, the window that called it (-1: not called yet) and the step rows
    taken. An AB backup officer from another pool gets a window of its own."""
    v, s = records.arrays("visits"), records.arrays("steps")
    keys = zip(s["case"][rows], s["enqueued"][rows], s["start"][rows], strict=True)
    step_of = {
        (int(c), float(q), float(b)): r for (c, q, b), r in zip(keys, rows.tolist(), strict=True)
    }
    # Booked tickets: the step's enqueued (eligible) is not the visit's ticket (the slot).
    booked_step = {(c, b): r for (c, _q, b), r in step_of.items()}
    joined = v["ticket"][idx].copy()
    booked = v["kind"][idx] == VISIT_KINDS.index("booked")
    never = np.isin(v["outcome"][idx], [OUTCOMES.index(o) for o in _NEVER_QUEUED])
    joined[never] = v["end"][idx][never]
    taken: set[int] = set()
    win = []
    for n, i in enumerate(idx):
        key = (int(v["case"][i]), float(v["ticket"][i]), float(v["call"][i]))
        found = step_of.pop(key, None)
        if found is None and booked[n]:
            found = booked_step.get(key[::2])
            if found is not None:
                step_of.pop((key[0], float(s["enqueued"][found]), key[2]), None)
                joined[n] = s["enqueued"][found]
            elif not math.isnan(key[2]):  # in service when the run stopped: no step yet
                joined[n] = min(joined[n], key[2])
        if found is None:
            win.append(-1)  # not called (yet)
            continue
        row = found
        taken.add(row)
        officer = (int(s["pool"][row]), int(s["officer"][row]))
        if officer not in window_of:  # an AB backup officer from another pool took it
            pool = records.pools[officer[0]]
            window_of[officer] = len(windows)
            windows.append(
                {
                    "pool": pool,
                    "officer": officer[1],
                    "area": area_of[records.pools[int(v["pool"][i])]],
                    "absent": False,
                    "shifts": [],
                    "back": [],
                    "backup": True,
                }
            )
        win.append(window_of[officer])
    return joined, win, taken


def _ticket_columns(
    records: Records,
    idx: np.ndarray,
    joined: np.ndarray,
    win: list[int],
    area_of: dict[str, int],
    origin: float,
) -> dict[str, list[Any]]:
    """The day's tickets as columns, in the order they queued."""
    v = records.arrays("visits")
    booked = v["kind"][idx] == VISIT_KINDS.index("booked")
    tickets = {
        "id": v["case"][idx].tolist(),
        "matter": records.arrays("cases")["matter"][v["case"][idx]].tolist(),
        "area": [area_of.get(records.pools[c], 0) for c in v["pool"][idx]],
        "kind": [HALL_KINDS.index(VISIT_KINDS[k]) for k in v["kind"][idx]],
        "t": _r(joined, origin),
        "slot": _r(np.where(booked, v["ticket"][idx], np.nan), origin),
        "call": _r(v["call"][idx], origin),
        "end": _r(v["end"][idx], origin),
        "out": v["outcome"][idx].tolist(),
        "win": win,
    }
    order = np.lexsort((v["case"][idx], joined)).tolist()  # in the order they queued
    return {k: [col[j] for j in order] for k, col in tickets.items()}

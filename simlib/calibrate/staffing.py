"""Opening hours and officers on duty, inferred from a ticket log, written as shifts.

The log has no roster, so it is read off the service records:

* an hour of a date is *open* when tickets were issued in it; a weekday's opening hours
  are the hours open on at least half of its dates; a date with almost no tickets is a
  holiday;
* officers *present* in an hour are the distinct officers who served in it;
* officers *effectively available* are fewer: officers counted as present also do
  after-call work and other duties. Whenever someone is waiting, every available officer is
  busy (the hall is work-conserving), so the mean number busy while the queue is not empty
  estimates how many were available. Hours that rarely had a queue fall back to present x
  the availability share measured where there was one (never below the mean number busy).

Fractional officers become a shift covering that share of the hour (5.4 officers: five for
the hour and one for its first 24 minutes), so the simulated capacity matches on average.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.scenario.model import WEEKDAYS

__all__ = ["Staffing", "fit_staffing", "shifts_from_counts"]

STEP = 1 / 6  # minutes: the 10-second grid of the busy/queue reconstruction


@dataclass
class Staffing:
    open_hours: dict[int, list[int]]  # weekday -> open clock hours
    holidays: list[int]  # day indices
    present: pd.DataFrame  # weekday x hour, mean officers present
    busy: pd.DataFrame  # weekday x hour, mean officers busy
    effective: pd.DataFrame  # weekday x hour, officers effectively available
    queue_minutes: pd.DataFrame  # weekday x hour, minutes with someone waiting (all dates)
    availability: float  # effective / present where there was a queue
    day_weekday: np.ndarray
    n_officers: int
    speed: pd.Series | None = None  # clock hour -> service pace vs the matters' means
    simulated: pd.DataFrame | None = None  # effective x speed: the scenario's shifts


def _grid_count(days: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Number of intervals covering each 10-second slot of the log's days."""
    n = int(days * 1440 / STEP) + 2
    diff = np.zeros(n + 1)
    a = np.clip(np.round(starts / STEP).astype(int), 0, n)
    b = np.clip(np.round(ends / STEP).astype(int), 0, n)
    ok = b > a
    np.add.at(diff, a[ok], 1)
    np.add.at(diff, b[ok], -1)
    return np.cumsum(diff)[:n]


def fit_staffing(t: pd.DataFrame, min_queue_minutes: float = 10.0) -> Staffing:
    days = t.attrs["days"]
    start_wd = t.attrs["start_date"].weekday()
    day_weekday = (start_wd + np.arange(days)) % 7
    served = t[t["served"] & t["call"].notna()]
    ends = served["end"].fillna(served["call"]).to_numpy()
    per_day = np.bincount(t["day"], minlength=days)
    # A holiday: a date with under a tenth of its weekday's usual tickets, on a weekday
    # that is open on its other dates (a weekday never open is simply not a workday).
    holidays = [
        d
        for d in range(days)
        if per_day[d] < 0.1 * np.median(per_day[day_weekday == day_weekday[d]])
        or (per_day[d] == 0 and per_day[day_weekday == day_weekday[d]].max() > 0)
    ]
    call_day = (served["call"] // 1440).astype(int).clip(0, days - 1)
    call_hour = ((served["call"] % 1440) // 60).astype(int)
    # An hour is open when tickets are issued in it (services past closing, for the last
    # tickets of the day, do not open an hour; a stray night ticket does not either).
    issued = np.zeros((days, 24))
    np.add.at(issued, (t["day"].to_numpy(), t["hour"].to_numpy()), 1)
    opened = issued >= np.maximum(3, 0.05 * issued.max(axis=1, keepdims=True))
    open_hours = {}
    for w in range(7):
        dates = [d for d in range(days) if day_weekday[d] == w and d not in holidays]
        if not dates:
            continue
        share = opened[dates].mean(axis=0)
        hours = [h for h in range(24) if share[h] >= 0.5]
        if hours:  # one span from first to last (an outage hour does not close the hall)
            open_hours[w] = list(range(hours[0], hours[-1] + 1))
    # Busy officers and queue length on a 10-second grid.
    busy = _grid_count(days, served["call"].to_numpy(), ends)
    left = t["ticket"] + t["wait"].fillna(0.0)
    waiting = _grid_count(days, t["ticket"].to_numpy(), left.to_numpy())
    slot_day = (np.arange(len(busy)) * STEP // 1440).astype(int).clip(0, days - 1)
    slot_hour = ((np.arange(len(busy)) * STEP % 1440) // 60).astype(int)
    present = np.zeros((days, 24))
    who = pd.DataFrame(
        {
            "day": call_day.to_numpy(),
            "hour": call_hour.to_numpy(),
            "officer": served["officer"].to_numpy(),
        }
    ).dropna()
    n_present = who.groupby(["day", "hour"])["officer"].nunique()
    for (d, h), n in n_present.items():
        present[d, h] = n
    busy_sum = np.zeros((days, 24))
    np.add.at(busy_sum, (slot_day, slot_hour), busy * STEP)
    queued = waiting > 0
    qbusy = np.zeros((days, 24))
    qtime = np.zeros((days, 24))
    np.add.at(qbusy, (slot_day[queued], slot_hour[queued]), busy[queued] * STEP)
    np.add.at(qtime, (slot_day[queued], slot_hour[queued]), STEP)

    def by_weekday(x: np.ndarray, how: str = "mean") -> pd.DataFrame:
        rows = {}
        for w in open_hours:
            dates = [d for d in range(days) if day_weekday[d] == w and d not in holidays]
            rows[w] = x[dates].mean(axis=0) if how == "mean" else x[dates].sum(axis=0)
        return pd.DataFrame(rows).T.sort_index()

    pres, busy_mean = by_weekday(present), by_weekday(busy_sum / 60)
    qb, qt = by_weekday(qbusy, "sum"), by_weekday(qtime, "sum")
    enough = qt >= min_queue_minutes
    eff_q = (qb / qt.where(qt > 0)).where(enough)
    ratio = float((qb.where(enough).sum().sum()) / (pres * qt).where(enough).sum().sum())
    ratio = min(max(ratio, 0.05), 1.0) if np.isfinite(ratio) else 1.0
    eff = eff_q.fillna(pres * ratio)
    eff = np.maximum(eff, busy_mean)
    for w, hours in open_hours.items():  # closed hours have nobody
        eff.loc[w, [h for h in range(24) if h not in hours]] = 0.0
    return Staffing(
        open_hours=open_hours,
        holidays=holidays,
        present=pres,
        busy=busy_mean,
        effective=eff,
        queue_minutes=qt,
        availability=ratio,
        day_weekday=day_weekday,
        n_officers=int(served["officer"].nunique()),
    )


def service_pace(t: pd.DataFrame, lo: float = 0.7, hi: float = 1.4) -> pd.Series:
    """Per clock hour: the mean service time the matters' own means predict for the tickets
    served in that hour / the mean observed. Officers serve faster late in the day on
    many logs, and a scenario's service time is per matter, not per hour; an hour served
    10 % faster is simulated as 10 % more officers (same capacity in service units)."""
    s = t[t["served"] & t["service"].notna()]
    predicted = s.groupby("matter")["service"].transform("mean")
    by_hour = predicted.groupby(s["hour"]).sum() / s.groupby("hour")["service"].sum()
    return by_hour.reindex(range(24), fill_value=1.0).fillna(1.0).clip(lo, hi)


def shifts_from_counts(counts: pd.DataFrame) -> list[dict]:
    """Shifts (``{hours, count, days}``) whose officers on duty match ``counts`` (weekday x
    hour, fractional) on average: whole officers in runs of hours, a fraction f of an
    officer as one officer for the first f of the hour. Identical shifts of different
    weekdays are merged."""
    pieces: dict[tuple[str, ...], list[int]] = {}
    for w, row in counts.iterrows():
        c = row.to_numpy(dtype=float)
        whole = np.floor(c + 1e-6).astype(int)
        for level in range(1, int(whole.max(initial=0)) + 1):
            h = 0
            while h < 24:
                if whole[h] >= level:
                    h0 = h
                    while h < 24 and whole[h] >= level:
                        h += 1
                    pieces.setdefault((f"{h0:02d}:00-{h:02d}:00",), []).append(int(w))
                else:
                    h += 1
        for h in range(24):
            frac = c[h] - whole[h]
            minutes = round(frac * 60)
            if minutes >= 1:
                end = f"{h:02d}:{minutes:02d}" if minutes < 60 else f"{h + 1:02d}:00"
                pieces.setdefault((f"{h:02d}:00-{end}",), []).append(int(w))
    per_day: dict[tuple[tuple[str, ...], int], int] = {}  # (hours, weekday) -> officers
    for hours, wds in pieces.items():
        for w in wds:
            per_day[(hours, w)] = per_day.get((hours, w), 0) + 1
    grouped: dict[tuple[tuple[str, ...], int], list[int]] = {}
    for (hours, w), n in per_day.items():
        grouped.setdefault((hours, n), []).append(w)
    return [
        {"hours": list(h), "count": n, "days": [WEEKDAYS[w] for w in sorted(wds)]}
        for (h, n), wds in sorted(grouped.items())
    ]


def hour_ranges(hours: list[int]) -> list[str]:
    """Clock hours as ``HH:00-HH:00`` ranges (contiguous hours merged)."""
    out, hs = [], sorted(hours)
    i = 0
    while i < len(hs):
        j = i
        while j + 1 < len(hs) and hs[j + 1] == hs[j] + 1:
            j += 1
        out.append(f"{hs[i]:02d}:00-{hs[j] + 1:02d}:00")
        i = j + 1
    return out

"""From a process-mining event log alone to a scenario of the back office that documents
itself (``simlib calibrate EVENTLOG --map MAP`` with ``kind: event log``).

What comes from where:

- calendar: weekdays and clock hours in which the log's events are completed;
- arrivals: cases per working day, by weekday, from the *received* time (not the first
  event, which comes weeks later); the hour of receipt where the log has it, else spread
  evenly over the open hours (said in the note);
- matters: the map's matter column (department), rarer values lumped into the largest;
- ``online_share``: the share of cases whose channel is one of the map's online channels;
- ``time_limit_days``: the median deadline in working days after receipt;
- chain: :mod:`simlib.calibrate.chainfit` (optional steps, ``requires``, parallel groups,
  rework, real labels), step times from completion times;
- back office: one pool, worked in deadline order (the log shows an officer finishing a
  started case within minutes: its next task has the earliest deadline), with the head
  count of regular officers seen in the log, each present on a share of working days in
  spells (``absence``) measured from their days with completions; the availability is then
  refined by simulation so that the simulated median wait before the first task matches
  the log's. The long wait thus comes out of the queue of an officer pool that spends only
  part of its time on this process, not out of a fitted constant delay. By default
  (``availability_as: hours``) that capacity is on duty every working day for a share of
  the open hours, since the log has someone on this process on most days; as whole days
  (``days``) a case resumed after a hold waits for the next day someone is present.
  The capacity by weekday follows the log's completions per working day of each weekday
  (:mod:`simlib.calibrate.weekdays`): the same officers, each weekday its share of the open
  hours (``hours_by_weekday``), the mean day's capacity the refined one.
  With ``pick: deadline`` the first task is instead taken up a fitted lead before the
  deadline and the capacity is fitted to the gaps between a case's steps
  (:mod:`simlib.calibrate.pickfit`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simlib.calibrate.chainfit import ChainFit, HoldFit, StepTimes, fit_chain, fit_holds, step_times
from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.eventmap import EventMap, read_events
from simlib.calibrate.holdout import parse_holdout
from simlib.calibrate.logmap import load_map
from simlib.calibrate.pickfit import lead_days, lead_spec, refine_pick, working_days_waited
from simlib.calibrate.simlog import first_task_wait_days, simulated_events
from simlib.calibrate.weekdays import WeekdayCapacity, weekday_capacity
from simlib.calibrate.yamlout import Note, dump, plain
from simlib.scenario.model import WEEKDAYS

__all__ = [
    "EventCalibration",
    "calibrate_events",
    "first_task_wait_days",
    "simulated_events",
    "split_holdout",
]

INTAKE, BACK = "intake", "back_office"


@dataclass
class EventCalibration:
    logmap: EventMap
    events: pd.DataFrame  # the events fitted (before a hold-out split: all of them)
    chain: ChainFit
    times: StepTimes
    data: dict[str, Any]
    head_count: int = 0
    officers_seen: int = 0
    availability_log: float = 0.0
    spell_days: float = 1.0
    availability: float = 0.0  # as refined by simulation
    refinement: list[tuple[float, float]] = field(default_factory=list)  # (avail, median)
    target_first_wait_days: float = 0.0
    simulated_days: int = 0  # days simulated by the refinement (rounds x reps x horizon)
    settled: bool = False  # the refinement stopped with the target inside its 95 % CI
    notes: list[str] = field(default_factory=list)
    holdout: pd.DataFrame | None = None
    holds: dict[str, HoldFit] = field(default_factory=dict)
    leads: np.ndarray | None = None  # pick: deadline -- each case's lead, working days
    lead_shift: float = 0.0  # added to the leads by the refinement (queue and work after)
    target_gap_min: float = 0.0  # the log's mean within-day gap between a case's steps
    pick_rounds: list[tuple[float, float, float, float]] = field(default_factory=list)
    weekdays: WeekdayCapacity | None = None  # capacity by weekday (availability_as: hours)

    def scenario(self) -> Any:
        from simlib.files import scenario_from_dict

        return scenario_from_dict(plain(self.data))

    def header(self) -> str:
        e, c = self.events, self.chain
        issues = e.attrs.get("issues")
        lines = [
            f"Calibrated by `simlib calibrate` from the event log {Path(e.attrs['source']).name}",
            f"({c.n_cases} cases, {len(e)} events; map: {self.logmap.calibrate}).",
            "Every fitted number carries its source in a comment beside it.",
            "",
            f"Chain: {sum(len(i) for i in c.order)} activities in {len(c.order)} items; it "
            f"reproduces the activity set and order of {c.covered:.0%} of the cases exactly "
            f"({c.variants} variants in the log, the most frequent {c.top_variant_share:.0%}).",
            f"Lumped out (in under {self.logmap.min_activity_share:.0%} of cases): "
            + (", ".join(c.lumped) or "none")
            + ".",
            f"Step times: completion times only; {self.times.n_working} of "
            f"{self.times.n_events} events have a gap under {self.logmap.session_gap_min:g} "
            f"min since the later of the officer's previous completion and the case's previous "
            f"event (work); the rest waited. {self.times.batch_share:.0%} of events are in "
            f"{self.times.n_batches} batch runs (one officer, <= "
            f"{self.logmap.batch_gap_min:g} min apart).",
            f"Back office: head count {self.head_count} regular officers ({self.officers_seen} "
            f"seen); present on {self.availability_log:.0%} of working days in the log (spells of "
            f"{self.spell_days:.1f} days); effective availability for this process "
            + (
                f"{self.availability:.3f} (fitted with the take-up by deadline, below)"
                if self.leads is not None
                else f"refined by simulation to {self.availability:.3f} so that the median "
                f"wait before the first task is {self.target_first_wait_days:.1f} days as in "
                "the log"
            )
            + f"; effective capacity {self.head_count * self.availability:.2f} officers, spent "
            + (
                "by whole days (availability_as: days)."
                if self.logmap.availability_as == "days"
                else "every working day as a share of the open hours (availability_as: hours)."
            ),
            self.refinement_line(),
            self.load_line(),
        ]
        if self.weekdays is not None:
            lines.append(f"Back office {self.weekdays.note()}.")
        if issues is not None and issues.items:
            lines.append(f"Rows with problems: {issues.summary(limit_rows=4)}")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def load(self) -> tuple[float, float, float]:
        """(cases a day, officer-minutes per case, open minutes a day) of the back office."""
        sc = self.scenario()
        from simlib.scenario.chain import step_shares
        from simlib.scenario.model import Step

        per_case = 0.0
        for m in sc.matters:
            shares = step_shares(m.chain)
            for st in m.steps():
                if isinstance(st, Step) and st.pool == BACK:
                    per_case += shares[st.id] * st.time.expected() / (1 - st.rework_prob)
        per_day = sum(float(plain(m["arrivals"]["per_day"])) for m in self.data["matters"])
        spans = sc.calendar._spans
        minutes = sum(e - s for s, e in spans) if spans else 480
        return per_day, per_case, minutes

    def critical_availability(self) -> float:
        """The availability at which the pool's capacity equals the offered work."""
        per_day, per_case, minutes = self.load()
        return per_day * per_case / max(self.head_count * minutes, 1e-9)

    def load_line(self) -> str:
        """Offered work against the effective capacity: a wait of weeks out of a queue
        needs a pool close to saturation, and the reader should see that."""
        per_day, per_case, minutes = self.load()
        cap = self.head_count * self.availability * minutes
        util = per_day * per_case / cap if cap > 0 else float("inf")
        return (
            f"Load: {per_day:.2f} cases a day x {per_case:.0f} officer-minutes = "
            f"{per_day * per_case:.0f} a day against {cap:.0f} effective: utilisation {util:.2f}"
            + (
                " (close to saturation: runs differ much, see the fit report)"
                if util > 0.95
                else ""
            )
        )

    def with_officers(self, n: int = 1) -> dict[str, Any]:
        """The scenario's data with ``n`` more officers of the back office, each as available
        for this process as the others (a person, whether the capacity is spent by hours or
        by days)."""
        self.head_count += n
        try:
            data = plain(self.data)
            data["pools"][BACK].update(plain(_presence(self)))
        finally:
            self.head_count -= n
        return dict(data)

    def set_pick(self, availability: float, shift: float) -> None:
        """The back office with this availability, taking cases up by deadline with the
        log's leads shifted by ``shift`` working days."""
        assert self.leads is not None
        self.availability, self.lead_shift = availability, shift
        _set_presence(self)
        self.data["pools"][BACK]["pick"] = Note(
            {"by": "deadline", "lead_days": lead_spec(self.leads, shift)},
            f"first task taken up this many working days before the deadline: per case, "
            f"time_limit_days less the working days from receipt to its first completion "
            f"(n={len(self.leads)}, median {np.median(self.leads):.1f}), shifted by "
            f"{shift:+.2f} by simulation (the queue and the work after take-up)",
        )

    def refinement_line(self) -> str:
        if self.leads is not None:
            return self.pick_line()
        return (
            "Refinement (availability -> simulated median wait before the first task, days): "
            + ", ".join(f"{a:.3f}->{w:.1f}" for a, w in self.refinement)
            + f" ({len(self.refinement)} rounds, {self.simulated_days:,} simulated days"
            + ("; stopped with the log's wait inside the round's 95 % CI)" if self.settled else ")")
        )

    def pick_line(self) -> str:
        """The header's account of a deadline-driven take-up."""
        if self.leads is None:
            return ""
        rounds = ", ".join(
            f"{a:.4f}/{s:+.1f}->{w:.1f} d,{g:.0f} min" for a, s, w, g in self.pick_rounds
        )
        return (
            f"Take-up by deadline (map pick: deadline): first task eligible a lead of median "
            f"{np.median(self.leads) + self.lead_shift:.1f} working days before the deadline, "
            f"then earliest deadline first; the capacity fitted to the log's mean within-day "
            f"gap between a case's steps ({self.target_gap_min:.0f} min), the lead's shift to "
            f"the median first wait. Rounds (availability/shift -> first wait, gap): {rounds} "
            f"({len(self.pick_rounds)} rounds, {self.simulated_days:,} simulated days"
            + (
                "; stopped: the wait inside its round's 95 % CI, the gap too or the capacity "
                "at its bound)."
                if self.settled
                else ")."
            )
        )

    def yaml(self) -> str:
        return dump(self.data, self.header())

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.yaml())
        return path


def split_holdout(
    ev: pd.DataFrame, holdout: str | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Cases received before the split fit; later ones are held out. ``holdout`` is a share
    of cases ("25%": the last quarter by receipt) or a date ("2011-04-01")."""
    if not holdout:
        return ev, None
    rec = ev.groupby("case")["received"].first().sort_values(kind="stable")
    value = parse_holdout(holdout)
    if isinstance(value, float):
        cut = rec.iloc[min(round(len(rec) * (1 - value)), len(rec) - 1)]
    else:
        cut = pd.Timestamp(value)
    later = set(rec.index[rec >= cut])
    if not later or len(later) == len(rec):
        raise CalibrationError(f"--holdout {holdout}: leaves no case on one side of {cut.date()}")
    mask = ev["case"].isin(later)
    fit, held = ev[~mask].copy(), ev[mask].copy()
    for part in (fit, held):
        part.attrs = dict(ev.attrs)
    return fit, held


def calibrate_events(
    log: str | Path,
    logmap: str | Path | EventMap,
    seed: int = 0,
    refine_rounds: int | None = None,
    holdout: str | None = None,
) -> EventCalibration:
    """Fit the back office of ``log`` read through ``logmap`` (see the module docstring)."""
    m = logmap if isinstance(logmap, EventMap) else load_map(logmap)
    if not isinstance(m, EventMap):
        raise CalibrationError(f"{logmap}: this map is for a ticket log, not an event log")
    all_events = read_events(log, m)
    ev, held = split_holdout(all_events, holdout)
    chain = fit_chain(ev, m.min_activity_share)
    times = step_times(ev, m.batch_gap_min, m.session_gap_min, seed, m.hold_gap_hours)
    holds = fit_holds(ev, chain.order, m.hold_gap_hours, seed=seed + 50)
    cal = EventCalibration(m, ev, chain, times, {}, holdout=held, holds=holds)
    cal.data = _scenario(cal)
    first = _first_waits(ev)
    cal.target_first_wait_days = float(np.median(first)) if len(first) else 0.0
    rounds = m.refine_rounds if refine_rounds is None else refine_rounds
    if cal.leads is not None:
        cal.set_pick(cal.availability, 0.0)
        refine_pick(cal, rounds, seed=seed + 7, reps=m.refine_reps)
    else:
        refine_availability(cal, rounds, seed=seed + 7, reps=m.refine_reps)
    return cal


def _first_waits(ev: pd.DataFrame) -> np.ndarray:
    g = ev.groupby("case")
    return ((g["end"].min() - g["received"].first()).dt.total_seconds() / 86400).to_numpy()


def _calendar(ev: pd.DataFrame) -> tuple[list[str], list[str]]:
    wd = ev["end"].dt.day_of_week.value_counts(normalize=True)
    workdays = [WEEKDAYS[d] for d in range(7) if wd.get(d, 0) >= 0.02]
    hours = ev["end"].dt.hour.value_counts(normalize=True)
    busy = sorted(h for h, s in hours.items() if s >= 0.01)
    lo, hi = (busy[0], busy[-1] + 1) if busy else (8, 17)
    return workdays or ["mon", "tue", "wed", "thu", "fri"], [f"{lo:02d}:00-{hi:02d}:00"]


def _officers(ev: pd.DataFrame, workdays: list[str]) -> tuple[int, int, float, float]:
    """Head count (officers with >= 2 % of the events), officers seen, their share of
    working days with a completion (events-weighted), and mean spell of days without."""
    e = ev[ev["resource"].notna()]
    counts = e["resource"].value_counts()
    regular = counts[counts >= 0.02 * len(e)]
    mask = "".join("1" if WEEKDAYS[d] in workdays else "0" for d in range(7))
    shares, spells, weights = [], [], []
    for r, n in regular.items():
        d = e.loc[e["resource"] == r, "end"].dt.normalize()
        days = pd.bdate_range(d.min(), d.max(), freq="C", weekmask=mask)
        active = np.isin(days.values, d.unique())
        shares.append(active.mean())
        weights.append(n)
        runs = np.diff(np.flatnonzero(np.diff(np.r_[1, active.astype(int), 1]) != 0))[::2]
        gaps = runs[runs > 0] if not active[0] else runs[1:][runs[1:] > 0]
        spells.append(float(np.mean(gaps)) if len(gaps) else 1.0)
    if not shares:
        return 1, len(counts), 1.0, 1.0
    w = np.asarray(weights, dtype=float)
    return (
        len(regular),
        len(counts),
        float(np.average(shares, weights=w)),
        float(np.average(spells, weights=w)),
    )


def _arrivals(cases: pd.DataFrame, workdays: list[str], hours: list[str]) -> dict[str, Any]:
    rec = cases["received"]
    wd_mask = "".join("1" if WEEKDAYS[d] in workdays else "0" for d in range(7))
    days = pd.bdate_range(rec.min().normalize(), rec.max().normalize(), freq="C", weekmask=wd_mask)
    per_day = len(cases) / max(len(days), 1)
    # A receipt on a closed day counts on the next open one.
    nxt = {d: next(x for x in range(7) if WEEKDAYS[(d + x) % 7] in workdays) for d in range(7)}
    weekday = rec.dt.day_of_week.map(lambda d: (d + nxt[d]) % 7)
    n_days = pd.Series(days.day_of_week).value_counts()
    factors = {
        WEEKDAYS[d]: round(float((weekday == d).sum() / n_days.get(d, 1) / per_day), 4)
        for d in range(7)
        if WEEKDAYS[d] in workdays
    }
    clock = rec.dt.hour + rec.dt.minute / 60
    dated_only = bool((clock < 2).mean() > 0.9)
    lo, hi = (int(x[:2]) for x in hours[0].split("-"))
    if dated_only:
        profile = {f"{h:02d}": round(1 / (hi - lo), 4) for h in range(lo, hi)}
        how = "the log gives receipt dates only (00:00-01:00): spread evenly over the open hours"
    else:
        counts = rec.dt.hour.value_counts()
        profile = {f"{h:02d}": round(float(counts.get(h, 0) / len(rec)), 4) for h in range(lo, hi)}
        how = "hour shares of the receipt times"
    return {
        "per_day": Note(
            round(per_day, 3),
            f"ML: {len(cases)} cases received on {len(days)} working days "
            f"({rec.min().date()} - {rec.max().date()})",
        ),
        "profile": Note(profile, how),
        "weekday_factors": Note(
            factors,
            "cases received per weekday / per_day (a closed-day receipt counts on the next "
            "open day)",
        ),
    }


def _ident(text: str) -> str:
    out = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in text.lower()).strip("_")
    return out if out and out[0].isalpha() else "m_" + out


def _step_note(cal: EventCalibration, act: str) -> tuple[dict, str]:
    fit = cal.times.fits.get(act)
    n = len(cal.times.samples.get(act, []))
    if fit is None:
        fit = cal.times.pooled
        src = f"only {n} work gaps: all activities' times pooled"
    else:
        src = f"n={fit.n} work gaps"
    if fit is None:
        return {"dist": "exponential", "mean": 5.0}, "no work gap in the log: illustrative"
    text = (
        f"{src}; working minutes; best {fit.best.family} (mean {fit.best.mean:.3g}), sample "
        f"mean {fit.sample_mean:.3g}, AD p={fit.gof_p:.3f}"
    )
    return fit.spec, text


def _scenario(cal: EventCalibration) -> dict[str, Any]:
    ev, m, c = cal.events, cal.logmap, cal.chain
    workdays, hours = _calendar(ev)
    cases = ev.groupby("case").agg(
        received=("received", "first"),
        deadline=("deadline", "first"),
        channel=("channel", "first"),
        matter=("matter", "first"),
        last=("end", "max"),
    )
    head, seen, avail, spell = _officers(ev, workdays)
    cal.head_count, cal.officers_seen = head, seen
    cal.availability_log, cal.spell_days = avail, max(spell, 1.0)
    cal.availability = avail
    if m.availability_as == "hours" and m.capacity_by_weekday:
        cal.weekdays = weekday_capacity(ev["end"], workdays)
    window = cases["received"].min().date()
    window -= dt.timedelta(days=window.weekday())  # a Monday
    # The log is cut out of a running process: the officers' queue at its start held the
    # cases received before it. A run-in of some median first waits (whole weeks) lets
    # the simulated queue reach its stride before the log's window opens.
    first = _first_waits(ev)
    run_in = 7 * int(np.ceil(m.warmup_waits * float(np.median(first)) / 7)) if len(first) else 0
    start = window - dt.timedelta(days=run_in)
    last_received = cases["received"].max().date()
    log_end = ev["end"].max().date()
    days = (last_received - start).days + 1
    drain = max(1, (log_end - last_received).days)
    share = cases["matter"].value_counts(normalize=True)
    main = str(share.index[0])
    kept = [str(k) for k, s in share.items() if s >= m.min_matter_share] or [main]
    cases["matter_id"] = cases["matter"].map(lambda x: x if x in kept else main)
    limit_days = None
    if cases["deadline"].notna().any():
        ok = cases.dropna(subset=["deadline"])
        mask = "".join("1" if WEEKDAYS[d] in workdays else "0" for d in range(7))
        wdays = np.busday_count(
            ok["received"].values.astype("datetime64[D]"),
            ok["deadline"].values.astype("datetime64[D]"),
            weekmask=mask,
        )
        limit_days = (float(np.median(wdays)), len(ok))
    if m.pick == "deadline":
        if limit_days is None:
            raise CalibrationError(
                f"{m.calibrate}: pick: deadline needs each case's deadline (map "
                f"columns.deadline), and the log has none; use pick: queue"
            )
        lo, hi = _open_span_of(hours)
        waited = working_days_waited(ev, workdays, hours, float(hi - lo))
        cal.leads = lead_days(waited, limit_days[0])
    online = cases["channel"].isin(m.online_channels).mean() if m.online_channels else 0.0
    chain_items: list[Any] = []
    for item in c.order:
        steps = []
        for act in item:
            spec, text = _step_note(cal, act)
            step: dict[str, Any] = {"id": c.ids[act], "label": act, "pool": BACK, "time": spec}
            if c.prob[act] < 1:
                step["prob"] = round(c.prob[act], 4)
            req = c.requires.get(act)
            if req is not None:
                step["requires"] = c.ids[req]
            rw = min(c.rework[act], 0.95)
            if rw > 0.005:
                step["rework_prob"] = round(rw, 4)
            cond = f" given {c.ids[req]}" if req is not None else ""
            hold = cal.holds.get(act)
            held = ""
            if hold is not None and hold.fit is not None:
                step["hold"] = {"prob": round(hold.prob, 4), "days": hold.fit.spec}
                held = (
                    f"; put aside before it (waiting on the applicant or an adviser, no "
                    f"officer) in {len(hold.held)} of {hold.n} cases: completed over "
                    f"{m.hold_gap_hours:g} h after the case's previous item ended, mean "
                    f"{hold.fit.sample_mean:.3g} calendar days"
                )
            steps.append(
                Note(
                    step,
                    f"in {c.share[act]:.1%} of cases (prob {c.prob[act]:.3f}{cond}); "
                    f"repeats {c.rework[act]:.1%}; time: {text}{held}",
                )
            )
        chain_items.append(steps[0] if len(steps) == 1 else {"parallel": steps})
    matters = []
    for mid, g in cases.groupby("matter_id"):
        lumped = sorted(set(g["matter"]) - {mid})
        matter: dict[str, Any] = {
            "id": _ident(str(mid)),
            "name": str(mid) + (f" (with {', '.join(lumped)})" if lumped else ""),
            "arrivals": _arrivals(g, workdays, hours),
            "online_share": Note(
                round(float(g["channel"].isin(m.online_channels).mean()), 4),
                f"channels {', '.join(m.online_channels) or 'none'} of "
                + ", ".join(
                    f"{k} {v:.1%}" for k, v in g["channel"].value_counts(normalize=True).items()
                ),
            ),
            "acceptance": {
                "pool": INTAKE,
                "time": Note(
                    {"dist": "constant", "value": 1.0},
                    "registration is not in the log: a token minute (the log's clock starts "
                    "at receipt)",
                ),
            },
            "chain": Note(chain_items, f"covers {c.covered:.1%} of the cases exactly"),
        }
        if limit_days is not None:
            matter["time_limit_days"] = Note(
                limit_days[0],
                f"median working days from receipt to the deadline, n={limit_days[1]}",
            )
        matters.append(matter)
    data: dict[str, Any] = {
        "name": m.name,
        "description": f"fitted from {Path(ev.attrs['source']).name} by simlib calibrate",
        "seed": 1,
        "horizon": Note(
            {"days": days, "warmup_days": run_in, "drain_days": drain},
            f"receipts from {window} to {last_received}; the log runs on to {log_end}; "
            f"run-in {run_in} days ({m.warmup_waits:g} x the median wait before the first "
            f"task): the log starts on a running queue",
        ),
        "calendar": {
            "workdays": Note(workdays, "weekdays with at least 2 % of the completions"),
            "hours": Note(hours, "clock hours with at least 1 % of the completions"),
            "start_date": Note(
                start.isoformat(), "the Monday of the first receipt, less the run-in"
            ),
        },
        "pools": {
            INTAKE: {
                "count": Note(2, "registration of applications (not in the log)"),
            },
            BACK: {
                "order": Note(
                    "started_first",
                    "deadline order, a started case finished first: the log's batch work",
                ),
                **_presence(cal),
            },
        },
        "matters": matters,
    }
    cal.notes.append(
        f"online share {online:.1%} overall; cases whose last event is before the log's end "
        f"({log_end}) count as closed; {int(cases['last'].isna().sum())} without events"
    )
    return data


def _set_presence(cal: EventCalibration) -> None:
    pool = cal.data["pools"][BACK]
    for key in ("absence", "shifts", "count"):
        pool.pop(key, None)
    pool.update(_presence(cal))


def _presence(cal: EventCalibration) -> dict[str, Any]:
    """The pool's officers and when they work this process: the head count absent on a
    share of days (``availability_as: days``), or the effective officers present every
    working day for a share of the open hours (``hours``)."""
    head, seen = cal.head_count, cal.officers_seen
    count = Note(head, f"head count: officers with >= 2 % of events ({seen} seen)")
    if cal.logmap.availability_as == "days":
        return {"count": count, "absence": _absence(cal)}
    return {"shifts": Note([_shift(cal)], _slice_note(cal))}


def _open_span(cal: EventCalibration) -> tuple[int, int]:
    return _open_span_of(_calendar(cal.events)[1])


def _open_span_of(hours: list[str]) -> tuple[int, int]:
    lo, hi = (int(x[:2]) * 60 + int(x[3:5]) for x in hours[0].split("-"))
    return lo, hi


def _shift(cal: EventCalibration) -> dict[str, Any]:
    """``n`` officers (the effective capacity of the busiest weekday rounded up), the same
    people every day: on the mean day (``hours``) and on each weekday (``hours_by_weekday``,
    its factor times the mean day's capacity, at most the head count) each on duty for
    ``eff / n`` of the open minutes."""
    eff = max(cal.head_count * min(max(cal.availability, 1e-3), 1.0), 1e-3)
    factors = cal.weekdays.factor if cal.weekdays is not None else {}
    by_day = {d: max(min(cal.head_count, eff * f), 1e-3) for d, f in factors.items()}
    n = int(np.ceil(max([eff, *by_day.values()])))
    lo, hi = _open_span(cal)
    shift: dict[str, Any] = {"count": n, "hours": _slices(eff, n, lo, hi)}
    if by_day:
        shift["hours_by_weekday"] = {d: _slices(e, n, lo, hi) for d, e in by_day.items()}
    return shift


def _slices(eff: float, n: int, lo: int, hi: int) -> list[str]:
    """Each of ``n`` officers on duty for ``eff / n`` of the open minutes ``lo``-``hi``, in
    slices of about an hour spread evenly over the day (so the day's completions spread as
    in the log)."""
    on = (hi - lo) * eff / n
    k = max(1, min(round(on / 60), (hi - lo) // 60))
    step = (hi - lo) / k
    out = []
    for i in range(k):
        s = lo + round(i * step)
        e = min(hi, s + max(1, round(on / k)))
        out.append(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}")
    return out


def _slice_note(cal: EventCalibration) -> str:
    eff = cal.head_count * cal.availability
    return (
        f"effective capacity {eff:.3f} officers = head count {cal.head_count} x availability "
        f"{cal.availability:.4f} (log: present on {cal.availability_log:.3f} of working days; "
        f"refined by simulation to the wait before the first task), spent every working day "
        f"as a share of the open hours"
        + (
            f" (the mean day; hours_by_weekday: each weekday's {cal.weekdays.note()})"
            if cal.weekdays is not None
            else ""
        )
    )


def _absence(cal: EventCalibration) -> Note:
    a = min(max(cal.availability, 1e-3), 1.0)
    return Note(
        {"daily_prob": round(1 - a, 5), "mean_days": round(max(cal.spell_days, 1.0), 2)},
        f"present for this process on {a:.3f} of working days (log: {cal.availability_log:.3f} "
        f"days with a completion; refined by simulation to the wait before the first task), "
        f"in spells of {cal.spell_days:.1f} working days as in the log",
    )


def refine_availability(cal: EventCalibration, rounds: int, seed: int, reps: int = 16) -> None:
    """Bisect the availability (log scale) until the simulated median wait before the first
    task (the mean over ``reps`` replications of each one's median, as the fit report
    shows it) matches the log's: more availability, shorter waits. Every round runs the
    same replications (common random numbers), so the bisection follows the availability,
    not the noise. A wait of weeks needs a pool close to saturation, so the search starts
    between saturation (utilisation 1: after the run-in the backlog only grows) and
    utilisation 0.7, widening to the log's availability if need be. Such a pool varies
    much from run to run (one run's median wait over a factor of 5), hence the
    replications."""
    target = cal.target_first_wait_days
    if rounds <= 0 or target <= 0:
        return
    top = min(1.0, max(cal.availability_log, 0.05))
    crit = cal.critical_availability()
    # Capacity spent every day (``availability_as: hours``) queues regularly: a wait of
    # weeks needs the pool somewhat past saturation, so its search reaches utilisation 1.15.
    over = 1.15 if cal.logmap.availability_as == "hours" else 1.0
    lo, hi = min(crit / over, top), min(top, crit / 0.7)

    def wait_at(a: float) -> tuple[float, float]:
        """Mean of the replications' medians and its 95 % half-width."""
        cal.availability = a
        _set_presence(cal)
        scenario = cal.scenario()
        medians = np.array(
            [
                np.median(first_task_wait_days(simulated_events(scenario, seed + r)))
                for r in range(reps)
            ]
        )
        cal.simulated_days += reps * (scenario.horizon.days + scenario.horizon.drain_days)
        wait = float(np.nanmean(medians)) if len(medians) else float("inf")
        cal.refinement.append((a, wait))
        ok = medians[np.isfinite(medians)]
        half = (
            float(stats.t.ppf(0.975, len(ok) - 1) * ok.std(ddof=1) / np.sqrt(len(ok)))
            if len(ok) > 1
            else 0.0
        )
        return wait, half

    for k in range(rounds):
        a = float(np.sqrt(lo * hi)) if k else hi
        wait, half = wait_at(a)
        if k == 0 and wait >= target:
            if hi >= top:
                return  # even the log's availability waits too long: keep it
            lo, hi = hi, top  # widen towards the log's availability
            continue
        if abs(wait - target) <= half:
            cal.settled = True
            return  # within the noise of the replications: more rounds buy nothing
        if wait > target:
            lo = a
        else:
            hi = a
    cal.availability = float(np.sqrt(lo * hi))
    _set_presence(cal)

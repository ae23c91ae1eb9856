"""From a ticket log (and optionally an event log) to a scenario that documents itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from simlib.calibrate.arrivals import ArrivalFit, fit_arrivals, fresh_weights, mark_redials
from simlib.calibrate.balking import BalkingFit, fit_balking
from simlib.calibrate.booking import BookingFit, fit_bookings
from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.fitting import PatienceFit, ServiceFit, censored_fit, fit_service
from simlib.calibrate.logmap import LogMap, load_map, read_ticket_log
from simlib.calibrate.staffing import (
    Staffing,
    fit_staffing,
    hour_ranges,
    service_pace,
    shifts_from_counts,
)
from simlib.calibrate.yamlout import Note, dump, plain
from simlib.scenario.model import WEEKDAYS

if TYPE_CHECKING:
    from simlib.experiment.core import Progress

__all__ = ["Calibration", "calibrate"]

POOL = "officers"


@dataclass
class Calibration:
    """Everything fitted, the scenario (with its notes) and the log it came from."""

    logmap: LogMap
    tickets: pd.DataFrame
    arrivals: list[ArrivalFit]
    staffing: Staffing
    service: dict[str, ServiceFit]
    patience: PatienceFit
    redials: dict[str, float]
    data: dict[str, Any]  # the scenario, values wrapped in Notes
    chains: Any = None  # from an event log (simlib.calibrate.events)
    notes: list[str] = field(default_factory=list)
    patience_by_level: dict[int, PatienceFit] = field(default_factory=dict)
    groups: dict[tuple[int, ...], int] = field(default_factory=dict)
    main_group: int = 0
    refinement: list[float] = field(default_factory=list)
    ahead: bool = True  # higher priority levels called first (else one FIFO queue)
    settled: dict[float, dict[str, float]] = field(default_factory=dict)  # scale -> errors
    ahead_note: str = ""
    bookings: dict[str, BookingFit] = field(default_factory=dict)  # matters with appointments
    balking: BalkingFit | None = None  # when the log records people who looked and left

    def levels(self) -> dict[str, int]:
        """Each matter's priority level in the log (the scenario's ``priority`` is 0 for all
        when the levels are not served ahead)."""
        t = self.tickets
        return {str(k): int(v) for k, v in t.groupby("matter")["level"].first().items()}

    def rebuild(self) -> None:
        """The scenario again from the fits (after officers were refined)."""
        self.data = _scenario(self, self.groups, self.main_group)
        if self.chains is not None:
            t = self.tickets
            self.chains.apply(self.data, dict(zip(t["matter"], t["type"], strict=True)))

    def yaml(self) -> str:
        return dump(self.data, self.header())

    def scenario(self):
        from simlib.files import scenario_from_dict

        return scenario_from_dict(plain(self.data))

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.yaml())
        return path

    def header(self) -> str:
        t, s = self.tickets, self.staffing
        start = t.attrs["start_date"]
        lines = [
            f"Calibrated by `simlib calibrate` from {Path(t.attrs['source']).name}",
            f"({len(t)} tickets, {start} + {t.attrs['days']} days; map: {self.logmap.calibrate}).",
            "Every fitted number carries its source: n observations, family, test p-value.",
            "",
            "Officers: effective availability by weekday x hour = mean officers busy while",
            "someone waited (present officers also do after-call work and other duties);",
            f"overall {s.availability:.2f} of those present. The shifts then hold them refined",
            f"by {len(self.refinement)} round(s) of simulation, so that the calls served per "
            "weekday x hour",
            "match the log (mean |log/simulated - 1| of served calls by round: "
            + (", ".join(f"{x:.1%}" for x in self.refinement) or "none")
            + ").",
        ]
        if self.settled:
            scored = [k for k in self.settled if np.isfinite(self.settled[k]["loss"])]
            best = min(scored, key=lambda k: self.settled[k]["loss"]) if scored else 1.0
            lines += [
                "Then all officers scaled by one factor from a grid, the one whose busy-hours",
                "mean wait of served, share who gave up and share called within 1 min are",
                "jointly nearest the log (relative errors wait/gave up/within 1 min; 'not",
                "known' where the log's value is 0 or missing, left out of the choice):",
            ]
            for k, e in self.settled.items():
                mark = " <- kept" if k == best else ""
                errs = " / ".join(
                    _rel(e[m]) for m in ("wait_served_min", "gave_up_share", "service_level")
                )
                lines.append(f"  x{k:.2f}: {errs}{mark}")
        lines.append("Present / effective / as simulated, by hour:")
        sim = s.simulated if s.simulated is not None else s.effective
        for w in s.effective.index:
            hrs = [h for h in range(24) if s.effective.loc[w, h] > 0]
            cells = " ".join(
                f"{h:02d}:{s.present.loc[w, h]:.1f}/{s.effective.loc[w, h]:.1f}/{sim.loc[w, h]:.1f}"
                for h in hrs
            )
            lines.append(f"  {WEEKDAYS[w]} {cells}")
        if s.speed is not None:
            pace = " ".join(f"{h:02d}:{v:.2f}" for h, v in s.speed.items() if v != 1.0)
            lines += [
                "Service pace by hour (the matters' mean service / observed, calls served in",
                "the hour; one reason why the refinement is needed):",
                f"  {pace}",
            ]
        lines += [f"Note: {n}" for n in self.notes]
        issues = t.attrs.get("issues")
        if issues is not None and issues.items:
            counts = ", ".join(f"{n} {k}" for k, n in issues.counts().items())
            rows = ", ".join(str(r) for r in sorted({i.row for i in issues.items})[:20])
            lines.append(f"Rows skipped as bad ({counts}): {rows} (see the fit report)")
        return "\n".join(lines)


def _round(x: float, digits: int = 4) -> float:
    return float(round(x, digits))


def calibrate(
    ticket_log: str | Path,
    logmap: str | Path | LogMap,
    events: str | Path | None = None,
    seed: int = 0,
    refine_rounds: int | None = None,
    executor=None,
    on_progress: Progress | None = None,
) -> Calibration:
    """Fit a hall from ``ticket_log`` read through ``logmap`` (and its chains from an event
    log, if given). Officers are then refined by ``refine_rounds`` rounds of simulation
    (default: the map's), see :mod:`simlib.calibrate.capacity`; ``on_progress(done, total,
    failed)`` hears of each batch of those runs."""
    m = logmap if isinstance(logmap, LogMap) else load_map(logmap)
    if not isinstance(m, LogMap):
        raise CalibrationError(f"{logmap}: this map is for an event log, not a ticket log")
    t = read_ticket_log(ticket_log, m)
    redials = mark_redials(t, m.redial_window_min)
    weights = fresh_weights(t)
    # The return probability that regenerates the redials taken out of the arrivals: all
    # of them (unidentified ones in expectation) per applicant who gave up.
    redials["identified_return_prob"] = redials["return_prob"]
    n_gave = int(t["gave_up"].sum())
    redials["return_prob"] = float((len(t) - weights.sum()) / n_gave) if n_gave else 0.0
    staff = fit_staffing(t)
    staff.speed = service_pace(t)
    staff.simulated = staff.effective.copy()
    if not staff.open_hours:
        raise CalibrationError(f"{ticket_log}: no served ticket, so no opening hours to fit")
    groups: dict[tuple[int, ...], int] = {}
    for hours in staff.open_hours.values():
        groups.setdefault(tuple(hours), len(groups))
    wd_group = {w: groups[tuple(h)] for w, h in staff.open_hours.items()}
    day_wd = staff.day_weekday
    open_days = np.array(
        [d not in staff.holidays and day_wd[d] in wd_group for d in range(len(day_wd))]
    )
    day_group = np.array([wd_group.get(int(w), -1) for w in day_wd])
    counts = {g: int(np.sum(day_group[open_days] == g)) for g in groups.values()}
    main = max(counts, key=lambda g: counts[g])
    arrivals = fit_arrivals(t, weights, day_wd, day_group, open_days, main)
    service = {}
    for i, (matter, g) in enumerate(t[t["served"]].groupby("matter")):
        service[str(matter)] = fit_service(g["service"].to_numpy(), seed=seed + i)
    patience = censored_fit(t["wait"].to_numpy(), t["gave_up"].to_numpy())
    cal = Calibration(m, t, arrivals, staff, service, patience, redials, {})
    if t["level"].nunique() > 1 and patience.observed:  # classes differ in patience
        for level, g in t.groupby("level"):
            cal.patience_by_level[int(level)] = censored_fit(
                g["wait"].to_numpy(), g["gave_up"].to_numpy()
            )
    cal.groups, cal.main_group = groups, main
    cal.ahead, cal.ahead_note = served_ahead(t, m.priority.served_ahead)
    cal.bookings = fit_bookings(t)
    cal.balking = fit_balking(t)
    cal.data = _scenario(cal, groups, main)
    if events is not None:
        from simlib.calibrate.events import fit_chains
        from simlib.scenario.model import Calendar
        from simlib.timekeeping import HallCalendar

        days = int(t.attrs["days"]) + 60  # steps run on after the log's last day
        hall_cal = HallCalendar(Calendar.model_validate(plain(cal.data["calendar"])), days)
        cal.chains = fit_chains(events, hall_cal.open.working_minutes_array)
        type_of = dict(zip(t["matter"], t["type"], strict=True))
        cal.chains.apply(cal.data, type_of)
    rounds = m.refine_rounds if refine_rounds is None else refine_rounds
    if rounds > 0:
        from simlib.calibrate.capacity import refine_capacity

        cal.refinement = refine_capacity(
            cal, rounds=rounds, seed=seed + 11, executor=executor, on_progress=on_progress
        )
        if m.settle_scale:
            from simlib.calibrate.capacity import settle_scale

            cal.settled = settle_scale(
                cal, seed=seed + 17, executor=executor, on_progress=on_progress
            )
    return cal


def _rel(error: float) -> str:
    """A relative error for the notes; NaN is "not known", never a number."""
    return f"{error:+.1%}" if np.isfinite(error) else "not known"


def _dist_note(fit: ServiceFit) -> Note:
    b = fit.best
    aic = ", ".join(f"{c.family} {c.aic:.0f}" for c in fit.candidates)
    text = (
        f"n={fit.n} ({fit.n_zero} zero); sample mean {fit.sample_mean:.3g} min, cv "
        f"{fit.sample_cv:.2f}; AIC: {aic}; best {b.family} (mean {b.mean:.3g}), "
        f"AD p={fit.gof_p:.3f} on {fit.gof_n}"
    )
    if fit.use_empirical:
        text += f"; {fit.reason}"
    return Note(fit.spec, text)


def served_ahead(t: pd.DataFrame, given: bool | None) -> tuple[bool, str]:
    """Whether the log's higher priority levels were called first: as ``given`` by the map,
    or (None) when the top level's served waits are clearly shorter than the others' (mean
    at most 0.8 of theirs and a one-sided Welch t-test p < 0.01; the means, since waits
    have a mass at zero that rank tests misread). A log whose levels wait
    alike was not served by priority, whatever its codes say: simulated as served ahead,
    the top level would be called at once and the others wait longer (too many called
    within the target, too long a tail)."""
    levels = sorted(t["level"].unique())
    if len(levels) < 2:
        return True, "one priority level"
    served = t[t["served"] & t["wait"].notna()]
    top = served.loc[served["level"] == levels[-1], "wait"].to_numpy()
    rest = served.loc[served["level"] != levels[-1], "wait"].to_numpy()
    if len(top) < 2 or len(rest) < 2:
        return (True if given is None else given), "too few served tickets per level to test"
    ratio = float(top.mean() / rest.mean()) if rest.mean() > 0 else 1.0
    p = float(stats.ttest_ind(top, rest, equal_var=False, alternative="less").pvalue)
    seen = ratio <= 0.8 and p < 0.01
    text = (
        f"in the log level {levels[-1]} waited {top.mean():.2f} min when served, the others "
        f"{rest.mean():.2f} (ratio {ratio:.2f}, Welch one-sided p={p:.3g}): "
        + ("called first" if seen else "not called first")
    )
    if given is None:
        return seen, text + " (map: served_ahead from the log)"
    return given, text + f" (map: served_ahead {str(given).lower()})"


def _day_factor(a: ArrivalFit) -> Note | None:
    """A random daily rate where the dispersion test rejects Poisson and the daily counts
    show excess variance (method of moments, see :mod:`simlib.calibrate.arrivals`)."""
    cv = min(_round(a.day_cv, 3), 3.0)
    if not a.poisson_rejected or cv <= 0:
        return None
    return Note(
        {"dist": "gamma", "cv": cv},
        f"Poisson rejected across weeks (X2/df={a.dispersion:.2f}): each day's rate times a "
        f"Gamma factor of mean 1; cv by the method of moments on daily counts per weekday "
        f"(variance = mean + mean^2 cv^2, {a.day_cv_df} df: a rough estimate on few weeks)",
    )


def persons_note(staff: Staffing) -> str:
    """Effective officers beside the head count, so that "+1 officer" can be read as a
    person: the simulated officers are effective ones (busy while someone waited, refined
    by simulation), fewer than the persons present."""
    sim = staff.simulated if staff.simulated is not None else staff.effective
    open_cells = staff.effective > 0
    present = float(staff.present.where(open_cells).sum().sum())
    effective = float(sim.where(open_cells).sum().sum())
    per_person = effective / present if present > 0 else 1.0
    return (
        f"officers here are EFFECTIVE officers (busy while someone waited, refined by "
        f"simulation), not persons: {effective:.0f} effective vs {present:.0f} present "
        f"officer-hours a week in the log (head count {staff.n_officers} distinct officers; "
        f"present and effective by hour in the header), {per_person:.2f} effective officer "
        f"per person present; so +1 person present is about +{per_person:.2f} officer here, "
        f"and +1 officer here about {1 / per_person if per_person > 0 else 1:.2f} persons"
    )


def _km(median: float) -> str:
    return f"{median:.2f}" if median == median else "not reached in the longest wait"


def _patience_note(p: PatienceFit, who: str) -> Note:
    aic = ", ".join(f"{c.family} {c.aic:.0f}" for c in p.candidates)
    return Note(
        p.best.spec(),
        f"censored ML, {who}: n={p.n} waits, {p.n_gave_up} gave up; AIC: {aic}; median "
        f"{p.median:.2f} min (Kaplan-Meier {_km(p.km_median)}; naive mean of those who gave "
        f"up {p.naive_mean:.2f}, biased)",
    )


def _scenario(cal: Calibration, groups: dict[tuple[int, ...], int], main: int) -> dict:
    t, staff = cal.tickets, cal.staffing
    start: dt.date = t.attrs["start_date"]
    main_hours = next(h for h, g in groups.items() if g == main)
    workdays = [WEEKDAYS[w] for w in sorted(staff.open_hours)]
    by_weekday = {
        WEEKDAYS[w]: hour_ranges(h)
        for w, h in sorted(staff.open_hours.items())
        if tuple(h) != main_hours
    }
    calendar: dict[str, Any] = {
        "workdays": Note(workdays, "weekdays with services in the log"),
        "hours": Note(
            hour_ranges(list(main_hours)),
            "hours in which tickets were issued on at least half of the dates",
        ),
    }
    if by_weekday:
        calendar["hours_by_weekday"] = Note(by_weekday, "weekdays with other hours, same rule")
    calendar["start_date"] = Note(start.isoformat(), "first day of the log")
    if staff.holidays:
        calendar["holidays"] = Note(
            [(start + dt.timedelta(days=d)).isoformat() for d in staff.holidays],
            "days with under a tenth of their weekday's usual tickets",
        )
    day_minutes = 60.0 * len(main_hours)
    r = cal.redials
    p = cal.patience
    hall = {
        "at_close": "serve_all",
        "patience": _patience_note(p, "all tickets")
        if p.observed
        else Note(None, f"only {p.n_gave_up} of {p.n} gave up: no patience fitted"),
        "renege_return_prob": Note(
            _round(r["return_prob"], 3),
            f"redials per applicant who gave up: {r['n_redials']} of "
            f"{r['n_gave_up_identified']} identified ones came back within "
            f"{cal.logmap.redial_window_min:g} min ({r['identified_return_prob']:.3f}); with "
            "unidentified ones at the same rate by hour, the redials taken out of arrivals",
        ),
        "return_delay_days": Note(
            {"dist": "exponential", "mean": _round(r["mean_delay_min"] / day_minutes, 5)},
            f"mean redial delay {r['mean_delay_min']:.1f} min in working days of "
            f"{day_minutes:.0f} min",
        ),
    }
    if cal.balking is not None:
        hall["balking"] = cal.balking.keys()
    shifts = shifts_from_counts(staff.simulated)
    pools = {POOL: {"shifts": Note(shifts, persons_note(staff))}}
    matters = []
    names = cal.logmap.priority.names
    for a in sorted(cal.arrivals, key=lambda a: -a.n_tickets):
        sub = t[t["matter"] == a.matter]
        level = int(sub["level"].iloc[0])
        kinds = ", ".join(sorted(sub["type"].unique()))
        pois = "Poisson rejected (overdispersed)" if a.poisson_rejected else "Poisson not rejected"
        balked = cal.balking.per_matter.get(a.matter, 0) if cal.balking else 0
        arrivals: dict[str, Any] = {
            "per_day": Note(
                _round(a.per_day * (1 + balked / max(a.n_tickets, 1)), 2),
                f"ML: fresh tickets per main-hours day, n={a.n_tickets} tickets on "
                f"{a.n_days} days (redials removed)"
                + (f", plus {balked} who looked and left" if balked else ""),
            ),
            "profile": Note(
                {f"{h:02d}": _round(v) for h, v in sorted(a.profile.items()) if h in main_hours},
                f"ML hour shares (open hours; a stray night ticket goes to them); vs free "
                f"weekday x hour rates LR p={a.lr_p:.3f}; across weeks X2/df={a.dispersion:.2f} "
                f"p={a.dispersion_p:.3f}: {pois}",
            ),
            "weekday_factors": Note(
                {WEEKDAYS[w]: _round(f) for w, f in sorted(a.weekday_factors.items())},
                "ML: mean daily tickets of the weekday / per_day",
            ),
        }
        spread = _day_factor(a) if cal.logmap.day_factor else None
        if spread is not None:
            arrivals["day_factor"] = spread
        if a.profile_by_weekday:
            arrivals["profile_by_weekday"] = Note(
                {
                    WEEKDAYS[w]: {
                        f"{h:02d}": _round(v)
                        for h, v in sorted(p.items())
                        if h in staff.open_hours.get(w, [])
                    }
                    for w, p in a.profile_by_weekday.items()
                },
                "ML hour shares of weekdays with their own hours",
            )
        fit = cal.service.get(a.matter)
        time = (
            _dist_note(fit)
            if fit is not None
            else Note({"dist": "exponential", "mean": 1.0}, "no served ticket: illustrative")
        )
        matter = {
            "id": a.matter,
            "name": f"{kinds} ({names.get(level, f'priority {level}')})",
            "priority": Note(
                level if cal.ahead else 0,
                f"log priority level {level}; {len(sub)} tickets; "
                + ("higher levels called first: " if cal.ahead else "one FIFO queue: ")
                + cal.ahead_note,
            ),
            "arrivals": arrivals,
            "acceptance": {"pool": POOL, "time": time},
        }
        if a.matter in cal.bookings:
            matter["appointments"] = cal.bookings[a.matter].keys()
        if level in cal.patience_by_level and cal.patience_by_level[level].observed:
            matter["patience"] = _patience_note(
                cal.patience_by_level[level], f"priority level {level}"
            )
        matters.append(matter)
    data: dict[str, Any] = {
        "name": cal.logmap.name,
        "description": f"fitted from {Path(t.attrs['source']).name} by simlib calibrate",
        "seed": 1,
        "horizon": Note(
            {"days": int(t.attrs["days"]), "warmup_days": 0}, "the days the log covers"
        ),
        "calendar": calendar,
        "hall": hall,
        "pools": pools,
        "matters": matters,
    }
    return data

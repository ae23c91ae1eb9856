"""``simlib calibrate EVENTLOG --map MAP --out SCENARIO.yaml [--report DIR] [--holdout 25%]``
for an event-log map, and ``simlib fidelity REAL SIMULATED --map MAP [--json]``.

The fit is judged by simulating the calibrated scenario over the log's receipt period and
comparing the simulated event log with the real one: the log-distance measures beside
their noise floor, and the planner's measures with 95 % intervals; with ``--holdout``, on
the held-out later cases too (the scenario simulated on over their period).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.eventcal import EventCalibration, calibrate_events, simulated_events
from simlib.calibrate.eventmap import EventMap, read_events
from simlib.calibrate.fidelity import (
    MEASURES,
    Estimate,
    log_distances,
    noise_floor,
    planner_measures,
)
from simlib.calibrate.logmap import load_map
from simlib.calibrate.yamlout import plain

__all__ = ["add_fidelity_parser", "fidelity_table", "run_event_calibration", "run_fidelity"]


def tidy_simulated(log: pd.DataFrame, time_limit_days: float | None = None) -> pd.DataFrame:
    """A log written by ``simlib run --events`` as the tidy table of the measures; with a
    time limit (working days, Mon-Fri), each case's deadline from its submission."""
    out = pd.DataFrame(
        {
            "case": log["case:concept:name"].astype(str),
            "activity": log["concept:name"].astype(str),
            "end": pd.to_datetime(log["time:timestamp"]),
            "received": pd.to_datetime(log["case:submitted"]),
        }
    )
    out = out[~out["activity"].isin(["acceptance", "collection"])]
    if time_limit_days is not None:
        days = out["received"].values.astype("datetime64[D]")
        due = np.busday_offset(days, round(time_limit_days), roll="forward")
        out["deadline"] = pd.to_datetime(due) + pd.Timedelta(hours=23, minutes=59)
    else:
        out["deadline"] = pd.NaT
    return out.reset_index(drop=True)


LOG_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "case:submitted")


def simulated_log_row(scenario: Any, seed: int) -> dict[str, Any]:
    """The run core's measure for the fit report: one replication's event log as columns of
    text (JSON, so that the run store and ``--cache`` keep it like any other row)."""
    log = simulated_events(scenario, seed)
    return {c: log[c].astype(str).tolist() for c in LOG_COLUMNS}


def _sim_logs(scenario: Any, reps: int, seed: int, limit: float | None) -> list[pd.DataFrame]:
    """``reps`` simulated logs of ``scenario``, replication r with the run core's seed
    ``replication_seed(seed, r)``; a failed run is an error, not a missing replication."""
    from simlib.experiment.core import Job, evaluate, replication_seed

    jobs = [Job(scenario, replication_seed(seed, r), {"replication": r}) for r in range(reps)]
    rows = sorted(evaluate(jobs, run=simulated_log_row), key=lambda row: row["replication"])
    failed = [row["error"] for row in rows if row["error"] is not None]
    if failed:
        raise CalibrationError(f"the calibrated scenario could not be simulated: {failed[0]}")
    return [tidy_simulated(_log_of(row), limit) for row in rows]


def _log_of(row: dict[str, Any]) -> pd.DataFrame:
    """The event log of a :func:`simulated_log_row` (times back to nanosecond datetimes)."""
    log = pd.DataFrame({c: row[c] for c in LOG_COLUMNS})
    for c in ("time:timestamp", "case:submitted"):
        log[c] = pd.to_datetime(log[c]).astype("datetime64[ns]")
    return log


def _extended(cal: EventCalibration) -> Any:
    """The scenario simulated on over the held-out receipts (same fit, longer horizon)."""
    assert cal.holdout is not None
    data = plain(cal.data)
    start = pd.Timestamp(data["calendar"]["start_date"])
    last = cal.holdout["received"].max().normalize()
    data["horizon"]["days"] = int((last - start).days) + 1
    data["horizon"]["drain_days"] = max(1, int((cal.holdout["end"].max() - last).days))
    from simlib.files import scenario_from_dict

    return scenario_from_dict(data)


def fidelity_table(
    real: pd.DataFrame,
    sims: list[pd.DataFrame],
    activities: list[str],
    reps_boot: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """Log distances (mean over the simulated logs) with the real log's noise floor, and
    the planner's measures real vs simulated (simulated logs pooled)."""
    dist = [log_distances(real, s) for s in sims]
    mean = {k: float(np.nanmean([d[k] for d in dist])) for k in MEASURES}
    floor = noise_floor(real, seed)
    pooled = pd.concat(
        [s.assign(case=f"{i}:" + s["case"]) for i, s in enumerate(sims)], ignore_index=True
    )
    pr = planner_measures(real, activities, reps_boot, seed)
    ps = _across_replications([planner_measures(s, activities, 0, seed) for s in sims])
    return {
        "cases": {"real": int(real["case"].nunique()), "simulated": int(pooled["case"].nunique())},
        "distances": {
            k: {
                "label": MEASURES[k],
                "simulated": mean[k],
                "floor_time": floor["time"][k],
                "floor_random": floor["random"][k],
                "ratio_to_floor": mean[k] / max(floor["time"][k], floor["random"][k], 1e-12),
            }
            for k in MEASURES
        },
        "planner": {k: {"real": _est(pr[k]), "simulated": _est(ps.get(k))} for k in pr},
    }


def _across_replications(per_rep: list[dict[str, Estimate]]) -> dict[str, Estimate]:
    """Each measure's mean over the replications with its 95 % t-interval: runs of a pool
    near saturation differ much more than the cases within one run suggest."""
    from scipy import stats

    out = {}
    for k in per_rep[0]:
        x = np.array([p[k].value for p in per_rep], dtype=float)
        x = x[np.isfinite(x)]
        if len(x) == 0:
            continue
        m = float(x.mean())
        half = (
            float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
            if len(x) > 1
            else float("nan")
        )
        lo, hi = m - half, m + half
        if "share" in k:  # a share's interval stays within [0, 1]
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        out[k] = Estimate(m, lo, hi)
    return out


def _est(e: Estimate | None) -> dict[str, float] | None:
    return None if e is None else {"value": e.value, "lo": e.lo, "hi": e.hi}


def _fmt(x: float | None) -> str:
    if x is None or x != x:
        return "-"
    return f"{x:.3g}"


def fidelity_text(table: dict[str, Any], title: str) -> str:
    lines = [
        f"{title}: {table['cases']['real']} real cases, {table['cases']['simulated']} simulated",
        f"  {'log distance':36s} {'simulated':>10s} {'floor(time)':>12s} {'floor(rand)':>12s} "
        f"{'x floor':>8s}",
    ]
    for d in table["distances"].values():
        lines.append(
            f"  {d['label']:36s} {_fmt(d['simulated']):>10s} {_fmt(d['floor_time']):>12s} "
            f"{_fmt(d['floor_random']):>12s} {_fmt(d['ratio_to_floor']):>8s}"
        )
    lines.append(f"  {'planner measure':36s} {'real [95% CI]':>24s} {'simulated [95% CI]':>24s}")
    for k, d in table["planner"].items():
        r, s = d["real"], d["simulated"]

        def ci(e: Any) -> str:
            return "-" if e is None else f"{_fmt(e['value'])} [{_fmt(e['lo'])}, {_fmt(e['hi'])}]"

        lines.append(f"  {k[:36]:36s} {ci(r):>24s} {ci(s):>24s}")
    return "\n".join(lines)


def _main_activities(real: pd.DataFrame, share: float = 0.05) -> list[str]:
    per = real.groupby("activity")["case"].nunique() / real["case"].nunique()
    return sorted(per[per >= share].index)


def run_event_calibration(args: argparse.Namespace, logmap: EventMap, t0: float) -> int:
    from simlib.files import load_scenario

    cal = calibrate_events(args.ticketlog, logmap, seed=args.seed, holdout=args.holdout)
    issues = cal.events.attrs.get("issues")
    if issues is not None and issues.items:
        print(f"warning: {issues.summary()}", file=sys.stderr)
    out = cal.write(args.out)
    scenario = load_scenario(out)
    print(
        f"Calibrated the chain of {cal.chain.n_cases} cases ({len(cal.events)} events) in "
        f"{time.perf_counter() - t0:.1f} s: {out}; the chain covers {cal.chain.covered:.0%} "
        f"of the cases; effective back-office capacity {cal.head_count * cal.availability:.2f} "
        f"of {cal.head_count} officers"
    )
    if not args.report:
        return 0
    reps = max(1, min(args.reps, 20))
    limit = scenario.matters[0].time_limit_days
    acts = _main_activities(cal.events)
    sims = _sim_logs(scenario, reps, args.seed, limit)
    tables = {"in-sample": fidelity_table(cal.events, sims, acts)}
    logs = {"in-sample": (cal.events, sims)}
    if cal.holdout is not None:
        ext = _extended(cal)
        cut = cal.holdout["received"].min()
        held = [s[s["received"] >= cut] for s in _sim_logs(ext, reps, args.seed + 500, limit)]
        tables["hold-out"] = fidelity_table(cal.holdout, held, acts, seed=1)
        logs["hold-out"] = (cal.holdout, held)
    from simlib.calibrate.eventreport import write_event_report

    path = write_event_report(cal, tables, logs, args.report)
    (Path(args.report) / "fidelity.json").write_text(json.dumps(tables, indent=1))
    for name, table in tables.items():
        print(fidelity_text(table, name))
    print(f"Fit report: {Path(path).resolve()}")
    return 0


def add_fidelity_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "fidelity",
        help="log-distance measures (Chapela-Campa et al. 2023) and planner measures between "
        "a real and a simulated event log",
    )
    p.add_argument("real", help="the real event log (read through --map)")
    p.add_argument("simulated", help="an event log written by simlib run --events")
    p.add_argument("--map", required=True, metavar="MAP", help="event-log map of the real log")
    p.add_argument("--json", action="store_true", help="print the measures as JSON")
    p.add_argument("--time-limit-days", type=float, help="deadline of simulated cases")
    return p


def run_fidelity(args: argparse.Namespace) -> int:
    from simlib.calibrate.mess import check_log_file

    m = load_map(args.map)
    if not isinstance(m, EventMap):
        raise CalibrationError(f"{args.map}: fidelity needs an event-log map (kind: event log)")
    real = read_events(args.real, m)
    check_log_file(args.simulated, "simulated event log")
    try:
        raw = pd.read_csv(args.simulated, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CalibrationError(f"{args.simulated}: cannot read as CSV ({exc})") from None
    need = ["case:concept:name", "concept:name", "time:timestamp", "case:submitted"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise CalibrationError(
            f"{args.simulated}: lacks column(s) {', '.join(missing)} (simlib run --events "
            f"writes them); it has {', '.join(raw.columns)}"
        )
    sim = tidy_simulated(raw, args.time_limit_days)
    # Compared over the real log's receipt window: a calibrated scenario's run-in (cases
    # received before the log opens) and anything simulated past it are left out.
    first, last = real["received"].min().normalize(), real["received"].max()
    sim = sim[(sim["received"] >= first) & (sim["received"] <= last + pd.Timedelta(days=1))]
    if sim.empty:
        raise CalibrationError(
            f"{args.simulated}: no simulated case was submitted between {first.date()} and "
            f"{last.date()}, the real log's receipt window"
        )
    table = fidelity_table(real, [sim], _main_activities(real))
    if args.json:
        print(json.dumps(table, indent=1))
    else:
        print(fidelity_text(table, f"{Path(args.real).name} vs {Path(args.simulated).name}"))
    return 0

"""``simlib calibrate TICKETLOG --map MAP --out SCENARIO.yaml [--events LOG] [--report DIR]``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib import cli_checks as checks
from simlib.calibrate.errors import CalibrationError
from simlib.calibrate.hall import calibrate
from simlib.commands.common import (
    executor_options,
    json_option,
    json_text,
    opened_executor,
    progress_bar,
)
from simlib.experiment.core import Progress

if TYPE_CHECKING:
    from simlib.calibrate.logmap import LogMap

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "calibrate",
        help="fit a scenario from a ticket log (and an event log), or from an event log "
        "alone (a map with kind: event log); fit report",
    )
    p.add_argument("ticketlog", metavar="LOG", help="ticket log, or event log (by the map)")
    p.add_argument("--map", required=True, metavar="MAP", help="the calibration map (YAML)")
    p.add_argument("--out", required=True, metavar="SCENARIO.yaml", help="scenario to write")
    p.add_argument("--events", metavar="EVENTLOG", help="a process-mining event log (CSV)")
    p.add_argument("--report", metavar="DIR", help="write the fit report (HTML, PNG) here")
    p.add_argument(
        "--reps",
        type=checks.count("--reps", "replications"),
        default=10,
        help="replications of the fit check",
    )
    p.add_argument("--seed", type=checks.seed, default=1, help="seed of the fit check")
    p.add_argument(
        "--holdout",
        metavar="25%|DATE",
        help="fit on the earlier part (event logs: cases received before the last share or "
        "the date; ticket logs: days) and "
        "report every measure on the later ones too",
    )
    executor_options(p)
    json_option(p)
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar of the fit's simulation runs and no notes on the way (warnings "
        "about the log and the results are still written)",
    )
    return p


def batches(tick: Progress) -> Progress:
    """One running count over the batches of runs a calibration makes (refinement rounds,
    the scale grid, the fit checks), each reported by the run core from 0 to its own total."""
    before = [0]  # runs of the batches already finished

    def on_progress(done: int, total: int, failed: int = 0) -> None:
        tick(before[0] + done, before[0] + total, failed)
        if done >= total:  # the next batch counts from 0 again
            before[0] += total

    return on_progress


def run(args: argparse.Namespace) -> int:
    """Calibrate, write and re-load the scenario, and (with --report) check it by simulation.
    With ``--json`` what is said on the way goes to stderr and stdout gets one JSON object."""
    t0 = time.perf_counter()
    info: dict[str, Any] = {"scenario": str(args.out)}
    bar, tick = progress_bar(not args.quiet, 0, "calibration runs")
    args.on_progress = batches(tick)
    try:
        with opened_executor(args) as executor:
            if not args.json:
                return _run(args, executor, t0, info)
            with contextlib.redirect_stdout(sys.stderr):
                status = _run(args, executor, t0, info)
    finally:
        if bar is not None:
            bar.close()
    info["seconds"] = time.perf_counter() - t0
    print(json_text(info))
    return status


def writable_target(path: str | Path, what: str, folder: bool = False) -> None:
    """Refuse, before any fitting, an output path that cannot be written: its nearest
    existing ancestor is not a writable folder, or it exists as the wrong kind of thing."""
    p = Path(path)
    if p.exists() and p.is_dir() != folder:
        kind = "a folder" if p.is_dir() else "a file"
        raise CalibrationError(f"{path}: {what} is {kind}; give a {'folder' if folder else 'file'}")
    parent = p if folder and p.exists() else p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise CalibrationError(f"{path}: cannot write the {what}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CalibrationError(
            f"{path}: cannot write the {what}: no permission to write in {parent}"
        )


def _run(
    args: argparse.Namespace, executor: Executor | None, t0: float, info: dict[str, Any]
) -> int:
    from simlib.calibrate.logmap import load_map

    writable_target(args.out, "scenario (--out)")
    if args.report:
        writable_target(args.report, "fit report (--report)", folder=True)
    logmap = load_map(args.map)
    if getattr(logmap, "kind", None) == "event log":
        from simlib.calibrate.eventcommand import run_event_calibration

        info["log"] = "event log"
        return run_event_calibration(args, logmap, t0)
    if not args.holdout:
        return _ticket_log(args, logmap, args.ticketlog, None, "", executor, t0, info)
    import tempfile

    from simlib.calibrate.holdout import split_ticket_log

    # The two halves are scratch files: gone when the command ends, however it ends.
    with tempfile.TemporaryDirectory(prefix="simlib-holdout-") as folder:
        log_path, held_path, held_days = split_ticket_log(
            args.ticketlog, logmap, args.holdout, Path(folder)
        )
        if not args.quiet:
            print(f"Hold-out: days {held_days} are not fitted", file=sys.stderr)
        return _ticket_log(args, logmap, log_path, held_path, held_days, executor, t0, info)


def _ticket_log(
    args: argparse.Namespace,
    logmap: LogMap,
    log_path: str | Path,
    held_path: Path | None,
    held_days: str,
    executor: Executor | None,
    t0: float,
    info: dict[str, Any],
) -> int:
    """Fit the hall from the ticket log at ``log_path``; check the fit on it and, with a
    hold-out, on the held-out days at ``held_path``."""
    from simlib.calibrate.logmap import read_ticket_log
    from simlib.files import load_scenario

    cal = calibrate(
        log_path, args.map, events=args.events, executor=executor, on_progress=args.on_progress
    )
    issues = cal.tickets.attrs.get("issues")
    if issues is not None and issues.items:
        print(f"warning: {issues.summary()}", file=sys.stderr)
    out = cal.write(args.out)
    scenario = load_scenario(out)  # the file must validate as written
    n = len(cal.tickets)
    info.update(
        log="ticket log",
        matters=len(scenario.matters),
        tickets=n,
        days=cal.tickets.attrs["days"],
    )
    print(
        f"Calibrated {len(scenario.matters)} matter(s) from {n} tickets over "
        f"{cal.tickets.attrs['days']} days in {time.perf_counter() - t0:.1f} s: {out}"
    )
    if args.report:
        from simlib.calibrate.check import check_fit
        from simlib.calibrate.report import write_fit_report

        lo, hi = cal.logmap.busy_hours
        check = check_fit(
            scenario,
            cal.tickets,
            reps=args.reps,
            seed=args.seed,
            busy_hours=(lo, hi),
            executor=executor,
            levels=cal.levels(),
            on_progress=args.on_progress,
        )
        path = write_fit_report(cal, check, args.report)
        s = check.summary()
        info.update(fit_check=dict(s), report=str(Path(path).resolve()))
        print(
            f"Fit check ({args.reps} reps): tickets/day {s['tickets_per_day_rel_error']:+.1%}; "
            f"busy hours {lo}-{hi}: mean wait of served {s['wait_served_min_rel_error']:+.1%}, "
            f"gave up {s['gave_up_share_rel_error']:+.1%}, served within 1 min "
            f"{s['service_level_rel_error']:+.1%}; hours within 25 %: wait "
            f"{s['wait_served_min_hours_within_25pct']:.0%}, gave up "
            f"{s['gave_up_share_hours_within_25pct']:.0%}"
        )
        print(f"Fit report: {Path(path).resolve()}")
        if held_path is not None:
            held = read_ticket_log(held_path, logmap)
            check = check_fit(
                scenario,
                held,
                reps=args.reps,
                seed=args.seed + 1,
                busy_hours=(lo, hi),
                executor=executor,
                levels=cal.levels(),
                on_progress=args.on_progress,
            )
            hpath = write_fit_report(
                cal, check, Path(args.report) / "holdout", charts_of_cal=args.report
            )
            s = check.summary()
            info.update(holdout_days=held_days, holdout_check=dict(s))
            print(
                f"Hold-out check, days {held_days} (the fitted hall, simulated over the "
                f"fitted days, against the held-out days' averages): tickets/day "
                f"{s['tickets_per_day_rel_error']:+.1%}; busy hours: mean wait of served "
                f"{s['wait_served_min_rel_error']:+.1%}, gave up "
                f"{s['gave_up_share_rel_error']:+.1%}"
            )
            print(f"Hold-out report: {Path(hpath).resolve()}")
    return 0

"""``simlib demo``: the demo hall's KPIs, then a short green approval study."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.commands.common import (
    DATA,
    demo_scenario,
    run_options,
)
from simlib.commands.compare import cmd_compare
from simlib.commands.run import run_and_report

DEMO_DAYS, DEMO_WARMUP = 28, 7


def cmd_demo(args: argparse.Namespace) -> int:
    if args.study_days <= DEMO_WARMUP:
        raise UsageError(
            f"--study-days must be more than the study's {DEMO_WARMUP} warm-up days; "
            f"got {args.study_days}"
        )
    out = checks.check_out_dir(args.out or "simlib-demo")
    scenario = demo_scenario()
    seed = scenario.seed if args.seed is None else args.seed  # decided here, once
    if args.json:
        return run_and_report(scenario, args, seed)
    print(
        "simlib demo, part 1: the built-in demo hall, small enough to read in one screen (two "
        "departments, a chain with a parallel fire/environment review), so that every KPI below "
        f"can be checked by hand; {scenario.horizon.days} days, {args.reps} replications.\n"
    )
    run_and_report(scenario, argparse.Namespace(**{**vars(args), "out": None}), seed)
    if args.no_study:
        return 0
    study_file = DATA / "green_approval.yaml"
    workers = max(1, min(2, os.cpu_count() or 1))
    options = argparse.Namespace(
        study=str(study_file),
        reps=args.study_reps,
        seed=None,
        days=args.study_days,
        warmup=DEMO_WARMUP,
        material="5%",
        workers=workers,
        scheduler=None,
        dask_local=None,
        json=False,
        out=str(out),
        quiet=args.quiet,
        report=False,
        precision=None,
        kpi=None,
        max_reps=None,
    )
    print(
        "\nsimlib demo, part 2: the question planners actually ask, on a realistic hall: the "
        "green approval reforms on the baseline district hall (10 matters, 9 departments, about "
        f"800 cases a day), each reform alone and all stacked. To take minutes, not hours, it "
        f"simulates {args.study_days} days ({DEMO_WARMUP} warm-up) with {args.study_reps} "
        "replications instead of the study's own horizon and replications; the same run is\n"
        f"  simlib compare {study_file} --reps {args.study_reps} --days {args.study_days} "
        f"--warmup {DEMO_WARMUP} --out {out}\n"
    )
    cmd_compare(options)
    booking = booking_line(Path(out) / "runs.csv")
    if booking:
        print("\n" + booking)
    from simlib.report import write_report  # here: `simlib --help` needs no matplotlib

    report = write_report(out)
    print(
        f"\nCharts and tables of the study are in {Path(out).resolve()}/ "
        "(kpi_comparison.png, waterfall_*.png, visits_per_case.png, ...)"
    )
    pdf = report.with_suffix(".pdf")
    beside = " (and report.pdf beside it)" if pdf.exists() else ""
    print(f"The proposal report: {report.resolve()}{beside}")
    return 0


def booking_line(runs_csv: Path, variant: str = "book online") -> str:
    """Walk-in waits (from the ticket) before and with booking, and booked applicants'
    waits from their slot, as the study's runs show them ("" when the study has no such
    variant)."""
    import pandas as pd

    if not runs_csv.exists():
        return ""
    runs = pd.read_csv(runs_csv)
    base = runs[runs["kind"] == "baseline"]
    alone = runs[(runs["kind"] == "alone") & (runs["variant"] == variant)]
    need = {"hall_wait_mean_min", "booked_wait_mean_min", "booked_on_time_rate"}
    if alone.empty or base.empty or not need <= set(runs.columns):
        return ""
    return (
        f"Walk-in vs booked ('{variant}', means over runs): walk-ins wait "
        f"{base['hall_wait_mean_min'].mean():.1f} min from their ticket without booking, "
        f"{alone['hall_wait_mean_min'].mean():.1f} min with it; booked applicants wait "
        f"{alone['booked_wait_mean_min'].mean():.1f} min from their slot, "
        f"{alone['booked_on_time_rate'].mean():.0%} called within 10 min of it."
    )


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser(
        "demo", help="the demo hall's KPIs, then a short green approval study with charts"
    )
    run_options(p, 10)
    p.add_argument(
        "--study-reps",
        type=checks.count("--study-reps", "replications"),
        default=3,
        help="replications of the study (default 3)",
    )
    p.add_argument(
        "--study-days",
        type=checks.count("--study-days", "days"),
        default=DEMO_DAYS,
        help=f"simulated days of the study, {DEMO_WARMUP} of them warm-up (default {DEMO_DAYS}; "
        "fewer: a quicker, rougher look)",
    )
    p.add_argument("--no-study", action="store_true", help="only the demo hall")
    p.set_defaults(func=cmd_demo)
    return p

"""``simlib run``: a scenario file with replications (and its event or ticket log)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.commands.common import (
    check_precision,
    precision_options,
    progress_bar,
    run_options,
)
from simlib.engine import simulate
from simlib.engine.kernel import ENGINE_VARIABLE, kernel_refusal
from simlib.eventlog import write_event_log
from simlib.experiment import replicate, replication_seed
from simlib.experiment.precision import (
    DEFAULT_KPIS,
    replicate_to_precision,
)
from simlib.experiment.stats import CSV_FLOAT
from simlib.files import (
    apply_reform_file,
    load_scenario,
)
from simlib.outputs import kpi_table
from simlib.scenario import Scenario
from simlib.writing import write_csv


def run_and_report(scenario: Scenario, args: argparse.Namespace, seed: int) -> int:
    precision = getattr(args, "precision", None)
    if precision is not None:
        check_precision(args)
    bar, tick = progress_bar(
        not (args.quiet or args.json), args.reps if precision is None else args.max_reps
    )
    try:
        if precision is None:
            result = replicate(scenario, args.reps, seed, on_progress=tick)
        else:
            result = replicate_to_precision(
                scenario, precision, args.kpi or DEFAULT_KPIS, args.max_reps, seed, tick
            )
    finally:
        if bar is not None:
            bar.close()
    for row in result.failures.itertuples():
        print(
            f"simlib: warning: replication {row.replication} (seed {row.seed}) failed: {row.error}",
            file=sys.stderr,
        )
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(result.runs, out / "runs.csv", index=False, float_format=CSV_FLOAT)
        write_csv(result.summary(), out / "summary.csv", float_format=CSV_FLOAT)
        (out / "kpis.json").write_text(json.dumps(result.to_json(), indent=2))
    warning = result.warmup_warning()
    if warning and not args.json:
        print(f"simlib: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(f"Scenario: {scenario.name}\n")
        print(kpi_table(result))
        if args.out:
            print(
                f"\nPer-run KPIs and the summary are in {args.out}/ "
                "(runs.csv, summary.csv, kpis.json)."
            )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.engine != "auto":  # read by the engine in this process and in its workers
        os.environ[ENGINE_VARIABLE] = args.engine
    scenario = load_scenario(args.file)
    for path in args.reform or []:
        scenario = apply_reform_file(scenario, path)
    if args.out:
        checks.check_out_dir(args.out)
    if args.events:
        checks.check_out_file(args.events, "--events")
    if args.tickets:
        checks.check_out_file(args.tickets, "--tickets")
    if args.engine == "kernel" and (reason := kernel_refusal(scenario)) is not None:
        raise UsageError(f"--engine kernel: the hall kernel cannot run {args.file}: {reason}")
    seed = scenario.seed if args.seed is None else args.seed  # decided here, once
    status = run_and_report(scenario, args, seed)
    if args.events or args.tickets:
        seed = replication_seed(seed, 0)
        records = simulate(scenario, seed)
        if args.events:
            path = write_event_log(records, args.events, scenario)
            print(f"Event log of replication 0 (seed {seed}): {path}", file=sys.stderr)
        if args.tickets:
            from simlib.ticketlog import write_ticket_log

            priorities = {m.id: m.priority for m in scenario.matters}
            path = write_ticket_log(records, args.tickets, priorities)
            print(f"Ticket log of replication 0 (seed {seed}): {path}", file=sys.stderr)
    return status


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser("run", help="run a scenario file with replications")
    p.add_argument("file")
    p.add_argument(
        "--reform",
        action="append",
        metavar="FILE",
        help="apply the reforms in FILE first (repeatable)",
    )
    p.add_argument(
        "--events", metavar="PATH.csv", help="write replication 0's event log (process mining)"
    )
    p.add_argument(
        "--tickets", metavar="PATH.csv", help="write replication 0's ticket log (calibrate)"
    )
    p.add_argument(
        "--engine",
        choices=["auto", "simpy", "kernel"],
        default="auto",
        help="simpy: the reference SimPy engine; kernel: the hall kernel (window-only halls); "
        "auto (default): the kernel where it applies. Records are identical.",
    )
    run_options(p, 10)
    precision_options(p)
    p.set_defaults(func=cmd_run)
    return p

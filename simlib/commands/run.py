"""``simlib run``: a scenario file with replications (and its event or ticket log)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.commands.common import (
    check_precision,
    executor_options,
    opened_executor,
    precision_options,
    progress_bar,
    run_options,
)
from simlib.engine import Records, simulate
from simlib.engine.kernel import ENGINE_VARIABLE, kernel_refusal
from simlib.eventlog import write_event_log
from simlib.experiment import replicate, replication_seed
from simlib.experiment.core import RunFn, run_kpis
from simlib.experiment.precision import (
    DEFAULT_KPIS,
    replicate_to_precision,
)
from simlib.experiment.stats import CSV_FLOAT
from simlib.experiment.store import measure_name
from simlib.files import (
    apply_reform_file,
    load_scenario,
)
from simlib.metrics import kpi_row
from simlib.outputs import kpi_table
from simlib.scenario import Scenario
from simlib.writing import write_csv


@dataclass(frozen=True)
class RunWithLogs:
    """The run core's measure for ``simlib run --events/--tickets``: every run's KPI row
    (the same row as :func:`~simlib.experiment.core.run_kpis`, so stored runs are shared),
    and the run seeded ``seed`` (replication 0) also writes its logs, from the very records
    its KPIs come from: the logs are that replication, never a second run."""

    seed: int
    events: str | None = None
    tickets: str | None = None
    measure_name: str = measure_name(run_kpis)

    def __call__(self, scenario: Scenario, seed: int) -> dict[str, Any]:
        if seed != self.seed:
            return run_kpis(scenario, seed)
        records = simulate(scenario, seed, "full")
        self.write(records, scenario)
        return kpi_row(records, scenario)

    def write(self, records: Records, scenario: Scenario) -> None:
        if self.events:
            write_event_log(records, self.events, scenario)
        if self.tickets:
            from simlib.ticketlog import write_ticket_log

            priorities = {m.id: m.priority for m in scenario.matters}
            write_ticket_log(records, self.tickets, priorities)


def run_and_report(
    scenario: Scenario,
    args: argparse.Namespace,
    seed: int,
    executor: Executor | None = None,
    run: RunFn = run_kpis,
) -> int:
    precision = getattr(args, "precision", None)
    if precision is not None:
        check_precision(args)
    bar, tick = progress_bar(
        not (args.quiet or args.json), args.reps if precision is None else args.max_reps
    )
    try:
        if precision is None:
            result = replicate(scenario, args.reps, seed, tick, executor, run)
        else:
            kpis = args.kpi or DEFAULT_KPIS
            result = replicate_to_precision(
                scenario, precision, kpis, args.max_reps, seed, tick, executor, run
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
    first = replication_seed(seed, 0)
    logs = RunWithLogs(first, args.events, args.tickets)
    for path in (args.events, args.tickets):
        if path:  # written afresh by replication 0 (a stale file must not pass for it)
            Path(path).unlink(missing_ok=True)
    with opened_executor(args) as executor:
        status = run_and_report(
            scenario, args, seed, executor, logs if args.events or args.tickets else run_kpis
        )
    if (args.events and not Path(args.events).exists()) or (
        args.tickets and not Path(args.tickets).exists()
    ):  # replication 0 was read back from the run store (or failed): made again from its seed
        try:
            logs.write(simulate(scenario, first, "full"), scenario)
        except Exception as exc:  # replication 0 failed: it has no log (warned above)
            print(f"simlib: warning: no log written, replication 0 failed: {exc}", file=sys.stderr)
            return status
    for path, what in ((args.events, "Event"), (args.tickets, "Ticket")):
        if path:
            print(f"{what} log of replication 0 (seed {first}): {path}", file=sys.stderr)
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
    executor_options(p)
    precision_options(p)
    p.set_defaults(func=cmd_run)
    return p

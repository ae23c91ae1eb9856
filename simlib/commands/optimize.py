"""``simlib optimize``: staffing or portfolio files (the file tells which)."""

from __future__ import annotations

import argparse
import contextlib

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.commands.common import (
    cache_option,
    executor_options,
)
from simlib.experiment.store import OutputFolderError
from simlib.files import read_yaml


def cmd_optimize(args: argparse.Namespace) -> int:
    """Staffing files here; portfolio files (a ``portfolio:`` key) go to their own module."""
    data = read_yaml(args.spec).data
    if args.out:
        checks.check_out_dir(args.out)
    if isinstance(data, dict) and "portfolio" in data:
        from simlib.commands import portfolio as portfolio_command

        return portfolio_command.main(args)
    from simlib.optimize.command import run_command

    with contextlib.ExitStack() as stack:
        executor = checks.open_executor(args, stack)
        try:
            return run_command(args, executor)
        except OutputFolderError as exc:
            raise UsageError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser("optimize", help="the fewest officers that meet service targets")
    p.add_argument("spec")
    p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN §9)")
    p.add_argument("--out", metavar="DIR", help="write best.yaml, tables, charts and runs here")
    executor_options(p)
    p.add_argument("--resume", action="store_true", help="reuse the runs stored in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    cache_option(p)
    p.set_defaults(func=cmd_optimize)
    return p

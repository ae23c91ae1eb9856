"""``simlib report``: the self-contained HTML (and PDF) report of an output folder."""

from __future__ import annotations

import argparse

from simlib.cli_checks import UsageError
from simlib.commands.common import material_option


def cmd_report(args: argparse.Namespace) -> int:
    material = material_option(args.material) if args.material else None
    from simlib.report import write_report  # here: the other commands need no matplotlib
    from simlib.report.folder import FolderError

    try:
        path = write_report(args.dir, material, pdf=not args.no_pdf)
    except (FileNotFoundError, FolderError) as exc:
        raise UsageError(str(exc)) from None
    print(f"Report: {path.resolve()}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser(
        "report", help="a self-contained HTML report (and PDF) from a compare/sweep/optimize folder"
    )
    p.add_argument("dir")
    p.add_argument(
        "--material",
        metavar="SPEC",
        help="smallest change that matters: 5%% (of the baseline), or per KPI, e.g. "
        "5%%,hall_wait_mean_min=2,on_time_rate=3pp (default: the folder's, else 5%%)",
    )
    p.add_argument("--no-pdf", action="store_true", help="write only report.html")
    p.set_defaults(func=cmd_report)
    return p

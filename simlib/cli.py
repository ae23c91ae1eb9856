"""``simlib``: the command line (DESIGN §9).

Each command lives in its own module under :mod:`simlib.commands` (``add_parser(sub)`` and
its ``cmd_*`` function; ``calibrate`` in :mod:`simlib.commands.calibrate`); this module
registers them and runs one. Bad input exits with status 2 and a short message on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from simlib.cli_checks import UsageError
from simlib.commands import compare, demo, optimize, report, run, sweep, validate
from simlib.commands.common import DATA, demo_scenario, shared_cache, stop_listening_to_ctrl_c
from simlib.commands.compare import cmd_compare, compare_command
from simlib.commands.demo import cmd_demo
from simlib.commands.optimize import cmd_optimize
from simlib.commands.report import cmd_report
from simlib.commands.run import cmd_run
from simlib.commands.sweep import cmd_sweep
from simlib.commands.validate import cmd_schema, cmd_validate
from simlib.experiment.store import OutputFolderError
from simlib.scenario import ScenarioError

__all__ = [
    "DATA",
    "build_parser",
    "cmd_compare",
    "cmd_demo",
    "cmd_optimize",
    "cmd_report",
    "cmd_run",
    "cmd_schema",
    "cmd_sweep",
    "cmd_validate",
    "compare_command",
    "demo_scenario",
    "main",
]


def cmd_calibrate(args: argparse.Namespace) -> int:
    from simlib.calibrate import CalibrationError
    from simlib.commands.calibrate import run as run_calibrate

    try:
        return run_calibrate(args)
    except CalibrationError as exc:
        raise UsageError(str(exc)) from None


def cmd_fidelity(args: argparse.Namespace) -> int:
    from simlib.calibrate import CalibrationError
    from simlib.calibrate.eventcommand import run_fidelity

    try:
        return run_fidelity(args)
    except CalibrationError as exc:
        raise UsageError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simlib",
        description="Simulate a government service hall and its approval chains.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo.add_parser(sub)
    sweep.add_parser(sub)
    optimize.add_parser(sub)
    report.add_parser(sub)
    compare.add_parser(sub)

    from simlib.commands.calibrate import add_parser as calibrate_parser

    calibrate_parser(sub).set_defaults(func=cmd_calibrate)
    from simlib.commands.replay import add_parsers as visual_parsers

    visual_parsers(sub)  # replay, chains
    from simlib.calibrate.eventcommand import add_fidelity_parser

    add_fidelity_parser(sub).set_defaults(func=cmd_fidelity)

    validate.add_parser(sub)
    run.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with shared_cache(getattr(args, "cache", None)):
            return args.func(args)
    except ScenarioError as exc:
        print(f"simlib: error: {exc.report()}", file=sys.stderr)
        return 2
    except (UsageError, OutputFolderError) as exc:
        print(f"simlib: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stop_listening_to_ctrl_c()
        print("simlib: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `simlib ... | head`: the reader left; not an error of ours
        # Point stdout at /dev/null so that the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

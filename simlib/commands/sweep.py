"""``simlib sweep``: a sweep file on any executor, stored as it runs."""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from pathlib import Path
from typing import Any

from simlib import cli_checks as checks
from simlib.commands.common import (
    cache_option,
    executor_options,
    json_option,
    json_text,
    quiet_option,
    slug,
    stop_listening_to_ctrl_c,
)
from simlib.experiment.sweep import SweepResult, run_sweep
from simlib.files import load_sweep


def cmd_sweep(args: argparse.Namespace) -> int:
    checks.check_executor_options(args)
    spec = load_sweep(args.spec)
    out = checks.check_out_dir(args.out or Path("sweeps") / slug(spec.name))
    total = len(spec.scenarios) * spec.replications
    say = functools.partial(print, file=sys.stderr if args.json else sys.stdout)
    say(
        f"Sweep '{spec.name}': {len(spec.scenarios)} point(s) x {spec.replications} replication(s) "
        f"= {total} runs; results go to {out}/"
    )
    bar = None
    if not (args.quiet or args.json):
        from tqdm import tqdm

        bar = tqdm(total=total, unit="run", desc="sweep", file=sys.stderr)

    def tick(done: int, n: int, failed: int) -> None:
        if bar is not None:
            bar.total = n
            bar.update(done - bar.n)
            bar.set_postfix(failed=failed)

    try:
        with contextlib.ExitStack() as stack:
            executor = checks.open_executor(args, stack)
            result = run_sweep(spec, executor, out, args.resume, tick)
    except KeyboardInterrupt:
        # Leaving the ExitStack by the exception has stopped the workers already.
        stop_listening_to_ctrl_c()
        print(
            f"\nsimlib: interrupted; finished runs are kept in {out}/ — rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if bar is not None:
            bar.close()
    if result.quarantined:
        print(
            f"simlib: warning: {len(result.quarantined)} damaged run file(s) moved to "
            f"{result.quarantined[0].parent}/; their runs were done again",
            file=sys.stderr,
        )
    failures = result.failures
    say(f"{len(result.runs)} run(s) stored, {len(failures)} failed.")
    say(f"Per-point summary: {out}/summary.csv")
    for row in failures.head(5).itertuples():
        say(f"  failed: point {row.point}, replication {row.replication}: {row.error}")
    if args.json:
        print(json_text(sweep_json(result)))
    return 0


def sweep_json(result: SweepResult) -> dict[str, Any]:
    """``simlib sweep --json``: what was run, where it is stored, and each point's means
    and 95 % CIs (``summary.csv`` as records)."""
    failures = result.failures
    return {
        "sweep": result.sweep.name,
        "out": str(result.out),
        "parameters": list(result.sweep.parameters),
        "points": len(result.sweep.scenarios),
        "replications": result.sweep.replications,
        "runs": len(result.runs),
        "failed": len(failures),
        "errors": [str(e) for e in failures["error"].head(5)],
        "quarantined": len(result.quarantined),
        "summary": result.summary().to_dict("records"),
    }


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the command on ``sub`` (the CLI's subcommands)."""
    p = sub.add_parser("sweep", help="run a sweep file (grid or Latin hypercube) on any executor")
    p.add_argument("spec")
    executor_options(p)
    p.add_argument("--out", metavar="DIR", help="results folder (default: sweeps/<name>)")
    p.add_argument("--resume", action="store_true", help="run only what is missing in --out")
    json_option(p)
    quiet_option(p)
    cache_option(p)
    p.set_defaults(func=cmd_sweep)
    return p

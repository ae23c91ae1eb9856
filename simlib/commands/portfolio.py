"""``simlib optimize`` on a portfolio file: load, search every budget, print, write.

The search and its model live in :mod:`simlib.optimize.portfolio`; this module is the
command around them (executor, progress, output folder, errors).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from concurrent.futures import Executor
from typing import Any

from simlib.experiment.store import quarantine_note
from simlib.optimize.portfolio import optimize_portfolio, portfolio_store
from simlib.optimize.portfolio_outputs import frontier_json, frontier_text, write_outputs
from simlib.optimize.portfolio_spec import load_portfolio
from simlib.scenario.errors import ScenarioError

__all__ = ["main"]


def _executor(args: Any, stack: contextlib.ExitStack) -> Executor | int:
    """The executor of ``--workers`` / ``--scheduler`` / ``--dask-local`` (the same options
    and checks as every command that simulates); 1 means in this process."""
    from simlib.cli_checks import open_executor

    options = argparse.Namespace(
        workers=int(getattr(args, "workers", 1) or 1),
        scheduler=getattr(args, "scheduler", None),
        dask_local=getattr(args, "dask_local", None),
    )
    return open_executor(options, stack) or 1


def main(args: Any) -> int:
    """``simlib optimize SPEC`` for a portfolio file; returns the exit status."""
    quiet = bool(getattr(args, "quiet", False)) or bool(getattr(args, "json", False))
    out = getattr(args, "out", None)
    try:
        spec = load_portfolio(args.spec)
    except ScenarioError as exc:
        print(f"simlib: {exc.report()}", file=sys.stderr)
        return 2
    store = portfolio_store(spec, out, bool(getattr(args, "resume", False))) if out else None

    bar = None
    if not quiet:  # a tqdm bar, as the other commands that simulate (none under --json)
        from tqdm import tqdm

        bar = tqdm(unit="run", desc="portfolio", file=sys.stderr, leave=False)

    def progress(n: int, _total: int, _failed: int) -> None:
        if bar is not None:
            bar.update(n - bar.n)

    with contextlib.ExitStack() as stack:
        try:
            frontier = optimize_portfolio(spec, _executor(args, stack), store, progress)
        except ValueError as exc:
            print(f"simlib: {spec.path}: {exc}", file=sys.stderr)
            return 2
        finally:
            if bar is not None:
                bar.close()
    note = quarantine_note(store)
    if note:
        print(f"simlib: warning: {note}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps(frontier_json(frontier), indent=2, ensure_ascii=False))
    else:
        print(frontier_text(frontier))
    if out:
        written = write_outputs(frontier, out)
        if not getattr(args, "json", False):
            print(f"\nWrote {len(written)} files to {out}/")
    return 0

"""``simlib optimize SPEC``: load, search, print, write (the CLI calls :func:`run_command`)."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from simlib.experiment.store import quarantine_note
from simlib.optimize.output import result_json, summary_text, write_outputs
from simlib.optimize.search import optimize
from simlib.optimize.spec import load_optimization

__all__ = ["run_command"]


def run_command(args: argparse.Namespace, executor: Executor | None) -> int:
    opt = load_optimization(args.spec)
    bar = None
    if not (args.quiet or args.json):
        from tqdm import tqdm

        bar = tqdm(unit="run", desc="optimize", file=sys.stderr, leave=False)

    unit = "cost" if opt.objective == "cost" else "officer-hours"

    def tick(runs: int, _total: int, failed: int) -> None:
        if bar is not None:
            bar.update(runs - bar.n)
            if failed:
                bar.set_postfix_str(f"{failed} failed", refresh=False)

    def best(info: dict[str, Any]) -> None:
        if bar is not None:
            state = "meets on means" if info["feasible_on_means"] else "misses"
            bar.set_postfix_str(
                f"best so far {info['objective']:.1f} {unit} ({state}), "
                f"{info['evaluated']} staffings, ETA ~{info['eta_s'] / 60:.0f} min",
                refresh=True,
            )

    try:
        result = optimize(opt, executor, args.out, args.resume, tick, best)
    except KeyboardInterrupt:
        if args.out:
            print(
                f"simlib: interrupted; the best staffing so far is {args.out}/best_so_far.yaml "
                "and finished runs are kept: rerun with --resume to continue",
                file=sys.stderr,
            )
        raise
    finally:
        if bar is not None:
            bar.close()
    note = quarantine_note(result.evaluator.store)
    if note:
        print(f"simlib: warning: {note}", file=sys.stderr)
    data = result_json(result)
    if args.out:
        write_outputs(result, data, Path(args.out))
    if args.json:
        print(json.dumps(data, default=lambda x: None))
    else:
        print(summary_text(result, data))
        if args.out:
            print(
                f"Best staffing: {args.out}/best.yaml (run it with simlib run); "
                f"frontier, trace and staffing table in {args.out}/"
            )
    return 0

"""What the commands share: progress bars, option groups (replications and seed,
precision, executor, shared cache), the demo hall and small parsing helpers."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from simlib import cli_checks as checks
from simlib.cli_checks import UsageError
from simlib.experiment.core import Progress
from simlib.files import load_scenario
from simlib.metrics import KPI_INFO
from simlib.scenario import Scenario

DATA = Path(__file__).resolve().parents[1] / "data"  # shipped with the package


def demo_scenario() -> Scenario:
    """The built-in demo hall shipped with the package."""
    return load_scenario(DATA / "demo_hall.yaml")


def progress_bar(enabled: bool, total: int, what: str = "runs") -> tuple[Any, Progress]:
    """A tqdm bar on stderr (shown only for runs over 2 s) and its ``on_progress(done,
    total, failed)``, or (None, a no-op) when quiet."""
    if not enabled:
        return None, lambda done, n, failed=0: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="run", desc=what, file=sys.stderr, leave=False, delay=2.0)

    def tick(done: int, n: int, failed: int = 0) -> None:
        bar.total = n
        bar.update(done - bar.n)
        if failed:
            bar.set_postfix(failed=failed)

    return bar, tick


def check_precision(args: argparse.Namespace) -> None:
    if not 0 < args.precision < 1:
        raise UsageError(
            f"--precision is a share of the mean in (0, 1), e.g. 0.05; got {args.precision}"
        )
    if args.max_reps < 3:
        raise UsageError(f"--max-reps must be at least 3; got {args.max_reps}")
    known = set(KPI_INFO)
    for kpi in args.kpi or []:
        if kpi.partition("[")[0] not in known:
            raise UsageError(f"--kpi {kpi}: unknown KPI; KPIs are: {', '.join(sorted(known))}")


def precision_options(p: argparse.ArgumentParser) -> None:
    """--precision, --kpi, --max-reps (replications chosen by the procedure of Hoad et al.)."""
    p.add_argument(
        "--precision",
        type=float,
        metavar="SHARE",
        help="add replications until each KPI's 95%% CI half-width is within SHARE of its mean",
    )
    p.add_argument(
        "--kpi",
        action="append",
        metavar="NAME",
        help="a KPI --precision watches (repeatable; default: the headline KPIs)",
    )
    p.add_argument(
        "--max-reps",
        type=int,
        default=100,
        help="cap on replications for --precision and --decide (100)",
    )


def material_option(text: str | None) -> Any:
    from simlib.verdict import parse_material

    try:
        return parse_material(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def with_horizon(scenario: Scenario, days: int | None, warmup: int | None) -> Scenario:
    """The scenario with its horizon shortened or lengthened from the command line."""
    if days is None and warmup is None:
        return scenario
    days = scenario.horizon.days if days is None else days
    warmup = scenario.horizon.warmup_days if warmup is None else warmup
    if days < 1 or not 0 <= warmup < days:
        raise UsageError(
            f"--days must be at least 1 and --warmup in [0, days); got {days}, {warmup}"
        )
    horizon = scenario.horizon.model_copy(update={"days": days, "warmup_days": warmup})
    return scenario.model_copy(update={"horizon": horizon})


def stop_listening_to_ctrl_c() -> None:
    """After a first Ctrl-C simlib is already stopping: a second one must not cut the
    clean-up short (it would leave workers behind, or a traceback)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def executor_options(p: argparse.ArgumentParser) -> None:
    """--workers, --scheduler and --dask-local: where the runs of every command that
    simulates go (run, compare, sweep, optimize, calibrate). Results never depend on it."""
    p.add_argument(
        "--workers",
        type=checks.count("--workers"),
        default=1,
        help="local processes (default 1: sequential)",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="a Dask scheduler, e.g. tcp://host:8786")
    p.add_argument(
        "--dask-local",
        type=checks.count("--dask-local"),
        metavar="N",
        help="start a local Dask cluster of N workers",
    )


def cache_option(p: argparse.ArgumentParser) -> None:
    """--cache DIR: a run store shared by commands (runs asked again are read back)."""
    p.add_argument(
        "--cache",
        metavar="DIR",
        help="reuse and keep runs in this shared run store (default: $SIMLIB_CACHE, if set)",
    )


@contextlib.contextmanager
def shared_cache(folder: str | None) -> Iterator[None]:
    """SIMLIB_CACHE set to ``folder`` while a command runs (the run core reads it)."""
    from simlib.experiment.store import CACHE_ENV

    if not folder:
        yield
        return
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = folder
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = before


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_") or "sweep"


def json_option(p: argparse.ArgumentParser) -> None:
    """--json: print one JSON object on stdout (DESIGN §9) and nothing else there."""
    p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN §9)")


def json_text(value: Any) -> str:
    """``value`` as one line of JSON, NaN and infinities as null (JSON has no NaN)."""
    return json.dumps(finite(value), ensure_ascii=False, default=str)


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def quiet_option(p: argparse.ArgumentParser) -> None:
    """--quiet: no progress bar."""
    p.add_argument("--quiet", action="store_true", help="no progress bar")


@contextlib.contextmanager
def opened_executor(args: argparse.Namespace) -> Iterator[Any]:
    """The executor of the command's executor options (None: this process), checked and
    closed on leaving."""
    checks.check_executor_options(args)
    with contextlib.ExitStack() as stack:
        yield checks.open_executor(args, stack)


def run_options(p: argparse.ArgumentParser, reps: int) -> None:
    p.add_argument(
        "--reps",
        type=checks.count("--reps", "replications"),
        default=reps,
        help=f"replications (default {reps})",
    )
    p.add_argument(
        "--seed", type=checks.seed, default=None, help="base seed (default: the scenario's)"
    )
    json_option(p)
    p.add_argument("--out", metavar="DIR", help="also write runs.csv, summary.csv, kpis.json")
    quiet_option(p)
    cache_option(p)

"""Staffing optimisation of the district hall's seven window pools by the hour.

`make bench-optimize` (also the last part of `make bench`). Runs
``scenarios/optimize_market_windows.yaml`` on 2 worker processes and prints the wall time,
the staffings evaluated and the simulation runs, against what an exhaustive grid over the
same decisions would need (one evaluation per combination of officers per pool and hour).
Targets: <= 10 minutes on 2 cores, <= 5 % of the grid's evaluations. Prints the CPU
seconds (this process and its workers) and the load average beside the wall time, since a
shared machine stretches the wall time; and the simulated days spent (runs x horizon days,
warm-up included). ``python benchmarks/optimize.py DIR`` keeps the outputs in DIR.

Then the green approval portfolio (``scenarios/portfolio_green_approval.yaml``, budgets
250,000 and 500,000) on 2 workers: wall and CPU time against its target (<= 10 minutes on
an idle machine), runs and simulated days (which do not depend on the load).
``python benchmarks/optimize.py staffing|portfolio [DIR]`` runs one of the two.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simlib.experiment.runner import process_pool
from simlib.optimize.output import result_json, write_outputs
from simlib.optimize.search import optimize
from simlib.optimize.spec import load_optimization

SPEC = Path(__file__).resolve().parent.parent / "scenarios" / "optimize_market_windows.yaml"
PORTFOLIO = Path(__file__).resolve().parent.parent / "scenarios" / "portfolio_green_approval.yaml"


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker processes)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(workers: int = 2, keep: str | None = None) -> dict:
    opt = load_optimization(SPEC)
    hours = len(__import__("simlib.optimize.offered", fromlist=["open_hours"]).open_hours(opt.base))
    grid_log10 = sum(hours * math.log10(d.high - d.low + 1) for d in opt.by_hour) + sum(
        math.log10(d.high - d.low + 1) for d in opt.levels
    )
    start = time.perf_counter()
    cpu0 = _cpu()
    with process_pool(workers) as pool, tempfile.TemporaryDirectory() as out:
        result = optimize(opt, executor=pool, out=out)
        data = result_json(result)
        if keep:
            write_outputs(result, data, keep)
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu0
    days = data["simulated_days"]  # runs x horizon days, warm-up included
    obj = data["best"]["objective"] if data["best"] else {}
    share = data["evaluations"] / 10**grid_log10
    print(f"optimize {SPEC.name}: {len(opt.by_hour)} pools x {hours} hours by the hour")
    print(
        f"  wall {seconds:.0f} s on {workers} workers (target <= 600 s on an idle machine; "
        f"load average now {os.getloadavg()[0]:.1f}); CPU {cpu:.0f} s (this process and its "
        f"workers); {data['evaluations']} staffings evaluated, {data['runs']} simulation runs, "
        f"{days:,} simulated days (warm-up included)"
    )
    print(
        f"  exhaustive grid: 10^{grid_log10:.0f} staffings; evaluated share {share:.1e} "
        f"(target <= 5 %)"
    )
    print(
        f"  feasible with {opt.confidence:.0%} confidence: {data['feasible']}; officer-hours "
        f"per working day {obj.get('officer_hours', float('nan')):.0f} "
        f"(today {obj.get('officer_hours_today', float('nan')):.0f})"
    )
    if result.best is not None:
        for pool, needs in result.best.hourly:
            print(f"  {pool:<20} by hour: {list(needs)}")
    for c in data["one_step_cheaper"]:
        print(f"  one step cheaper ({c['change']}): {c['verdict']}")
    return {"seconds": seconds, "cpu_seconds": cpu, "simulated_days": days, **data}


def portfolio(workers: int = 2, keep: str | None = None) -> dict:
    """The green approval portfolio at both budgets: wall time against the 10-minute target."""
    from simlib.optimize.portfolio import optimize_portfolio, portfolio_store
    from simlib.optimize.portfolio_outputs import frontier_json, frontier_text
    from simlib.optimize.portfolio_outputs import write_outputs as write_portfolio
    from simlib.optimize.portfolio_spec import load_portfolio

    spec = load_portfolio(PORTFOLIO)
    store = portfolio_store(spec, keep, resume=True) if keep else None  # a rerun resumes
    start, cpu0 = time.perf_counter(), _cpu()

    def progress(n: int, _total: int, _failed: int) -> None:
        if n % 10 == 0:
            print(f"  {n} runs, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)

    with process_pool(workers) as pool:
        frontier = optimize_portfolio(spec, pool, store, progress)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu0
    data = frontier_json(frontier)
    if keep:
        write_portfolio(frontier, keep)
    print(frontier_text(frontier))
    oracle = frontier.oracle
    waves = oracle.waves(workers)
    per_run = cpu / max(oracle.evaluations, 1)
    print(
        f"portfolio {PORTFOLIO.name}: wall {seconds:.0f} s on {workers} workers (target <= 600 s "
        f"on an idle machine; load average now {os.getloadavg()[0]:.1f}); CPU {cpu:.0f} s; "
        f"{data['evaluations']} simulation runs, {data['simulated_days']:,} simulated days"
    )
    print(
        f"  {len(oracle.batches)} batches in {waves} waves of {workers} runs (a perfect "
        f"split: {-(-oracle.evaluations // workers)}); idle-machine estimates: CPU/{workers} "
        f"{cpu / workers:.0f} s, waves x CPU per run {waves * per_run:.0f} s"
    )
    return {"seconds": seconds, "cpu_seconds": cpu, "waves": waves, **data}


if __name__ == "__main__":
    args = sys.argv[1:]
    which = args.pop(0) if args and args[0] in ("staffing", "portfolio") else None
    keep = args[0] if args else None  # a folder to keep the outputs in
    if which in (None, "staffing"):
        main(keep=keep)
    if which in (None, "portfolio"):
        portfolio(keep=f"{keep}/portfolio" if keep else None)
